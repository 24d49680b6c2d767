package api

import (
	"context"
	"net/http"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
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
	rt.Handle("GET /api/v1/cards/{id}/at-application", route.AnyStaff, h.card())
	rt.Handle("POST /api/v1/cards/{id}/mailings", route.Staff, h.mail())
	rt.Handle("POST /api/v1/cards/{id}/mailings/delivered", route.Staff, h.delivered())
	rt.Handle("POST /api/v1/cards/{id}/mailings/returned", route.Staff, h.returned())
	rt.Handle("POST /api/v1/cards/{id}/counter-pickup", route.Staff, h.pickup())
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

func (h *AtApplicationHandlers) card() http.HandlerFunc {
	return cardAction(h.write, func(ctx context.Context, p auth.Principal, m auth.Meta, id int64, _ noBody) (ledger.AtApplication, error) {
		return h.Workflows.AtApplicationCard(ctx, p, m, id)
	})
}

type mailRequest struct {
	Date           string `json:"date"`
	TrackingNumber string `json:"tracking_number"`
	PostalCode     string `json:"postal_code"`
	Address        string `json:"address"`
	Note           string `json:"note"`
	Version        int    `json:"version"`
}

func (h *AtApplicationHandlers) mail() http.HandlerFunc {
	return cardAction(h.write, func(ctx context.Context, p auth.Principal, m auth.Meta, id int64, req mailRequest) (ledger.AtApplication, error) {
		return h.Workflows.Mail(ctx, p, m, id, ledger.MailInput(req))
	})
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

func (h *AtApplicationHandlers) delivered() http.HandlerFunc {
	return cardAction(h.write, func(ctx context.Context, p auth.Principal, m auth.Meta, id int64, req mailOutcomeRequest) (ledger.AtApplication, error) {
		return h.Workflows.MailDelivered(ctx, p, m, id, req.input())
	})
}

func (h *AtApplicationHandlers) returned() http.HandlerFunc {
	return cardAction(h.write, func(ctx context.Context, p auth.Principal, m auth.Meta, id int64, req mailOutcomeRequest) (ledger.AtApplication, error) {
		return h.Workflows.MailReturned(ctx, p, m, id, req.input())
	})
}

type pickupRequest struct {
	Date             string `json:"date"`
	IdentityDocument string `json:"identity_document"`
	Note             string `json:"note"`
	Version          int    `json:"version"`
}

func (h *AtApplicationHandlers) pickup() http.HandlerFunc {
	return cardAction(h.write, func(ctx context.Context, p auth.Principal, m auth.Meta, id int64, req pickupRequest) (ledger.AtApplication, error) {
		return h.Workflows.PickUpAtCounter(ctx, p, m, id, ledger.PickupInput(req))
	})
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
