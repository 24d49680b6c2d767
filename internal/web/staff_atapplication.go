package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/route"
)

// atAppPages are the staff pages of 申請時来庁方式: the application visit
// and the card's registered mailings.
type atAppPages struct {
	ui *UI
	wf *ledger.Workflows
}

// RegisterAtApplication adds the 申請時来庁 pages: viewers may read a
// card's mailings, staff record the visit and the mailings.
func (ui *UI) RegisterAtApplication(rt *route.Router, wf *ledger.Workflows) {
	p := &atAppPages{ui: ui, wf: wf}
	rt.Handle("GET /staff/atapp/visit", route.Staff, p.visitForm)
	rt.Handle("POST /staff/atapp/visit", route.Staff, p.recordVisit)
	rt.Handle("GET /staff/cards/{id}/atapp", route.AnyStaff, p.card)
	rt.Handle("POST /staff/cards/{id}/atapp/mail", route.Staff, p.mail)
	rt.Handle("POST /staff/cards/{id}/atapp/delivered", route.Staff, p.delivered)
	rt.Handle("POST /staff/cards/{id}/atapp/returned", route.Staff, p.returned)
	rt.Handle("POST /staff/cards/{id}/atapp/pickup", route.Staff, p.pickup)
}

// atAppVisitView is the data of the visit form.
type atAppVisitView struct {
	Today string
	Input url.Values
	Items []string
}

// Value is what was typed in a field, or def.
func (v atAppVisitView) Value(field, def string) string {
	if s := v.Input.Get(field); s != "" {
		return s
	}
	return def
}

// Ticked reports whether a checkbox was ticked in the form sent.
func (v atAppVisitView) Ticked(field, value string) bool {
	for _, s := range v.Input[field] {
		if s == value {
			return true
		}
	}
	return false
}

// ItemLabel names an item handed back.
func (atAppVisitView) ItemLabel(item string) string { return ledger.HandBackLabel(item) }

func (p *atAppPages) visitForm(w http.ResponseWriter, r *http.Request) {
	v := view{}
	if r.URL.Query().Get("done") != "" {
		v.Notice = "申請時来庁の記録を登録しました。カードが届いたら、カードの画面から郵送を記録してください。"
	}
	p.renderVisit(w, r, http.StatusOK, v, nil)
}

func (p *atAppPages) renderVisit(w http.ResponseWriter, r *http.Request, status int, v view, input url.Values) {
	v.Title = "申請時来庁の記録"
	v.Data = atAppVisitView{Today: p.wf.Today(p.wf.Location()).Format("2006-01-02"), Input: input, Items: ledger.HandBackItems()}
	p.ui.render(w, r, status, "atapp_visit", v)
}

func (p *atAppPages) recordVisit(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	pr, _ := route.PrincipalOf(r)
	in := ledger.VisitInput{ApplicationID: r.PostForm.Get("application_id"), Date: r.PostForm.Get("date"),
		IdentityChecked: r.PostForm.Get("identity_checked") == "1", IdentityDocument: r.PostForm.Get("identity_document"),
		PINFormReceived: r.PostForm.Get("pin_form_received") == "1", ItemsReturned: r.PostForm["items_returned"],
		Note: r.PostForm.Get("note")}
	if _, err := p.wf.RecordVisit(r.Context(), pr, route.MetaOf(r), in); err != nil {
		p.renderVisit(w, r, statusFor(err), withError(view{}, err), r.PostForm)
		return
	}
	http.Redirect(w, r, "/staff/atapp/visit?done=1", http.StatusSeeOther)
}

// atAppCardView is the data of a card's 申請時来庁 page.
type atAppCardView struct {
	ledger.AtApplication
	DisplayName string
	Reasons     []ledger.ReturnReason
	CanEdit     bool
	Step        string
	Input       url.Values
	Errs        map[string]string
}

// Value is what was typed in a field of the step's form, or def.
func (v atAppCardView) Value(step, field, def string) string {
	if s := v.Input.Get(field); step == v.Step && s != "" {
		return s
	}
	return def
}

// ReasonLabel names a return reason.
func (atAppCardView) ReasonLabel(reason string) string { return ledger.ReturnReason(reason).Label() }

// ItemLabel names an item handed back.
func (atAppCardView) ItemLabel(item string) string { return ledger.HandBackLabel(item) }

// OutcomeLabel names how a mailing ended.
func (atAppCardView) OutcomeLabel(outcome string) string {
	return map[string]string{"": "配達待ち", "delivered": "配達済（交付）", "returned": "返戻"}[outcome]
}

var atAppNotices = map[string]string{
	"mail":      "郵送を記録しました。",
	"delivered": "配達を記録しました。カードは交付済みです。",
	"returned":  "郵送の返戻を記録しました。",
	"pickup":    "窓口での交付を記録しました。",
}

func (p *atAppPages) card(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	pr, _ := route.PrincipalOf(r)
	a, err := p.wf.AtApplicationCard(r.Context(), pr, route.MetaOf(r), id)
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	p.renderCard(w, r, http.StatusOK, view{Notice: atAppNotices[r.URL.Query().Get("done")]}, a, "", nil)
}

func (p *atAppPages) renderCard(w http.ResponseWriter, r *http.Request, status int, v view, a ledger.AtApplication,
	step string, input url.Values) {
	pr, _ := route.PrincipalOf(r)
	m, _ := p.ui.Gaiji.Map(r.Context())
	cv := atAppCardView{AtApplication: a, DisplayName: moji.ApplyGaiji(a.Card.Resident.Name, m),
		Reasons: ledger.AllReturnReasons(), CanEdit: pr.Role != auth.RoleViewer, Step: step, Input: input,
		Errs: map[string]string{}}
	for field, msg := range v.Fields {
		cv.Errs[step+"."+field] = msg
	}
	v.Title, v.Data = "申請時来庁・郵送", cv
	p.ui.render(w, r, status, "atapp_card", v)
}

// step runs a step from a card's page: on success it shows the page again
// after a redirect, on failure with the message and what was typed.
func (p *atAppPages) step(w http.ResponseWriter, r *http.Request, done string,
	fn func(pr auth.Principal, id int64, version int) (ledger.AtApplication, error)) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	pr, _ := route.PrincipalOf(r)
	if _, err := fn(pr, id, version); err != nil {
		a, gerr := p.wf.AtApplicationCard(r.Context(), pr, route.MetaOf(r), id)
		if gerr != nil {
			p.ui.ErrorPage(w, r, err)
			return
		}
		p.renderCard(w, r, statusFor(err), withError(view{}, err), a, done, r.PostForm)
		return
	}
	http.Redirect(w, r, "/staff/cards/"+strconv.FormatInt(id, 10)+"/atapp?done="+done, http.StatusSeeOther)
}

func (p *atAppPages) mail(w http.ResponseWriter, r *http.Request) {
	p.step(w, r, "mail", func(pr auth.Principal, id int64, version int) (ledger.AtApplication, error) {
		return p.wf.Mail(r.Context(), pr, route.MetaOf(r), id, ledger.MailInput{Date: r.PostFormValue("date"),
			TrackingNumber: r.PostFormValue("tracking_number"), PostalCode: r.PostFormValue("postal_code"),
			Address: r.PostFormValue("address"), Note: r.PostFormValue("note"), Version: version})
	})
}

func (p *atAppPages) delivered(w http.ResponseWriter, r *http.Request) {
	p.step(w, r, "delivered", func(pr auth.Principal, id int64, version int) (ledger.AtApplication, error) {
		return p.wf.MailDelivered(r.Context(), pr, route.MetaOf(r), id, ledger.MailOutcomeInput{
			Date: r.PostFormValue("date"), Note: r.PostFormValue("note"), Version: version})
	})
}

func (p *atAppPages) returned(w http.ResponseWriter, r *http.Request) {
	p.step(w, r, "returned", func(pr auth.Principal, id int64, version int) (ledger.AtApplication, error) {
		return p.wf.MailReturned(r.Context(), pr, route.MetaOf(r), id, ledger.MailOutcomeInput{
			Date: r.PostFormValue("date"), Reason: ledger.ReturnReason(r.PostFormValue("reason")),
			Note: r.PostFormValue("note"), Version: version})
	})
}

func (p *atAppPages) pickup(w http.ResponseWriter, r *http.Request) {
	p.step(w, r, "pickup", func(pr auth.Principal, id int64, version int) (ledger.AtApplication, error) {
		return p.wf.PickUpAtCounter(r.Context(), pr, route.MetaOf(r), id, ledger.PickupInput{
			Date: r.PostFormValue("date"), IdentityDocument: r.PostFormValue("identity_document"),
			Note: r.PostFormValue("note"), Version: version})
	})
}
