package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/reissue"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
)

// ReissueHandlers serve card reissues (再交付), their fees and the daily
// fee report.
type ReissueHandlers struct {
	Reissue *reissue.Service
	Loc     *time.Location
}

// Register adds the routes: viewers read, staff register and void,
// admins set the fees.
func (h *ReissueHandlers) Register(rt *route.Router) {
	rt.Handle("GET /api/v1/reissues", route.AnyStaff, h.list)
	rt.Handle("POST /api/v1/reissues", route.Staff, h.register)
	rt.Handle("GET /api/v1/reissues/codes", route.AnyStaff, h.codes)
	rt.Handle("GET /api/v1/reissues/report", route.AnyStaff, h.report)
	rt.Handle("GET /api/v1/reissues/report.csv", route.AnyStaff, h.reportCSV)
	rt.Handle("GET /api/v1/reissues/{id}", route.AnyStaff, h.get)
	rt.Handle("POST /api/v1/reissues/{id}/void", route.Staff, h.void)
	rt.Handle("GET /api/v1/residents/{id}/reissues", route.AnyStaff, h.history)
	rt.Handle("GET /api/v1/settings/reissue-fees", route.AnyStaff, h.fees)
	rt.Handle("PUT /api/v1/settings/reissue-fees", route.Admin, h.saveFees)
}

type reissueJSON struct {
	ID                int64     `json:"id"`
	ResidentID        int64     `json:"resident_id"`
	ResidentNumber    string    `json:"resident_number"`
	Name              string    `json:"name"`
	NameKana          string    `json:"name_kana"`
	CardID            int64     `json:"card_id,omitempty"`
	NoticeNumber      string    `json:"notice_number,omitempty"`
	Reason            string    `json:"reason"`
	ReasonLabel       string    `json:"reason_label"`
	ReasonDetail      string    `json:"reason_detail,omitempty"`
	Chargeable        bool      `json:"chargeable"`
	FreeReason        string    `json:"free_reason,omitempty"`
	FreeDetail        string    `json:"free_detail,omitempty"`
	Certificate       bool      `json:"certificate"`
	FastTrack         bool      `json:"fast_track"`
	FeeType           string    `json:"fee_type"`
	CardAmount        int       `json:"card_amount"`
	CertificateAmount int       `json:"certificate_amount"`
	Amount            int       `json:"amount"`
	ReceiptNumber     string    `json:"receipt_number,omitempty"`
	ReceivedOn        string    `json:"received_on"`
	CreatedAt         time.Time `json:"created_at"`
	Staff             string    `json:"staff"`
	Voided            bool      `json:"voided"`
	Void              *voidJSON `json:"void,omitempty"`
}

type voidJSON struct {
	Reason   string    `json:"reason"`
	VoidedOn string    `json:"voided_on"`
	VoidedAt time.Time `json:"voided_at"`
	Staff    string    `json:"staff"`
}

func (h *ReissueHandlers) reissueOut(x store.Reissue) reissueJSON {
	out := reissueJSON{ID: x.ID, ResidentID: x.ResidentID, ResidentNumber: x.ResidentNumber, Name: x.Name,
		NameKana: x.NameKana, CardID: x.CardID, NoticeNumber: x.NoticeNumber, Reason: x.Reason,
		ReasonLabel: reissue.ReasonLabel(x.Reason), ReasonDetail: x.ReasonDetail, Chargeable: x.Chargeable,
		FreeReason: x.FreeReason, FreeDetail: x.FreeDetail, Certificate: x.Certificate, FastTrack: x.FastTrack,
		FeeType: x.FeeType, CardAmount: x.CardAmount, CertificateAmount: x.CertificateAmount, Amount: x.Amount,
		ReceiptNumber: x.ReceiptNumber, ReceivedOn: x.ReceivedOn, CreatedAt: x.CreatedAt.In(h.Loc),
		Staff: x.Actor, Voided: x.Voided}
	if x.Voided {
		out.Void = &voidJSON{Reason: x.VoidReason, VoidedOn: x.VoidedOn, VoidedAt: x.VoidedAt.In(h.Loc), Staff: x.Voider}
	}
	return out
}

func (h *ReissueHandlers) reissuesOut(xs []store.Reissue) []reissueJSON {
	out := make([]reissueJSON, len(xs))
	for i, x := range xs {
		out[i] = h.reissueOut(x)
	}
	return out
}

type reissueRequest struct {
	CardID         int64  `json:"card_id"`
	NoticeNumber   string `json:"notice_number"`
	ResidentNumber string `json:"resident_number"`
	Reason         string `json:"reason"`
	ReasonDetail   string `json:"reason_detail"`
	Chargeable     bool   `json:"chargeable"`
	FreeReason     string `json:"free_reason"`
	FreeDetail     string `json:"free_detail"`
	Certificate    bool   `json:"certificate"`
	FastTrack      bool   `json:"fast_track"`
	RequestKey     string `json:"request_key"`
}

func (h *ReissueHandlers) register(w http.ResponseWriter, r *http.Request) {
	var q reissueRequest
	if err := decode(w, r, &q); err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	x, err := h.Reissue.Register(r.Context(), p, route.MetaOf(r), reissue.Input{CardID: q.CardID,
		NoticeNumber: q.NoticeNumber, ResidentNumber: q.ResidentNumber, Reason: q.Reason, ReasonDetail: q.ReasonDetail,
		Chargeable: q.Chargeable, FreeReason: q.FreeReason, FreeDetail: q.FreeDetail, Certificate: q.Certificate,
		FastTrack: q.FastTrack, RequestKey: q.RequestKey})
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, h.reissueOut(x))
}

func (h *ReissueHandlers) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, _ := route.PrincipalOf(r)
	xs, err := h.Reissue.List(r.Context(), p, route.MetaOf(r), reissue.Filter{ResidentNumber: q.Get("resident_number"), From: q.Get("from"), To: q.Get("to"),
		Reason: q.Get("reason"), FeeType: q.Get("fee_type"), Status: q.Get("status")})
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"reissues": h.reissuesOut(xs)})
}

func reissueID(r *http.Request, msg string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, msg)
	}
	return id, nil
}

func (h *ReissueHandlers) get(w http.ResponseWriter, r *http.Request) {
	id, err := reissueID(r, "再交付の記録が見つかりません。")
	var x store.Reissue
	if err == nil {
		p, _ := route.PrincipalOf(r)
		x, err = h.Reissue.Get(r.Context(), p, route.MetaOf(r), id)
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, h.reissueOut(x))
}

func (h *ReissueHandlers) void(w http.ResponseWriter, r *http.Request) {
	var q struct {
		Reason string `json:"reason"`
	}
	id, err := reissueID(r, "再交付の記録が見つかりません。")
	if err == nil {
		err = decode(w, r, &q)
	}
	var x store.Reissue
	if err == nil {
		p, _ := route.PrincipalOf(r)
		x, err = h.Reissue.Void(r.Context(), p, route.MetaOf(r), id, q.Reason)
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, h.reissueOut(x))
}

func (h *ReissueHandlers) history(w http.ResponseWriter, r *http.Request) {
	id, err := reissueID(r, "住民が見つかりません。")
	var hist reissue.History
	if err == nil {
		p, _ := route.PrincipalOf(r)
		hist, err = h.Reissue.History(r.Context(), p, route.MetaOf(r), id)
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"resident_id": hist.Resident.ID,
		"resident_number": hist.Resident.ResidentNumber, "name": hist.Resident.Name,
		"reissues": h.reissuesOut(hist.Reissues)})
}

type lineJSON struct {
	FeeType               string `json:"fee_type,omitempty"`
	Label                 string `json:"label"`
	Count                 int    `json:"count"`
	CardAmount            int    `json:"card_amount"`
	CertificateAmount     int    `json:"certificate_amount"`
	Amount                int    `json:"amount"`
	VoidCount             int    `json:"void_count"`
	VoidCardAmount        int    `json:"void_card_amount"`
	VoidCertificateAmount int    `json:"void_certificate_amount"`
	VoidAmount            int    `json:"void_amount"`
	NetCount              int    `json:"net_count"`
	Net                   int    `json:"net"`
}

func lineOut(l reissue.Line) lineJSON {
	return lineJSON{FeeType: l.FeeType, Label: l.Label, Count: l.Count, CardAmount: l.CardAmount,
		CertificateAmount: l.CertificateAmount, Amount: l.Amount, VoidCount: l.VoidCount,
		VoidCardAmount: l.VoidCardAmount, VoidCertificateAmount: l.VoidCertificateAmount,
		VoidAmount: l.VoidAmount, NetCount: l.NetCount, Net: l.Net}
}

func (h *ReissueHandlers) report(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	rep, err := h.Reissue.Report(r.Context(), p, route.MetaOf(r), r.URL.Query().Get("date"))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	lines := make([]lineJSON, len(rep.Lines))
	for i, l := range rep.Lines {
		lines[i] = lineOut(l)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"date": rep.Date, "received": h.reissuesOut(rep.Received),
		"voids": h.reissuesOut(rep.Voids), "lines": lines, "total": lineOut(rep.Total)})
}

func (h *ReissueHandlers) reportCSV(w http.ResponseWriter, r *http.Request) {
	enc, ok := export.ParseEncoding(r.URL.Query().Get("encoding"))
	if !ok {
		WriteError(w, r, invalid("encoding", "encoding は utf-8 か cp932 を指定してください。"))
		return
	}
	date := r.URL.Query().Get("date")
	export.SetHeaders(w.Header(), "reissue-fees-"+date+".csv", enc)
	p, _ := route.PrincipalOf(r)
	if err := h.Reissue.ExportReport(r.Context(), p, route.MetaOf(r), date, enc, w); err != nil {
		w.Header().Del("Content-Disposition")
		WriteError(w, r, err)
	}
}

// codes lists the reasons, free reasons and fee types with their labels.
func (h *ReissueHandlers) codes(w http.ResponseWriter, r *http.Request) {
	type code struct {
		Code  string `json:"code"`
		Label string `json:"label"`
		Free  string `json:"usually_free_by,omitempty"`
	}
	var reasons, free, types []code
	for _, x := range reissue.Reasons() {
		reasons = append(reasons, code{x.Code, x.Label, x.FreeBy})
	}
	for _, x := range reissue.FreeReasons() {
		free = append(free, code{Code: x.Code, Label: x.Label})
	}
	for _, t := range reissue.FeeTypes() {
		types = append(types, code{Code: t, Label: reissue.FeeTypeLabel(t)})
	}
	WriteJSON(w, http.StatusOK, map[string]any{"reasons": reasons, "free_reasons": free, "fee_types": types})
}

func (h *ReissueHandlers) fees(w http.ResponseWriter, r *http.Request) {
	f, err := h.Reissue.Fees(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, f)
}

// saveFees replaces the whole document. Every amount must be given: 0 is
// a valid fee, so a field left out must not silently become one.
func (h *ReissueHandlers) saveFees(w http.ResponseWriter, r *http.Request) {
	var q struct {
		Card            *int `json:"card"`
		Certificate     *int `json:"certificate"`
		FastTrack       *int `json:"fast_track"`
		FastTrackNoCert *int `json:"fast_track_without_certificate"`
	}
	if err := decode(w, r, &q); err != nil {
		WriteError(w, r, err)
		return
	}
	var f reissue.Fees
	var missing apperr.Fields
	for _, a := range []struct {
		field string
		src   *int
		dst   *int
	}{{"card", q.Card, &f.Card}, {"certificate", q.Certificate, &f.Certificate}, {"fast_track", q.FastTrack, &f.FastTrack},
		{"fast_track_without_certificate", q.FastTrackNoCert, &f.FastTrackNoCert}} {
		if a.src == nil {
			missing.Add(a.field, "金額を指定してください。")
			continue
		}
		*a.dst = *a.src
	}
	if len(missing) > 0 {
		WriteError(w, r, apperr.WithFields("手数料の設定に誤りがあります。", missing))
		return
	}
	p, _ := route.PrincipalOf(r)
	if err := h.Reissue.SaveFees(r.Context(), p, route.MetaOf(r), f); err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, f)
}
