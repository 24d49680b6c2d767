package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/reissue"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/scan"
	"github.com/kofu-oss/kofu/internal/store"
)

// RegisterReissues adds the reissue (再交付) and fee pages, and shows each
// resident's reissues on the card page.
func (ui *UI) RegisterReissues(rt *route.Router, svc *reissue.Service) {
	ui.reissues = svc
	p := reissuePages{ui: ui, svc: svc}
	rt.Handle("GET /staff/reissues", route.AnyStaff, p.list)
	rt.Handle("GET /staff/reissues/new", route.Staff, p.newForm)
	rt.Handle("POST /staff/reissues", route.Staff, p.register)
	rt.Handle("GET /staff/reissues/report", route.AnyStaff, p.report)
	rt.Handle("GET /staff/reissues/report.csv", route.AnyStaff, p.reportCSV)
	rt.Handle("GET /staff/reissues/{id}", route.AnyStaff, p.detail)
	rt.Handle("POST /staff/reissues/{id}/void", route.Staff, p.void)
	rt.Handle("GET /staff/residents/{id}/reissues", route.AnyStaff, p.history)
	rt.Handle("GET /staff/settings/reissue-fees", route.Admin, p.settings)
	rt.Handle("POST /staff/settings/reissue-fees", route.Admin, p.saveSettings)
}

type reissuePages struct {
	ui  *UI
	svc *reissue.Service
}

// reissueRow is a reissue as the pages show it: labels, yen amounts and
// the name with the city's 外字 table applied.
type reissueRow struct {
	store.Reissue
	DisplayName     string
	ReasonLabel     string
	FreeReasonLabel string
	FeeTypeLabel    string
	Yen             string
}

func (ui *UI) reissueRows(r *http.Request, xs []store.Reissue) []reissueRow {
	m, _ := ui.Gaiji.Map(r.Context())
	out := make([]reissueRow, len(xs))
	for i, x := range xs {
		out[i] = reissueRow{Reissue: x, DisplayName: moji.ApplyGaiji(x.Name, m), ReasonLabel: reissue.ReasonLabel(x.Reason),
			FreeReasonLabel: reissue.FreeReasonLabel(x.FreeReason), FeeTypeLabel: reissue.FeeTypeLabel(x.FeeType), Yen: reissue.Yen(x.Amount)}
	}
	return out
}

func isStaff(r *http.Request) bool {
	p, _ := route.PrincipalOf(r)
	return auth.AtLeast(p.Role, auth.RoleStaff)
}

type reissueOption struct{ Code, Label string }

type reissueListView struct {
	Query    url.Values
	Rows     []reissueRow
	Total    string
	Reasons  []reissue.Reason
	FeeTypes []reissueOption
	CanEdit  bool
}

func feeTypeOptions() []reissueOption {
	var out []reissueOption
	for _, t := range reissue.FeeTypes() {
		out = append(out, reissueOption{t, reissue.FeeTypeLabel(t)})
	}
	return out
}

// list shows the reissues received in a date range (this month's so far
// by default).
func (p reissuePages) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !q.Has("from") && !q.Has("to") {
		today := p.svc.Today()
		q.Set("from", today[:8]+"01")
		q.Set("to", today)
	}
	v := reissueListView{Query: q, Reasons: reissue.Reasons(), FeeTypes: feeTypeOptions(), CanEdit: isStaff(r)}
	pr, _ := route.PrincipalOf(r)
	xs, err := p.svc.List(r.Context(), pr, route.MetaOf(r), reissue.Filter{From: q.Get("from"), To: q.Get("to"),
		Reason: q.Get("reason"), FeeType: q.Get("fee_type"), Status: q.Get("status")})
	if err != nil {
		p.ui.render(w, r, statusFor(err), "reissues", withError(view{Title: "再交付の一覧", Data: v}, err))
		return
	}
	v.Rows = p.ui.reissueRows(r, xs)
	total := 0
	for _, x := range xs {
		if !x.Voided {
			total += x.Amount
		}
	}
	v.Total = reissue.Yen(total)
	p.ui.render(w, r, http.StatusOK, "reissues", view{Title: "再交付の一覧", Data: v})
}

// reissueForm is what the registration form shows and keeps.
type reissueForm struct {
	CardID      int64
	Key         string // 宛名番号 or 交付通知書番号
	Reason      string
	Detail      string
	Charge      string // "paid" or "free"
	FreeReason  string
	FreeDetail  string
	Certificate bool
	FastTrack   bool
	RequestKey  string
}

type reissueFormView struct {
	Form        reissueForm
	Card        *cardView
	Reasons     []reissue.Reason
	FreeReasons []reissue.FreeReason
	Fees        reissue.Fees
	FeeRows     []reissueOption
}

func newRequestKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (p reissuePages) newForm(w http.ResponseWriter, r *http.Request) {
	f := reissueForm{Charge: "paid", Certificate: true, RequestKey: newRequestKey()}
	f.CardID, _ = strconv.ParseInt(r.URL.Query().Get("card_id"), 10, 64)
	p.renderForm(w, r, http.StatusOK, view{}, f)
}

func (p reissuePages) renderForm(w http.ResponseWriter, r *http.Request, status int, v view, f reissueForm) {
	fees, err := p.svc.Fees(r.Context())
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	data := reissueFormView{Form: f, Reasons: reissue.Reasons(), FreeReasons: reissue.FreeReasons(), Fees: fees}
	for _, c := range []struct {
		cert, fast bool
	}{{true, false}, {false, false}, {true, true}, {false, true}} {
		ch := fees.Compute(true, c.cert, c.fast)
		data.FeeRows = append(data.FeeRows, reissueOption{reissue.FeeTypeLabel(ch.FeeType), reissue.Yen(ch.Amount)})
	}
	if f.CardID != 0 {
		pr, _ := route.PrincipalOf(r)
		d, err := p.ui.Ledger.Get(r.Context(), pr, route.MetaOf(r), f.CardID)
		if err != nil {
			p.ui.ErrorPage(w, r, err)
			return
		}
		c := p.ui.cardViews(r, []store.CardRecord{d.Card})[0]
		data.Card = &c
	}
	v.Title, v.Data = "再交付の登録", data
	p.ui.render(w, r, status, "reissue_new", v)
}

func readReissueForm(r *http.Request) reissueForm {
	f := reissueForm{Key: strings.TrimSpace(r.PostFormValue("key")), Reason: r.PostFormValue("reason"),
		Detail: r.PostFormValue("reason_detail"), Charge: r.PostFormValue("charge"), FreeReason: r.PostFormValue("free_reason"),
		FreeDetail: r.PostFormValue("free_detail"), Certificate: r.PostFormValue("certificate") == "1",
		FastTrack: r.PostFormValue("fast_track") == "1", RequestKey: r.PostFormValue("request_key")}
	f.CardID, _ = strconv.ParseInt(r.PostFormValue("card_id"), 10, 64)
	return f
}

// input turns the form into the service's input. The one key field takes
// a 交付通知書番号 (typed or scanned) or a 宛名番号.
func (f reissueForm) input() reissue.Input {
	in := reissue.Input{CardID: f.CardID, Reason: f.Reason, ReasonDetail: f.Detail, Chargeable: f.Charge == "paid",
		FreeReason: f.FreeReason, FreeDetail: f.FreeDetail, Certificate: f.Certificate, FastTrack: f.FastTrack,
		RequestKey: f.RequestKey}
	if in.Chargeable {
		in.FreeReason, in.FreeDetail = "", "" // left in the hidden-by-choice fields
	}
	if f.CardID == 0 && f.Key != "" {
		if n := scan.NoticeNumber(f.Key); n != "" {
			in.NoticeNumber = n
		} else {
			in.ResidentNumber = f.Key
		}
	}
	return in
}

func (p reissuePages) register(w http.ResponseWriter, r *http.Request) {
	f := readReissueForm(r)
	var err error
	if f.Charge != "paid" && f.Charge != "free" {
		err = apperr.WithFields("再交付の内容に誤りがあります。", []apperr.FieldError{{Field: "charge", Message: "有料か無料かを選んでください。"}})
	}
	var x store.Reissue
	if err == nil {
		pr, _ := route.PrincipalOf(r)
		x, err = p.svc.Register(r.Context(), pr, route.MetaOf(r), f.input())
	}
	if err != nil {
		v := withError(view{}, err)
		for _, k := range []string{"notice_number", "resident_number"} {
			if m, ok := v.Fields[k]; ok && f.CardID == 0 {
				v.Fields["key"] = m
			}
		}
		p.renderForm(w, r, statusFor(err), v, f)
		return
	}
	http.Redirect(w, r, "/staff/reissues/"+strconv.FormatInt(x.ID, 10)+"?done=registered", http.StatusSeeOther)
}

type reissueDetailView struct {
	Row     reissueRow
	CanEdit bool
}

func (p reissuePages) detail(w http.ResponseWriter, r *http.Request) {
	notice := map[string]string{"registered": "再交付を登録しました。", "voided": "取り消しました。"}[r.URL.Query().Get("done")]
	p.renderDetail(w, r, http.StatusOK, view{Notice: notice})
}

func (p reissuePages) renderDetail(w http.ResponseWriter, r *http.Request, status int, v view) {
	id, err := pathID(r, "再交付の記録が見つかりません。")
	var x store.Reissue
	if err == nil {
		pr, _ := route.PrincipalOf(r)
		x, err = p.svc.Get(r.Context(), pr, route.MetaOf(r), id)
	}
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	v.Title = "再交付"
	if x.ReceiptNumber != "" {
		v.Title = "再交付 " + x.ReceiptNumber
	}
	v.Data = reissueDetailView{Row: p.ui.reissueRows(r, []store.Reissue{x})[0], CanEdit: isStaff(r)}
	p.ui.render(w, r, status, "reissue", v)
}

func pathID(r *http.Request, msg string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, msg)
	}
	return id, nil
}

func (p reissuePages) void(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "再交付の記録が見つかりません。")
	if err == nil {
		pr, _ := route.PrincipalOf(r)
		_, err = p.svc.Void(r.Context(), pr, route.MetaOf(r), id, r.PostFormValue("void_reason"))
	}
	if err != nil {
		p.renderDetail(w, r, statusFor(err), withError(view{}, err))
		return
	}
	http.Redirect(w, r, "/staff/reissues/"+strconv.FormatInt(id, 10)+"?done=voided", http.StatusSeeOther)
}

type reissueHistoryView struct {
	Resident    store.Resident
	DisplayName string
	Rows        []reissueRow
	CardID      int64
	CanEdit     bool
}

func (p reissuePages) history(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "住民が見つかりません。")
	var h reissue.History
	if err == nil {
		pr, _ := route.PrincipalOf(r)
		h, err = p.svc.History(r.Context(), pr, route.MetaOf(r), id)
	}
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	m, _ := p.ui.Gaiji.Map(r.Context())
	v := reissueHistoryView{Resident: h.Resident, DisplayName: moji.ApplyGaiji(h.Resident.Name, m),
		Rows: p.ui.reissueRows(r, h.Reissues), CanEdit: isStaff(r)}
	v.CardID, _ = strconv.ParseInt(r.URL.Query().Get("card_id"), 10, 64)
	p.ui.render(w, r, http.StatusOK, "reissue_history", view{Title: "再交付の履歴", Data: v})
}

// cardReissues is the card page's section: the resident's reissues.
type cardReissues struct {
	ResidentID int64
	Rows       []reissueRow
}

// cardReissuesFor reads the reissues of the card's resident for the card
// page (nil when the reissue pages are not registered).
func (ui *UI) cardReissuesFor(r *http.Request, residentID int64) (*cardReissues, error) {
	if ui.reissues == nil {
		return nil, nil
	}
	pr, _ := route.PrincipalOf(r)
	h, err := ui.reissues.History(r.Context(), pr, route.MetaOf(r), residentID)
	if err != nil {
		return nil, err
	}
	return &cardReissues{ResidentID: residentID, Rows: ui.reissueRows(r, h.Reissues)}, nil
}
