package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
)

// workflowPages are the staff pages for cards nobody has picked up yet:
// notices, returns, re-notices, disposal, its rules, and the dashboard.
type workflowPages struct {
	ui *UI
	wf *ledger.Workflows
}

// RegisterWorkflows adds the workflow pages: viewers may read, staff may
// act, admins set the disposal rules.
func (ui *UI) RegisterWorkflows(rt *route.Router, wf *ledger.Workflows) {
	p := &workflowPages{ui: ui, wf: wf}
	rt.Handle("GET /staff/dashboard", route.AnyStaff, p.dashboard)
	rt.Handle("GET /staff/notices", route.AnyStaff, p.notices)
	rt.Handle("POST /staff/notices", route.Staff, p.sendNotices)
	rt.Handle("GET /staff/returns", route.AnyStaff, p.returns)
	rt.Handle("GET /staff/returns/print", route.AnyStaff, p.print(ledger.ListReturns))
	rt.Handle("GET /staff/renotices", route.AnyStaff, p.renotices)
	rt.Handle("POST /staff/renotices", route.Staff, p.sendRenotices)
	rt.Handle("GET /staff/renotices/export.csv", route.AnyStaff, p.export(ledger.ListRenotices))
	rt.Handle("GET /staff/renotices/print", route.AnyStaff, p.print(ledger.ListRenotices))
	rt.Handle("GET /staff/disposals", route.AnyStaff, p.disposals)
	rt.Handle("GET /staff/disposals/export.csv", route.AnyStaff, p.export(ledger.ListDisposals))
	rt.Handle("GET /staff/disposals/print", route.AnyStaff, p.print(ledger.ListDisposals))
	rt.Handle("GET /staff/cards/{id}/workflow", route.AnyStaff, p.card)
	rt.Handle("POST /staff/cards/{id}/notice", route.Staff, p.sendNotice)
	rt.Handle("POST /staff/cards/{id}/return", route.Staff, p.recordReturn)
	rt.Handle("POST /staff/cards/{id}/resend", route.Staff, p.resend)
	rt.Handle("POST /staff/cards/{id}/renotice", route.Staff, p.renotice)
	rt.Handle("POST /staff/cards/{id}/disposal/propose", route.Staff, p.propose)
	rt.Handle("POST /staff/cards/{id}/disposal/confirm", route.Staff, p.confirm)
	rt.Handle("POST /staff/cards/{id}/disposal/hold", route.Staff, p.hold)
	rt.Handle("POST /staff/cards/{id}/disposal/release", route.Staff, p.release)
	rt.Handle("GET /staff/settings/disposal", route.Admin, p.settingsPage)
	rt.Handle("POST /staff/settings/disposal", route.Admin, p.saveSettings)
}

// wfRow is a card of a workflow list as the pages show it: the name with
// the city's 外字 table applied, and plain words for codes.
type wfRow struct {
	ledger.Item
	DisplayName string
	Unmapped    bool // the name still holds 外字 the table does not know
}

// RuleLabel is why the card is due for disposal.
func (r wfRow) RuleLabel() string { return ledger.RuleLabel(r.Assessment.DisposalRule) }

// DueText is the day the card is due for disposal, or 即時.
func (r wfRow) DueText() string { return ledger.DueText(r.Assessment.DisposalDueFrom) }

// MethodLabel names the planned or chosen disposal method.
func (r wfRow) MethodLabel() string {
	if r.Disposal == nil {
		return ""
	}
	return ledger.DisposalMethod(r.Disposal.Method).Label()
}

// rows dresses the items for a page. The items carry their flags already,
// so only the names are looked up (as cardViews does).
func (p *workflowPages) rows(r *http.Request, items []ledger.Item) []wfRow {
	m, _ := p.ui.Gaiji.Map(r.Context())
	out := make([]wfRow, len(items))
	for i, it := range items {
		shown := moji.ApplyGaiji(it.Card.Resident.Name, m)
		out[i] = wfRow{Item: it, DisplayName: shown, Unmapped: moji.HasPUA(shown)}
	}
	return out
}

// wfList is a workflow list page's data.
type wfList struct {
	Rows   []wfRow
	Total  int
	Today  string
	Prev   string
	Next   string
	Date   string // default date of the batch form
	Result *ledger.BatchResult
	CanAct bool
}

func (p *workflowPages) listView(r *http.Request, path string, l ledger.ItemList) wfList {
	v := wfList{Rows: p.rows(r, l.Items), Total: l.Total, Today: l.Today, Date: l.Today, CanAct: canAct(r)}
	q := r.URL.Query()
	if l.Offset > 0 {
		v.Prev = withOffset(path, q, max(0, l.Offset-l.Limit))
	}
	if l.Limit > 0 && l.Offset+len(l.Items) < l.Total {
		v.Next = withOffset(path, q, l.Offset+l.Limit)
	}
	return v
}

func canAct(r *http.Request) bool {
	p, _ := route.PrincipalOf(r)
	return p.Role != "viewer"
}

func pageQuery(r *http.Request) ledger.ListQuery {
	off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	return ledger.ListQuery{Offset: max(off, 0)}
}

// chosenCards reads the cards ticked in a list form. "all" takes every
// card of the page, so a wave needs no script to select.
func chosenCards(r *http.Request) []int64 {
	r.ParseForm()
	field := "card"
	if r.PostForm.Get("all") == "1" {
		field = "page_card"
	}
	var ids []int64
	for _, v := range r.PostForm[field] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// wfCardView is the data of a card's workflow page.
type wfCardView struct {
	ledger.CardWorkflow
	Row           wfRow
	Reasons       []ledger.ReturnReason
	Methods       []ledger.DisposalMethod
	CanEdit       bool
	ProposedByMe  bool
	ConfirmMethod string            // preselected at confirmation
	Step          string            // the form that was sent and refused
	Input         url.Values        // what was typed there, shown again
	Errs          map[string]string // its field messages, by "step.field"
}

// Kind names a posting's kind in Japanese.
func (v wfCardView) Kind(kind string) string {
	return map[string]string{store.PostingNotice: "発送", store.PostingResend: "再送付",
		store.PostingRenotice: "再通知", store.PostingReturn: "返戻"}[kind]
}

// ReasonLabel names a return reason.
func (v wfCardView) ReasonLabel(reason string) string { return ledger.ReturnReason(reason).Label() }

// Value is what was typed in a field of the step's form, or def.
func (v wfCardView) Value(step, field, def string) string {
	if s := v.Input.Get(field); step == v.Step && s != "" {
		return s
	}
	return def
}

var workflowNotices = map[string]string{
	"notice":   "発送を記録しました。",
	"return":   "返戻を記録しました。",
	"resend":   "再送付を記録しました。",
	"renotice": "再通知を記録しました。",
	"propose":  "廃棄を起案しました。別の職員が確認すると廃棄済みになります。",
	"confirm":  "廃棄を記録しました。このカードはこれ以上変更できません。",
	"hold":     "廃棄を保留しました。",
	"release":  "廃棄の保留を解除しました。",
}

func (p *workflowPages) card(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	pr, _ := route.PrincipalOf(r)
	cw, err := p.wf.Card(r.Context(), pr, route.MetaOf(r), id)
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	p.renderCard(w, r, http.StatusOK, view{Notice: workflowNotices[r.URL.Query().Get("done")]}, cw, "", nil)
}

// renderCard shows a card's workflow page; after a refused step, the
// step's form shows what was typed and the messages of its fields.
func (p *workflowPages) renderCard(w http.ResponseWriter, r *http.Request, status int, v view, cw ledger.CardWorkflow,
	step string, input url.Values) {
	pr, _ := route.PrincipalOf(r)
	cv := wfCardView{CardWorkflow: cw, Row: p.rows(r, []ledger.Item{cw.Item})[0], Reasons: ledger.AllReturnReasons(),
		Methods: ledger.AllDisposalMethods(), CanEdit: pr.Role != "viewer", Step: step, Input: input,
		Errs: map[string]string{}}
	for field, msg := range v.Fields {
		cv.Errs[step+"."+field] = msg
	}
	if d := cw.Disposal; d != nil {
		cv.ProposedByMe = (d.ProposerID != 0 && d.ProposerID == pr.UserID) || d.Proposer == pr.Username
		cv.ConfirmMethod = d.Method
	}
	v.Title, v.Data = "通知・返戻・廃棄", cv
	p.ui.render(w, r, status, "card_workflow", v)
}

// cardStep runs a step from a card's workflow page: on success it shows the
// page again after a redirect, on failure with the message and what was
// typed.
func (p *workflowPages) cardStep(w http.ResponseWriter, r *http.Request, done string,
	fn func(pr auth.Principal, id int64, version int) (ledger.CardWorkflow, error)) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	pr, _ := route.PrincipalOf(r)
	if _, err := fn(pr, id, version); err != nil {
		cw, gerr := p.wf.Card(r.Context(), pr, route.MetaOf(r), id)
		if gerr != nil {
			p.ui.ErrorPage(w, r, err)
			return
		}
		p.renderCard(w, r, statusFor(err), withError(view{}, err), cw, done, r.PostForm)
		return
	}
	http.Redirect(w, r, "/staff/cards/"+strconv.FormatInt(id, 10)+"/workflow?done="+done, http.StatusSeeOther)
}

func (p *workflowPages) sendNotice(w http.ResponseWriter, r *http.Request) {
	p.cardStep(w, r, "notice", func(pr auth.Principal, id int64, version int) (ledger.CardWorkflow, error) {
		return p.wf.SendNotice(r.Context(), pr, route.MetaOf(r), id, version, r.PostFormValue("date"))
	})
}

func (p *workflowPages) recordReturn(w http.ResponseWriter, r *http.Request) {
	p.cardStep(w, r, "return", func(pr auth.Principal, id int64, version int) (ledger.CardWorkflow, error) {
		return p.wf.RecordReturn(r.Context(), pr, route.MetaOf(r), id, ledger.ReturnInput{Date: r.PostFormValue("date"),
			Reason: ledger.ReturnReason(r.PostFormValue("reason")), Note: r.PostFormValue("note"), Version: version})
	})
}

func (p *workflowPages) resend(w http.ResponseWriter, r *http.Request) {
	p.cardStep(w, r, "resend", func(pr auth.Principal, id int64, version int) (ledger.CardWorkflow, error) {
		return p.wf.Resend(r.Context(), pr, route.MetaOf(r), id, ledger.ResendInput{Date: r.PostFormValue("date"),
			PostalCode: r.PostFormValue("postal_code"), Address: r.PostFormValue("address"), Note: r.PostFormValue("note"),
			Version: version})
	})
}

func (p *workflowPages) renotice(w http.ResponseWriter, r *http.Request) {
	p.cardStep(w, r, "renotice", func(pr auth.Principal, id int64, version int) (ledger.CardWorkflow, error) {
		return p.wf.SendRenotice(r.Context(), pr, route.MetaOf(r), id, version, r.PostFormValue("date"))
	})
}

func (p *workflowPages) propose(w http.ResponseWriter, r *http.Request) {
	p.cardStep(w, r, "propose", func(pr auth.Principal, id int64, version int) (ledger.CardWorkflow, error) {
		return p.wf.ProposeDisposal(r.Context(), pr, route.MetaOf(r), id, ledger.ProposeInput{
			Method: ledger.DisposalMethod(r.PostFormValue("method")), Note: r.PostFormValue("note"), Version: version})
	})
}

func (p *workflowPages) confirm(w http.ResponseWriter, r *http.Request) {
	p.cardStep(w, r, "confirm", func(pr auth.Principal, id int64, version int) (ledger.CardWorkflow, error) {
		return p.wf.ConfirmDisposal(r.Context(), pr, route.MetaOf(r), id, ledger.ConfirmInput{Date: r.PostFormValue("date"),
			Method: ledger.DisposalMethod(r.PostFormValue("method")), Note: r.PostFormValue("note"), Version: version})
	})
}

func (p *workflowPages) hold(w http.ResponseWriter, r *http.Request) {
	p.cardStep(w, r, "hold", func(pr auth.Principal, id int64, version int) (ledger.CardWorkflow, error) {
		return p.wf.HoldDisposal(r.Context(), pr, route.MetaOf(r), id, ledger.HoldInput{Reason: r.PostFormValue("reason"),
			Until: r.PostFormValue("until"), Version: version})
	})
}

func (p *workflowPages) release(w http.ResponseWriter, r *http.Request) {
	p.cardStep(w, r, "release", func(pr auth.Principal, id int64, version int) (ledger.CardWorkflow, error) {
		return p.wf.ReleaseHold(r.Context(), pr, route.MetaOf(r), id, version)
	})
}

// printedAt is when a print view was made, in the city's zone.
func (p *workflowPages) printedAt() string {
	return p.wf.Today(p.wf.Location()).Format("2006-01-02 15:04")
}
