package api

import (
	"net/http"
	"time"

	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
)

// AtApplicationHandlers serves 申請時来庁方式: the application visit, the
// registered mailings of the card and how they ended, and the list of
// cards issued on a day.
type AtApplicationHandlers struct {
	Workflows *ledger.Workflows
	Loc       *time.Location // time zone of timestamps in answers; nil: UTC
}

// Register adds the routes: viewers may read, staff may act.
func (h *AtApplicationHandlers) Register(rt *route.Router) {
	rt.Handle("POST /api/v1/application-visits", route.Staff, h.visit)
	rt.Handle("GET /api/v1/cards/{id}/at-application", route.AnyStaff, h.card)
	rt.Handle("POST /api/v1/cards/{id}/mailings", route.Staff, h.mail)
	rt.Handle("POST /api/v1/cards/{id}/mailings/delivered", route.Staff, h.delivered)
	rt.Handle("POST /api/v1/cards/{id}/mailings/returned", route.Staff, h.returned)
	rt.Handle("POST /api/v1/cards/{id}/counter-pickup", route.Staff, h.pickup)
	rt.Handle("GET /api/v1/issued", route.AnyStaff, h.issued)
}

type visitRequest struct {
	ApplicationID    string   `json:"application_id"`
	Date             string   `json:"date"`
	IdentityChecked  bool     `json:"identity_checked"`
	IdentityDocument string   `json:"identity_document"`
	PINFormReceived  bool     `json:"pin_form_received"`
	ItemsReturned    []string `json:"items_returned"`
	Note             string   `json:"note"`
}

func (h *AtApplicationHandlers) visit(w http.ResponseWriter, r *http.Request) {
	var req visitRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	v, err := h.Workflows.RecordVisit(r.Context(), p, route.MetaOf(r), ledger.VisitInput(req))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, h.visitJSON(v))
}

func (h *AtApplicationHandlers) card(w http.ResponseWriter, r *http.Request) {
	id, err := cardID(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	a, err := h.Workflows.AtApplicationCard(r.Context(), p, route.MetaOf(r), id)
	h.write(w, r, a, err)
}

// atAppStep runs a 申請時来庁 step on one card (see cardStep).
func atAppStep[T any](h *AtApplicationHandlers, run func(r *http.Request, id int64, req T) (ledger.AtApplication, error)) http.HandlerFunc {
	return cardStep(run, h.write)
}

type mailRequest struct {
	Date           string `json:"date"`
	TrackingNumber string `json:"tracking_number"`
	PostalCode     string `json:"postal_code"`
	Address        string `json:"address"`
	Note           string `json:"note"`
	Version        int    `json:"version"`
}

func (h *AtApplicationHandlers) mail(w http.ResponseWriter, r *http.Request) {
	atAppStep(h, func(r *http.Request, id int64, req mailRequest) (ledger.AtApplication, error) {
		p, _ := route.PrincipalOf(r)
		return h.Workflows.Mail(r.Context(), p, route.MetaOf(r), id, ledger.MailInput(req))
	})(w, r)
}

type mailOutcomeRequest struct {
	Date    string `json:"date"`
	Reason  string `json:"reason"` // returns only
	Note    string `json:"note"`
	Version int    `json:"version"`
}

func (req mailOutcomeRequest) input() ledger.MailOutcomeInput {
	return ledger.MailOutcomeInput{Date: req.Date, Reason: ledger.ReturnReason(req.Reason), Note: req.Note, Version: req.Version}
}

func (h *AtApplicationHandlers) delivered(w http.ResponseWriter, r *http.Request) {
	atAppStep(h, func(r *http.Request, id int64, req mailOutcomeRequest) (ledger.AtApplication, error) {
		p, _ := route.PrincipalOf(r)
		return h.Workflows.MailDelivered(r.Context(), p, route.MetaOf(r), id, req.input())
	})(w, r)
}

func (h *AtApplicationHandlers) returned(w http.ResponseWriter, r *http.Request) {
	atAppStep(h, func(r *http.Request, id int64, req mailOutcomeRequest) (ledger.AtApplication, error) {
		p, _ := route.PrincipalOf(r)
		return h.Workflows.MailReturned(r.Context(), p, route.MetaOf(r), id, req.input())
	})(w, r)
}

type pickupRequest struct {
	Date             string `json:"date"`
	IdentityDocument string `json:"identity_document"`
	Note             string `json:"note"`
	Version          int    `json:"version"`
}

func (h *AtApplicationHandlers) pickup(w http.ResponseWriter, r *http.Request) {
	atAppStep(h, func(r *http.Request, id int64, req pickupRequest) (ledger.AtApplication, error) {
		p, _ := route.PrincipalOf(r)
		return h.Workflows.PickUpAtCounter(r.Context(), p, route.MetaOf(r), id, ledger.PickupInput(req))
	})(w, r)
}

func (h *AtApplicationHandlers) issued(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	l, err := h.Workflows.IssuedOn(r.Context(), p, route.MetaOf(r), r.URL.Query().Get("date"))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	out := issuedListJSON{Date: l.Date, Cards: make([]issuedCardJSON, len(l.Cards))}
	wf := &WorkflowHandlers{Loc: h.Loc}
	for i, c := range l.Cards {
		out.Cards[i] = issuedCardJSON{Card: wf.wfItemJSON(ledger.Item{Card: c.CardRecord}).Card,
			IssuedAt: wf.stamp(c.IssuedAt), IssuedBy: c.IssuedBy, How: c.Reason}
	}
	WriteJSON(w, http.StatusOK, out)
}

func (h *AtApplicationHandlers) write(w http.ResponseWriter, r *http.Request, a ledger.AtApplication, err error) {
	if err != nil {
		WriteError(w, r, err)
		return
	}
	wf := &WorkflowHandlers{Workflows: h.Workflows, Loc: h.Loc}
	out := atAppJSON{wfCardWorkflowJSON: wf.wfCardWorkflowJSON(a.CardWorkflow), Mailings: make([]mailingJSON, len(a.Mailings)),
		Steps: atAppStepsJSON(a.Steps)}
	if a.Visit != nil {
		v := h.visitJSON(*a.Visit)
		out.Visit = &v
	}
	for i, m := range a.Mailings {
		out.Mailings[i] = mailingJSON{ID: m.ID, Date: m.Date, TrackingNumber: m.TrackingNumber, Outcome: m.Outcome,
			OutcomeDate: m.OutcomeDate, Note: m.Note, Actor: m.Actor, CreatedAt: wf.stamp(m.CreatedAt)}
		if m.ReturnReason != "" {
			out.Mailings[i].ReturnReason = optional(m.ReturnReason)
			out.Mailings[i].ReturnReasonLabel = optional(ledger.ReturnReason(m.ReturnReason).Label())
		}
	}
	WriteJSON(w, http.StatusOK, out)
}

func (h *AtApplicationHandlers) visitJSON(v store.AppVisit) visitJSON {
	items := v.ItemsReturned
	if items == nil {
		items = []string{}
	}
	return visitJSON{ApplicationID: v.ApplicationID, Date: v.Date, IdentityChecked: v.IdentityChecked,
		IdentityDocument: v.IdentityDocument, PINFormReceived: v.PINFormReceived, ItemsReturned: items, Note: v.Note,
		Actor: v.Actor, UpdatedAt: (&WorkflowHandlers{Loc: h.Loc}).stamp(v.UpdatedAt)}
}
