package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/route"
)

func (h *WorkflowHandlers) card() http.HandlerFunc {
	return cardAction(h.writeCard, func(ctx context.Context, p auth.Principal, m auth.Meta, id int64, _ noBody) (ledger.CardWorkflow, error) {
		return h.Workflows.Card(ctx, p, m, id)
	})
}

type wfReturnRequest struct {
	Date    string `json:"date"`
	Reason  string `json:"reason"`
	Note    string `json:"note"`
	Version int    `json:"version"`
}

func (h *WorkflowHandlers) recordReturn() http.HandlerFunc {
	return cardAction(h.writeCard, func(ctx context.Context, p auth.Principal, m auth.Meta, id int64, req wfReturnRequest) (ledger.CardWorkflow, error) {
		return h.Workflows.RecordReturn(ctx, p, m, id, ledger.ReturnInput{Date: req.Date,
			Reason: ledger.ReturnReason(req.Reason), Note: req.Note, Version: req.Version})
	})
}

type wfResendRequest struct {
	Date       string `json:"date"`
	PostalCode string `json:"postal_code"`
	Address    string `json:"address"`
	Note       string `json:"note"`
	Version    int    `json:"version"`
}

func (h *WorkflowHandlers) resend() http.HandlerFunc {
	return cardAction(h.writeCard, func(ctx context.Context, p auth.Principal, m auth.Meta, id int64, req wfResendRequest) (ledger.CardWorkflow, error) {
		return h.Workflows.Resend(ctx, p, m, id, ledger.ResendInput(req))
	})
}

type wfProposeRequest struct {
	Method  string `json:"method"`
	Note    string `json:"note"`
	Version int    `json:"version"`
}

func (h *WorkflowHandlers) propose() http.HandlerFunc {
	return cardAction(h.writeCard, func(ctx context.Context, p auth.Principal, m auth.Meta, id int64, req wfProposeRequest) (ledger.CardWorkflow, error) {
		return h.Workflows.ProposeDisposal(ctx, p, m, id, ledger.ProposeInput{
			Method: ledger.DisposalMethod(req.Method), Note: req.Note, Version: req.Version})
	})
}

type wfConfirmRequest struct {
	Date    string `json:"date"`
	Method  string `json:"method"`
	Note    string `json:"note"`
	Version int    `json:"version"`
}

func (h *WorkflowHandlers) confirm() http.HandlerFunc {
	return cardAction(h.writeCard, func(ctx context.Context, p auth.Principal, m auth.Meta, id int64, req wfConfirmRequest) (ledger.CardWorkflow, error) {
		return h.Workflows.ConfirmDisposal(ctx, p, m, id, ledger.ConfirmInput{Date: req.Date,
			Method: ledger.DisposalMethod(req.Method), Note: req.Note, Version: req.Version})
	})
}

type wfHoldRequest struct {
	Reason  string `json:"reason"`
	Until   string `json:"until"`
	Version int    `json:"version"`
}

func (h *WorkflowHandlers) hold() http.HandlerFunc {
	return cardAction(h.writeCard, func(ctx context.Context, p auth.Principal, m auth.Meta, id int64, req wfHoldRequest) (ledger.CardWorkflow, error) {
		return h.Workflows.HoldDisposal(ctx, p, m, id, ledger.HoldInput(req))
	})
}

// release lifts a hold; ?version= optionally names the version seen.
func (h *WorkflowHandlers) release(w http.ResponseWriter, r *http.Request) {
	id, err := cardID(r)
	version := 0
	if v := r.URL.Query().Get("version"); err == nil && v != "" {
		if version, err = strconv.Atoi(v); err != nil {
			err = invalid("version", "整数で指定してください。")
		}
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	cw, err := h.Workflows.ReleaseHold(r.Context(), p, route.MetaOf(r), id, version)
	h.writeCard(w, r, cw, err)
}

func (h *WorkflowHandlers) writeCard(w http.ResponseWriter, r *http.Request, cw ledger.CardWorkflow, err error) {
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, h.wfCardWorkflowJSON(cw))
}
