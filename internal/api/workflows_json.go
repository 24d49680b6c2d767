package api

import (
	"time"

	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/store"
)

// wfWorkflowCardJSON is the part of a card a workflow list shows.
type wfWorkflowCardJSON struct {
	ID              int64   `json:"id"`
	NoticeNumber    *string `json:"notice_number"`
	ApplicationID   string  `json:"application_id"`
	Name            string  `json:"name"`
	NameKana        string  `json:"name_kana"`
	BirthDate       string  `json:"birth_date"`
	Status          string  `json:"status"`
	StatusLabel     string  `json:"status_label"`
	Method          string  `json:"method"`
	MethodLabel     string  `json:"method_label"`
	DeliveryDate    *string `json:"delivery_date"`
	ExpiryDate      *string `json:"expiry_date"`
	Box             string  `json:"box"`
	StorageLocation string  `json:"storage_location"`
	Version         int     `json:"version"`
}

type wfDatesJSON struct {
	FirstNotice       *string `json:"first_notice"`
	LastNotice        *string `json:"last_notice"`
	Renotice          *string `json:"renotice"`
	Returned          *string `json:"returned"`
	ReturnReason      *string `json:"return_reason"`
	ReturnReasonLabel *string `json:"return_reason_label"`
	Returns           int     `json:"returns"`
}

type wfAssessmentJSON struct {
	NoticeDeadline    *string `json:"notice_deadline"`
	NoticeOverdue     bool    `json:"notice_overdue"`
	RenoticeDueFrom   *string `json:"renotice_due_from"`
	RenoticeDue       bool    `json:"renotice_due"`
	RenoticeDeadline  *string `json:"renotice_deadline"`
	DisposalRule      *string `json:"disposal_rule"`
	DisposalRuleLabel *string `json:"disposal_rule_label"`
	DisposalDueFrom   *string `json:"disposal_due_from"` // null with a rule: due at once
	DisposalDue       bool    `json:"disposal_due"`
	Held              bool    `json:"held"`
}

type wfAddressJSON struct {
	PostalCode string `json:"postal_code"`
	Address    string `json:"address"`
}

type wfHoldJSON struct {
	Reason    string `json:"reason"`
	Until     string `json:"until"`
	Actor     string `json:"actor"`
	CreatedAt string `json:"created_at"`
}

type wfDisposalJSON struct {
	Rule         *string `json:"rule"`
	ProposedAt   string  `json:"proposed_at"`
	Proposer     string  `json:"proposer"`
	ProposalNote string  `json:"proposal_note,omitempty"`
	Method       *string `json:"method"`
	MethodLabel  *string `json:"method_label"`
	DisposedDate *string `json:"disposed_date"`
	ConfirmedAt  *string `json:"confirmed_at"`
	Confirmer    *string `json:"confirmer"`
	Note         string  `json:"note,omitempty"`
}

type wfItemJSON struct {
	Card       wfWorkflowCardJSON `json:"card"`
	Flags      []ledger.Flag      `json:"flags"`
	Dates      wfDatesJSON        `json:"dates"`
	Assessment wfAssessmentJSON   `json:"assessment"`
	MailTo     wfAddressJSON      `json:"mail_to"`
	Hold       *wfHoldJSON        `json:"hold"`
	Disposal   *wfDisposalJSON    `json:"disposal"`
}

type wfItemListJSON struct {
	Items  []wfItemJSON `json:"items"`
	Total  int          `json:"total"`
	Limit  int          `json:"limit"`
	Offset int          `json:"offset"`
	Today  string       `json:"today"`
}

func (h *WorkflowHandlers) listJSON(l ledger.ItemList) wfItemListJSON {
	items := make([]wfItemJSON, len(l.Items))
	for i, it := range l.Items {
		items[i] = h.wfItemJSON(it)
	}
	return wfItemListJSON{Items: items, Total: l.Total, Limit: l.Limit, Offset: l.Offset, Today: l.Today}
}

func (h *WorkflowHandlers) wfItemJSON(it ledger.Item) wfItemJSON {
	c := it.Card
	flags := it.Flags
	if flags == nil {
		flags = []ledger.Flag{}
	}
	out := wfItemJSON{
		Card: wfWorkflowCardJSON{ID: c.ID, NoticeNumber: optional(c.NoticeNumber), ApplicationID: c.Application.ApplicationID,
			Name: c.Resident.Name, NameKana: c.Resident.NameKana, BirthDate: c.Resident.BirthDate, Status: string(c.Status),
			StatusLabel: c.Status.Label(), Method: string(c.Application.Method), MethodLabel: c.Application.Method.Label(),
			DeliveryDate: optional(c.DeliveryDate), ExpiryDate: optional(c.ExpiryDate), Box: c.Box,
			StorageLocation: c.StorageLocation, Version: c.Version},
		Flags:      flags,
		Dates:      wfDatesJSONOf(it.Dates),
		Assessment: wfAssessmentJSONOf(it.Assessment),
		MailTo:     wfAddressJSON{PostalCode: it.MailTo.PostalCode, Address: it.MailTo.Address},
	}
	if it.Hold != nil {
		out.Hold = &wfHoldJSON{Reason: it.Hold.Reason, Until: it.Hold.Until, Actor: it.Hold.Actor, CreatedAt: h.stamp(it.Hold.CreatedAt)}
	}
	if it.Disposal != nil {
		out.Disposal = h.wfDisposalJSON(*it.Disposal)
	}
	return out
}

func wfDatesJSONOf(d ledger.CardDates) wfDatesJSON {
	out := wfDatesJSON{FirstNotice: optional(d.FirstNotice), LastNotice: optional(d.LastNotice), Renotice: optional(d.Renotice),
		Returned: optional(d.Returned), Returns: d.Returns}
	if d.ReturnReason != "" {
		out.ReturnReason, out.ReturnReasonLabel = optional(string(d.ReturnReason)), optional(d.ReturnReason.Label())
	}
	return out
}

func wfAssessmentJSONOf(a ledger.Assessment) wfAssessmentJSON {
	out := wfAssessmentJSON{NoticeDeadline: optional(a.NoticeDeadline), NoticeOverdue: a.NoticeOverdue,
		RenoticeDueFrom: optional(a.RenoticeDueFrom), RenoticeDue: a.RenoticeDue, RenoticeDeadline: optional(a.RenoticeDeadline),
		DisposalDueFrom: optional(a.DisposalDueFrom), DisposalDue: a.DisposalDue, Held: a.Held}
	if a.DisposalRule != "" {
		out.DisposalRule, out.DisposalRuleLabel = optional(a.DisposalRule), optional(ledger.RuleLabel(a.DisposalRule))
	}
	return out
}

func (h *WorkflowHandlers) wfDisposalJSON(d store.Disposal) *wfDisposalJSON {
	out := &wfDisposalJSON{Rule: optional(d.Rule), ProposedAt: h.stamp(d.ProposedAt), Proposer: d.Proposer,
		ProposalNote: d.ProposalNote, Method: optional(d.Method), DisposedDate: optional(d.DisposedDate), Note: d.Note}
	if d.Method != "" {
		out.MethodLabel = optional(ledger.DisposalMethod(d.Method).Label())
	}
	if d.Confirmed() {
		out.ConfirmedAt, out.Confirmer = optional(h.stamp(d.ConfirmedAt)), optional(d.Confirmer)
	}
	return out
}

type wfPostingJSON struct {
	ID          int64   `json:"id"`
	Kind        string  `json:"kind"`
	Date        string  `json:"date"`
	PostalCode  string  `json:"postal_code,omitempty"`
	Address     string  `json:"address,omitempty"`
	Reason      *string `json:"reason"`
	ReasonLabel *string `json:"reason_label"`
	Note        string  `json:"note,omitempty"`
	Actor       string  `json:"actor"`
	CreatedAt   string  `json:"created_at"`
}

type wfActionsJSON struct {
	SendNotice bool `json:"send_notice"`
	Return     bool `json:"return"`
	Resend     bool `json:"resend"`
	Renotice   bool `json:"renotice"`
	Propose    bool `json:"propose_disposal"`
	Confirm    bool `json:"confirm_disposal"`
	Hold       bool `json:"hold"`
	Release    bool `json:"release_hold"`
}

type wfCardWorkflowJSON struct {
	wfItemJSON
	Postings    []wfPostingJSON      `json:"postings"`
	Events      []cardEventJSON      `json:"events"`
	AllowedNext []statusJSON         `json:"allowed_next"`
	Actions     wfActionsJSON        `json:"actions"`
	Rules       ledger.DisposalRules `json:"rules"`
	Today       string               `json:"today"`
}

func (h *WorkflowHandlers) wfCardWorkflowJSON(cw ledger.CardWorkflow) wfCardWorkflowJSON {
	ch := &CardHandlers{Loc: h.Loc}
	out := wfCardWorkflowJSON{wfItemJSON: h.wfItemJSON(cw.Item), Postings: make([]wfPostingJSON, len(cw.Postings)),
		Events: make([]cardEventJSON, len(cw.Events)), AllowedNext: make([]statusJSON, len(cw.Next)),
		Actions: wfActionsJSON(cw.Can), Rules: cw.Rules, Today: cw.Today}
	for i, p := range cw.Postings {
		out.Postings[i] = wfPostingJSON{ID: p.ID, Kind: p.Kind, Date: p.Date, PostalCode: p.PostalCode, Address: p.Address,
			Note: p.Note, Actor: p.Actor, CreatedAt: h.stamp(p.CreatedAt)}
		if p.Reason != "" {
			out.Postings[i].Reason, out.Postings[i].ReasonLabel = optional(p.Reason), optional(ledger.ReturnReason(p.Reason).Label())
		}
	}
	for i, e := range cw.Events {
		out.Events[i] = ch.eventJSON(e)
	}
	for i, s := range cw.Next {
		out.AllowedNext[i] = statusJSON{Status: s, Label: s.Label()}
	}
	return out
}

type wfBatchFailureJSON struct {
	CardID  int64  `json:"card_id"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

type wfBatchJSON struct {
	Done   []int64              `json:"done"`
	Failed []wfBatchFailureJSON `json:"failed"`
}

func wfBatchJSONOf(res ledger.BatchResult) wfBatchJSON {
	out := wfBatchJSON{Done: res.Done, Failed: make([]wfBatchFailureJSON, len(res.Failed))}
	for i, f := range res.Failed {
		out.Failed[i] = wfBatchFailureJSON{CardID: f.CardID, Code: f.Code, Message: f.Message}
	}
	return out
}

func (h *WorkflowHandlers) stamp(t time.Time) string {
	return (&CardHandlers{Loc: h.Loc}).stamp(t)
}
