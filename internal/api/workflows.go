package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/route"
)

// WorkflowHandlers serves what happens to cards nobody has picked up yet:
// notices and returns, re-notices, disposal with its rules, and the
// dashboard.
type WorkflowHandlers struct {
	Workflows *ledger.Workflows
	Loc       *time.Location // time zone of timestamps in answers; nil: UTC
}

// Register adds the workflow routes: viewers may read, staff may act,
// admins set the disposal rules.
func (h *WorkflowHandlers) Register(rt *route.Router) {
	rt.Handle("GET /api/v1/dashboard", route.AnyStaff, h.dashboard)
	rt.Handle("GET /api/v1/notices/candidates", route.AnyStaff, h.listOf(h.Workflows.NoticeCandidates))
	rt.Handle("POST /api/v1/notices", route.Staff, h.batchOf(h.Workflows.SendNotices))
	rt.Handle("GET /api/v1/returns", route.AnyStaff, h.listOf(h.Workflows.Returns))
	rt.Handle("GET /api/v1/renotices/due", route.AnyStaff, h.listOf(h.Workflows.RenoticesDue))
	rt.Handle("GET /api/v1/renotices/due.csv", route.AnyStaff, h.exportList(ledger.ListRenotices))
	rt.Handle("POST /api/v1/renotices", route.Staff, h.batchOf(h.Workflows.SendRenotices))
	rt.Handle("GET /api/v1/disposals/due", route.AnyStaff, h.listOf(h.Workflows.DisposalsDue))
	rt.Handle("GET /api/v1/disposals/due.csv", route.AnyStaff, h.exportList(ledger.ListDisposals))
	rt.Handle("GET /api/v1/disposals/pending", route.AnyStaff, h.listOf(h.Workflows.DisposalsPending))
	rt.Handle("GET /api/v1/disposals/held", route.AnyStaff, h.listOf(h.Workflows.DisposalsHeld))
	rt.Handle("GET /api/v1/cards/{id}/workflow", route.AnyStaff, h.card())
	rt.Handle("POST /api/v1/cards/{id}/return", route.Staff, h.recordReturn())
	rt.Handle("POST /api/v1/cards/{id}/resend", route.Staff, h.resend())
	rt.Handle("POST /api/v1/cards/{id}/disposal/proposal", route.Staff, h.propose())
	rt.Handle("POST /api/v1/cards/{id}/disposal/confirmation", route.Staff, h.confirm())
	rt.Handle("PUT /api/v1/cards/{id}/disposal/hold", route.Staff, h.hold())
	rt.Handle("DELETE /api/v1/cards/{id}/disposal/hold", route.Staff, h.release)
	rt.Handle("GET /api/v1/settings/disposal", route.Admin, h.settings)
	rt.Handle("PUT /api/v1/settings/disposal", route.Admin, h.saveSettings)
}

// listOf answers a workflow list; limit and offset page it.
func (h *WorkflowHandlers) listOf(fn func(context.Context, auth.Principal, auth.Meta, ledger.ListQuery) (ledger.ItemList, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q, err := wfListQuery(r.URL.Query())
		if err != nil {
			WriteError(w, r, err)
			return
		}
		p, _ := route.PrincipalOf(r)
		l, err := fn(r.Context(), p, route.MetaOf(r), q)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		WriteJSON(w, http.StatusOK, h.listJSON(l))
	}
}

func wfListQuery(v url.Values) (ledger.ListQuery, error) {
	var q ledger.ListQuery
	var fields []apperr.FieldError
	for _, p := range []struct {
		name string
		dst  *int
	}{{"limit", &q.Limit}, {"offset", &q.Offset}} {
		if s := v.Get(p.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				fields = append(fields, apperr.FieldError{Field: p.name, Message: "0 以上の整数で指定してください。"})
			}
			*p.dst = n
		}
	}
	if len(fields) > 0 {
		return q, apperr.WithFields("表示の指定に誤りがあります。", fields)
	}
	return q, nil
}

type wfBatchRequest struct {
	CardIDs []int64 `json:"card_ids"`
	Date    string  `json:"date"`
}

// batchOf runs a step for many cards: 200 with what was done and what was
// refused, card by card.
func (h *WorkflowHandlers) batchOf(fn func(context.Context, auth.Principal, auth.Meta, []int64, string) (ledger.BatchResult, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req wfBatchRequest
		if err := decode(w, r, &req); err != nil {
			WriteError(w, r, err)
			return
		}
		p, _ := route.PrincipalOf(r)
		res, err := fn(r.Context(), p, route.MetaOf(r), req.CardIDs, req.Date)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		WriteJSON(w, http.StatusOK, wfBatchJSONOf(res))
	}
}

// exportList streams a due list as CSV: UTF-8 with BOM, or CP932 with
// encoding=cp932.
func (h *WorkflowHandlers) exportList(list string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		enc, ok := export.ParseEncoding(r.URL.Query().Get("encoding"))
		if !ok {
			WriteError(w, r, invalid("encoding", "encoding は utf-8 か cp932 を指定してください。"))
			return
		}
		export.SetHeaders(w.Header(), list+".csv", enc)
		p, _ := route.PrincipalOf(r)
		if err := h.Workflows.ExportList(r.Context(), p, route.MetaOf(r), list, enc, w); err != nil {
			WriteError(w, r, err) // only reaches the client if nothing was written yet
		}
	}
}

func (h *WorkflowHandlers) dashboard(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	d, err := h.Workflows.Dashboard(r.Context(), p, route.MetaOf(r))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, wfDashboardJSONOf(d))
}

func (h *WorkflowHandlers) settings(w http.ResponseWriter, r *http.Request) {
	rules, err := h.Workflows.Rules(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, rules)
}

// saveSettings replaces the whole document; a field left out is 0 and
// reported as out of range.
func (h *WorkflowHandlers) saveSettings(w http.ResponseWriter, r *http.Request) {
	var rules ledger.DisposalRules
	if err := decode(w, r, &rules); err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	if err := h.Workflows.SaveRules(r.Context(), p, route.MetaOf(r), rules); err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, rules)
}
