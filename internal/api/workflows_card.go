package api

import (
	"net/http"
	"strconv"

	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/route"
)

func (h *WorkflowHandlers) card(w http.ResponseWriter, r *http.Request) {
	id, err := cardID(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	cw, err := h.Workflows.Card(r.Context(), p, route.MetaOf(r), id)
	h.writeCard(w, r, cw, err)
}

// wfCardStep runs a workflow step on one card (see cardStep).
func wfCardStep[T any](h *WorkflowHandlers, run func(r *http.Request, id int64, req T) (ledger.CardWorkflow, error)) http.HandlerFunc {
	return cardStep(run, h.writeCard)
}

// cardStep decodes the body of a step on one card into req, runs it, and
// writes the outcome with write.
func cardStep[T, R any](run func(r *http.Request, id int64, req T) (R, error), write func(http.ResponseWriter, *http.Request, R, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req T
		id, err := cardID(r)
		if err == nil {
			err = decode(w, r, &req)
		}
		if err != nil {
			WriteError(w, r, err)
			return
		}
		out, err := run(r, id, req)
		write(w, r, out, err)
	}
}

type wfReturnRequest struct {
	Date    string `json:"date"`
	Reason  string `json:"reason"`
	Note    string `json:"note"`
	Version int    `json:"version"`
}

func (h *WorkflowHandlers) recordReturn(w http.ResponseWriter, r *http.Request) {
	wfCardStep(h, func(r *http.Request, id int64, req wfReturnRequest) (ledger.CardWorkflow, error) {
		p, _ := route.PrincipalOf(r)
		return h.Workflows.RecordReturn(r.Context(), p, route.MetaOf(r), id, ledger.ReturnInput{Date: req.Date,
			Reason: ledger.ReturnReason(req.Reason), Note: req.Note, Version: req.Version})
	})(w, r)
}

type wfResendRequest struct {
	Date       string `json:"date"`
	PostalCode string `json:"postal_code"`
	Address    string `json:"address"`
	Note       string `json:"note"`
	Version    int    `json:"version"`
}

func (h *WorkflowHandlers) resend(w http.ResponseWriter, r *http.Request) {
	wfCardStep(h, func(r *http.Request, id int64, req wfResendRequest) (ledger.CardWorkflow, error) {
		p, _ := route.PrincipalOf(r)
		return h.Workflows.Resend(r.Context(), p, route.MetaOf(r), id, ledger.ResendInput(req))
	})(w, r)
}

type wfProposeRequest struct {
	Method  string `json:"method"`
	Note    string `json:"note"`
	Version int    `json:"version"`
}

func (h *WorkflowHandlers) propose(w http.ResponseWriter, r *http.Request) {
	wfCardStep(h, func(r *http.Request, id int64, req wfProposeRequest) (ledger.CardWorkflow, error) {
		p, _ := route.PrincipalOf(r)
		return h.Workflows.ProposeDisposal(r.Context(), p, route.MetaOf(r), id, ledger.ProposeInput{
			Method: ledger.DisposalMethod(req.Method), Note: req.Note, Version: req.Version})
	})(w, r)
}

type wfConfirmRequest struct {
	Date    string `json:"date"`
	Method  string `json:"method"`
	Note    string `json:"note"`
	Version int    `json:"version"`
}

func (h *WorkflowHandlers) confirm(w http.ResponseWriter, r *http.Request) {
	wfCardStep(h, func(r *http.Request, id int64, req wfConfirmRequest) (ledger.CardWorkflow, error) {
		p, _ := route.PrincipalOf(r)
		return h.Workflows.ConfirmDisposal(r.Context(), p, route.MetaOf(r), id, ledger.ConfirmInput{Date: req.Date,
			Method: ledger.DisposalMethod(req.Method), Note: req.Note, Version: req.Version})
	})(w, r)
}

type wfHoldRequest struct {
	Reason  string `json:"reason"`
	Until   string `json:"until"`
	Version int    `json:"version"`
}

func (h *WorkflowHandlers) hold(w http.ResponseWriter, r *http.Request) {
	wfCardStep(h, func(r *http.Request, id int64, req wfHoldRequest) (ledger.CardWorkflow, error) {
		p, _ := route.PrincipalOf(r)
		return h.Workflows.HoldDisposal(r.Context(), p, route.MetaOf(r), id, ledger.HoldInput(req))
	})(w, r)
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
