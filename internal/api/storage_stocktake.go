package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/storage"
	"github.com/kofu-oss/kofu/internal/store"
)

func (h *StorageHandlers) registerStocktakes(rt *route.Router) {
	rt.Handle("GET /api/v1/stocktakes", route.AnyStaff, h.stocktakes)
	rt.Handle("POST /api/v1/stocktakes", route.Staff, h.startStocktake)
	rt.Handle("GET /api/v1/stocktakes/{id}", route.AnyStaff, h.stocktakeReport)
	rt.Handle("GET /api/v1/stocktakes/{id}/report.csv", route.AnyStaff, h.stocktakeCSV)
	rt.Handle("POST /api/v1/stocktakes/{id}/scans", route.Staff, h.stocktakeScan)
	rt.Handle("POST /api/v1/stocktakes/{id}/close", route.Staff, h.closeStocktake)
}

const stocktakeNotFound = "棚卸が見つかりません。"

type stocktakeJSON struct {
	ID        int64  `json:"id"`
	PlaceID   int64  `json:"place_id"`
	PlacePath string `json:"place_path"`
	Status    string `json:"status"`
	StartedAt string `json:"started_at"`
	Starter   string `json:"started_by"`
	ClosedAt  string `json:"closed_at,omitempty"`
	Closer    string `json:"closed_by,omitempty"`
	Scans     int    `json:"scans"`
}

func (h *StorageHandlers) stocktakeOut(s store.Stocktake) stocktakeJSON {
	out := stocktakeJSON{ID: s.ID, PlaceID: s.PlaceID, PlacePath: s.PlacePath, Status: s.Status,
		StartedAt: h.stamp(s.StartedAt), Starter: s.Starter, Closer: s.Closer, Scans: s.Scans}
	if !s.ClosedAt.IsZero() {
		out.ClosedAt = h.stamp(s.ClosedAt)
	}
	return out
}

func (h *StorageHandlers) stamp(t time.Time) string {
	loc := h.Loc
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format(time.RFC3339)
}

func (h *StorageHandlers) stocktakes(w http.ResponseWriter, r *http.Request) {
	place, err := storageQueryID(r, "place_id")
	var list []store.Stocktake
	if err == nil {
		list, err = h.Storage.Stocktakes(r.Context(), place)
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	out := make([]stocktakeJSON, len(list))
	for i, s := range list {
		out[i] = h.stocktakeOut(s)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"stocktakes": out})
}

// startStocktake opens a session for a place, or answers with the place's
// open session (200 instead of 201) so several PCs share one.
func (h *StorageHandlers) startStocktake(w http.ResponseWriter, r *http.Request) {
	var req struct {
		PlaceID int64 `json:"place_id"`
	}
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	st, joined, err := h.Storage.StartStocktake(r.Context(), p, route.MetaOf(r), req.PlaceID)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	status := http.StatusCreated
	if joined {
		status = http.StatusOK
	}
	WriteJSON(w, status, h.stocktakeOut(st))
}

func (h *StorageHandlers) stocktakeScan(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Code string `json:"code"`
	}
	id, err := storagePathID(r, stocktakeNotFound)
	if err == nil {
		err = decode(w, r, &req)
	}
	var res storage.ScanResult
	if err == nil {
		p, _ := route.PrincipalOf(r)
		res, err = h.Storage.Scan(r.Context(), p, route.MetaOf(r), id, req.Code)
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"notice_number": res.Notice, "outcome": res.Outcome,
		"outcome_label": storage.FindingLabel(res.Outcome), "card_id": res.CardID, "status": res.Status,
		"storage_location": res.Location})
}

func (h *StorageHandlers) closeStocktake(w http.ResponseWriter, r *http.Request) {
	id, err := storagePathID(r, stocktakeNotFound)
	if err == nil {
		p, _ := route.PrincipalOf(r)
		err = h.Storage.CloseStocktake(r.Context(), p, route.MetaOf(r), id)
	}
	var st store.Stocktake
	if err == nil {
		st, err = h.Storage.Stocktake(r.Context(), id)
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, h.stocktakeOut(st))
}

type findingJSON struct {
	Kind            string `json:"kind"`
	KindLabel       string `json:"kind_label"`
	NoticeNumber    string `json:"notice_number"`
	CardID          int64  `json:"card_id,omitempty"`
	Name            string `json:"name,omitempty"`
	NameKana        string `json:"name_kana,omitempty"`
	Status          string `json:"status,omitempty"`
	StorageLocation string `json:"storage_location,omitempty"`
	ScannedBy       string `json:"scanned_by,omitempty"`
}

func (h *StorageHandlers) stocktakeReport(w http.ResponseWriter, r *http.Request) {
	id, err := storagePathID(r, stocktakeNotFound)
	var rep storage.Report
	if err == nil {
		p, _ := route.PrincipalOf(r)
		rep, err = h.Storage.Report(r.Context(), p, route.MetaOf(r), id)
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	findings := make([]findingJSON, len(rep.Findings))
	for i, f := range rep.Findings {
		findings[i] = findingJSON{Kind: f.Kind, KindLabel: storage.FindingLabel(f.Kind), NoticeNumber: f.Notice,
			CardID: f.CardID, Name: f.Name, NameKana: f.NameKana, Status: string(f.Status),
			StorageLocation: f.Location, ScannedBy: f.Actor}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"stocktake": h.stocktakeOut(rep.Stocktake),
		"expected": rep.Expected, "matched": rep.Matched, "findings": findings})
}

func (h *StorageHandlers) stocktakeCSV(w http.ResponseWriter, r *http.Request) {
	id, err := storagePathID(r, stocktakeNotFound)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	enc, ok := export.ParseEncoding(r.URL.Query().Get("encoding"))
	if !ok {
		enc = export.UTF8
	}
	if _, err := h.Storage.Stocktake(r.Context(), id); err != nil {
		WriteError(w, r, err)
		return
	}
	export.SetHeaders(w.Header(), "stocktake-"+strconv.FormatInt(id, 10)+".csv", enc)
	p, _ := route.PrincipalOf(r)
	if err := h.Storage.ExportReport(r.Context(), p, route.MetaOf(r), id, enc, w); err != nil {
		WriteError(w, r, err)
	}
}
