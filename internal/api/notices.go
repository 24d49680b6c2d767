package api

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/notice"
	"github.com/kofu-oss/kofu/internal/paper"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
)

// NoticeHandlers serve notice batches and their printouts, the wave plan,
// the notice settings and the national monthly figures.
type NoticeHandlers struct {
	Notices *notice.Service
	Loc     *time.Location
}

// Register adds the routes: viewers may read and plan, staff make, print
// and confirm batches and enter the population, admins edit the settings.
func (h *NoticeHandlers) Register(rt *route.Router) {
	rt.Handle("GET /api/v1/notices/batches", route.AnyStaff, h.list)
	rt.Handle("POST /api/v1/notices/batches", route.Staff, h.create)
	rt.Handle("GET /api/v1/notices/batches/{id}", route.AnyStaff, h.get)
	rt.Handle("POST /api/v1/notices/batches/{id}/sent", route.Staff, h.sent)
	rt.Handle("GET /api/v1/notices/batches/{id}/letters.pdf", route.Staff, h.pdf("letters", h.Notices.Letters))
	rt.Handle("GET /api/v1/notices/batches/{id}/labels.pdf", route.Staff, h.pdf("labels", h.Notices.Labels))
	rt.Handle("GET /api/v1/notices/batches/{id}/batch.csv", route.Staff, h.csv)
	rt.Handle("GET /api/v1/notices/plan", route.AnyStaff, h.plan)
	rt.Handle("GET /api/v1/settings/notices", route.AnyStaff, h.settings)
	rt.Handle("PUT /api/v1/settings/notices", route.Admin, h.saveSettings)
	rt.Handle("GET /api/v1/reports/national", route.AnyStaff, h.national)
	rt.Handle("GET /api/v1/population", route.AnyStaff, h.population)
	rt.Handle("PUT /api/v1/population/{month}", route.Staff, h.setPopulation)
}

type noticeBatchJSON struct {
	ID        int64             `json:"id"`
	Kind      string            `json:"kind"`
	Cards     int               `json:"cards"`
	Held      []notice.HeldCard `json:"held"`
	Assigned  int               `json:"notice_numbers_assigned,omitempty"`
	CreatedAt string            `json:"created_at"`
	CreatedBy string            `json:"created_by"`
	SentDate  *string           `json:"sent_date"`
	SentBy    string            `json:"sent_by,omitempty"`
}

func (h *NoticeHandlers) batchJSON(b store.NoticeBatch, held []notice.HeldCard, assigned int) noticeBatchJSON {
	out := noticeBatchJSON{ID: b.ID, Kind: b.Kind, Cards: b.Cards, Held: held, Assigned: assigned,
		CreatedAt: b.CreatedAt.In(h.loc()).Format(time.RFC3339), CreatedBy: b.CreatedBy, SentBy: b.SentBy}
	if out.Held == nil {
		out.Held = []notice.HeldCard{}
	}
	if b.SentDate != "" {
		out.SentDate = &b.SentDate
	}
	return out
}

func (h *NoticeHandlers) loc() *time.Location {
	if h.Loc == nil {
		return time.UTC
	}
	return h.Loc
}

type noticeBatchRequest struct {
	Kind          string  `json:"kind"`
	CardIDs       []int64 `json:"card_ids"`
	Count         int     `json:"count"`
	DeliveredFrom string  `json:"delivered_from"`
	DeliveredTo   string  `json:"delivered_to"`
	Box           string  `json:"box"`
	Place         string  `json:"place"`
	Method        string  `json:"method"`
}

func (h *NoticeHandlers) create(w http.ResponseWriter, r *http.Request) {
	var req noticeBatchRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	b, err := h.Notices.Create(r.Context(), p, route.MetaOf(r), notice.Selection{Kind: req.Kind, CardIDs: req.CardIDs,
		Count: req.Count, DeliveredFrom: req.DeliveredFrom, DeliveredTo: req.DeliveredTo, Box: req.Box, Place: req.Place,
		Method: card.Method(req.Method)})
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, map[string]any{"batch": h.batchJSON(b.NoticeBatch, b.HeldCards, b.Assigned)})
}

func (h *NoticeHandlers) list(w http.ResponseWriter, r *http.Request) {
	q, err := wfListQuery(r.URL.Query())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	bs, total, err := h.Notices.List(r.Context(), q.Limit, q.Offset)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	out := make([]noticeBatchJSON, len(bs))
	for i, b := range bs {
		out[i] = h.batchJSON(b, nil, 0)
		out[i].Held = nil
	}
	WriteJSON(w, http.StatusOK, map[string]any{"batches": out, "total": total})
}

func batchID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, invalid("id", "発送分の番号が正しくありません。")
	}
	return id, nil
}

func (h *NoticeHandlers) get(w http.ResponseWriter, r *http.Request) {
	id, err := batchID(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	b, err := h.Notices.Get(r.Context(), p, route.MetaOf(r), id)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"batch": h.batchJSON(b.NoticeBatch, b.HeldCards, 0)})
}

func (h *NoticeHandlers) sent(w http.ResponseWriter, r *http.Request) {
	id, err := batchID(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	var req struct {
		Date string `json:"date"`
	}
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	c, err := h.Notices.Confirm(r.Context(), p, route.MetaOf(r), id, req.Date)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"batch": h.batchJSON(c.Batch, nil, 0), "done": c.Done, "skipped": c.Skipped})
}

type renderFn func(ctx context.Context, p auth.Principal, m auth.Meta, id int64, w io.Writer) (paper.Result, error)

func (h *NoticeHandlers) pdf(name string, fn renderFn) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := batchID(r)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		lw := &export.LazyResponse{W: w, Headers: func(hd http.Header) {
			hd.Set("Content-Type", "application/pdf")
			hd.Set("Content-Disposition", `inline; filename="`+name+"-"+strconv.FormatInt(id, 10)+`.pdf"`)
			hd.Set("Cache-Control", "no-store")
		}}
		p, _ := route.PrincipalOf(r)
		if _, err := fn(r.Context(), p, route.MetaOf(r), id, lw); err != nil && !lw.Started() {
			WriteError(w, r, err)
		}
	}
}

func (h *NoticeHandlers) csv(w http.ResponseWriter, r *http.Request) {
	id, err := batchID(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	enc, ok := export.ParseEncoding(r.URL.Query().Get("encoding"))
	if !ok {
		WriteError(w, r, invalid("encoding", "encoding は utf-8 か cp932 を指定してください。"))
		return
	}
	lw := &export.LazyResponse{W: w, Headers: func(hd http.Header) {
		export.SetHeaders(hd, "batch-"+strconv.FormatInt(id, 10)+".csv", enc)
	}}
	p, _ := route.PrincipalOf(r)
	if err := h.Notices.CSV(r.Context(), p, route.MetaOf(r), id, enc, lw); err != nil && !lw.Started() {
		WriteError(w, r, err)
	}
}

func (h *NoticeHandlers) plan(w http.ResponseWriter, r *http.Request) {
	weeks := 0
	if s := r.URL.Query().Get("weeks"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			WriteError(w, r, invalid("weeks", "1〜26 の整数で指定してください。"))
			return
		}
		weeks = n
	}
	pl, err := h.Notices.Plan(r.Context(), weeks)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, planJSONOf(pl))
}

type planWeekJSON struct {
	Start     string          `json:"start"`
	Capacity  int             `json:"capacity"`
	Booked    int             `json:"booked"`
	Free      int             `json:"free"`
	Places    []planPlaceJSON `json:"places"`
	Expected  float64         `json:"expected"`
	Planned   float64         `json:"planned"`
	Suggested int             `json:"suggested"`
	Fill      float64         `json:"fill"`
	Pickups   float64         `json:"pickups"`
}

type planPlaceJSON struct {
	Place    string `json:"place"`
	Name     string `json:"name"`
	Capacity int    `json:"capacity"`
	Booked   int    `json:"booked"`
	Free     int    `json:"free"`
}

func planJSONOf(pl notice.Plan) map[string]any {
	weeks := make([]planWeekJSON, len(pl.Weeks))
	for i, wk := range pl.Weeks {
		j := planWeekJSON{Start: wk.Start, Capacity: wk.Capacity, Booked: wk.Booked, Free: wk.Free, Expected: round2(wk.Expected),
			Planned: round2(wk.Planned), Suggested: wk.Suggested, Fill: round2(wk.Fill), Pickups: round2(wk.Pickups), Places: []planPlaceJSON{}}
		for _, p := range wk.Places {
			j.Places = append(j.Places, planPlaceJSON{Place: p.Place, Name: pl.PlaceNames[p.Place], Capacity: p.Capacity, Booked: p.Booked, Free: p.Free})
		}
		weeks[i] = j
	}
	past := make([]map[string]any, len(pl.Past))
	for i, p := range pl.Past {
		past[i] = map[string]any{"start": p.Start, "mailed": p.Mailed, "expected": round2(p.Expected), "booked": p.Booked}
	}
	c := pl.Curve
	weekly := make([]float64, len(c.Weekly))
	for i, x := range c.Weekly {
		weekly[i] = round2(x * 100)
	}
	return map[string]any{"next_batch": pl.Next, "target_fill": pl.TargetFill, "service": pl.Service, "weeks": weeks, "past": past,
		"learned": map[string]any{"from_history": c.Learned(), "samples": c.Samples, "weekly_percent": weekly,
			"booked_within_28_days_percent": round2(c.Within(28) * 100), "booked_percent": round2(c.Total() * 100),
			"no_show_percent": round2(c.NoShow * 100)}}
}

func round2(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }

func (h *NoticeHandlers) settings(w http.ResponseWriter, r *http.Request) {
	st, err := h.Notices.Settings(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, st)
}

// saveSettings replaces the document; fields left out keep the defaults.
func (h *NoticeHandlers) saveSettings(w http.ResponseWriter, r *http.Request) {
	st := notice.DefaultSettings()
	if err := decode(w, r, &st); err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	if err := h.Notices.SaveSettings(r.Context(), p, route.MetaOf(r), st); err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, st)
}

// national answers the monthly figures as JSON, or as a download with
// format=csv (encoding=cp932 for Shift_JIS) or format=xlsx.
func (h *NoticeHandlers) national(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, _ := route.PrincipalOf(r)
	from, to := q.Get("from"), q.Get("to")
	switch q.Get("format") {
	case "csv":
		enc, ok := export.ParseEncoding(q.Get("encoding"))
		if !ok {
			WriteError(w, r, invalid("encoding", "encoding は utf-8 か cp932 を指定してください。"))
			return
		}
		lw := &export.LazyResponse{W: w, Headers: func(hd http.Header) { export.SetHeaders(hd, "kofu-monthly.csv", enc) }}
		if err := h.Notices.ReportCSV(r.Context(), p, route.MetaOf(r), from, to, enc, lw); err != nil && !lw.Started() {
			WriteError(w, r, err)
		}
	case "xlsx":
		lw := &export.LazyResponse{W: w, Headers: func(hd http.Header) {
			hd.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
			hd.Set("Content-Disposition", `attachment; filename="kofu-monthly.xlsx"`)
		}}
		if err := h.Notices.ReportExcel(r.Context(), p, route.MetaOf(r), from, to, lw); err != nil && !lw.Started() {
			WriteError(w, r, err)
		}
	case "", "json":
		figs, err := h.Notices.Figures(r.Context(), p, route.MetaOf(r), from, to)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		out := make([]map[string]any, len(figs))
		for i, f := range figs {
			var rate any
			if f.Rate() >= 0 {
				rate = round2(f.Rate() * 100)
			}
			out[i] = map[string]any{"month": f.Month, "applications": f.Applications, "delivered": f.Delivered, "setup": f.Setup,
				"notices": f.Notices, "issued": f.Issued, "issued_total": f.IssuedTotal, "population": f.Population, "rate_percent": rate}
		}
		WriteJSON(w, http.StatusOK, map[string]any{"months": out})
	default:
		WriteError(w, r, invalid("format", "format は json、csv、xlsx のいずれかを指定してください。"))
	}
}

func (h *NoticeHandlers) population(w http.ResponseWriter, r *http.Request) {
	ps, err := h.Notices.Population(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	out := make([]map[string]any, len(ps))
	for i, p := range ps {
		out[i] = map[string]any{"month": p.Month, "residents": p.Residents, "updated_by": p.UpdatedBy}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"population": out})
}

func (h *NoticeHandlers) setPopulation(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Residents int `json:"residents"`
	}
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	if err := h.Notices.SetPopulation(r.Context(), p, route.MetaOf(r), r.PathValue("month"), req.Residents); err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"month": r.PathValue("month"), "residents": req.Residents})
}
