package api

import (
	"net/http"
	"time"

	"github.com/kofu-oss/kofu/internal/auditlog"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/route"
)

// AuditHandlers serve the audit log to admins.
type AuditHandlers struct {
	Log *auditlog.Service
	Loc *time.Location
}

// Register adds the audit routes.
func (h *AuditHandlers) Register(rt *route.Router) {
	rt.Handle("GET /api/v1/audit", route.Admin, h.list)
	rt.Handle("GET /api/v1/audit/export.csv", route.Admin, h.export)
}

type auditJSON struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	Actor     string    `json:"actor"`
	Action    string    `json:"action"`
	Target    string    `json:"target"`
	IP        string    `json:"ip"`
	RequestID string    `json:"request_id"`
	Detail    rawJSON   `json:"detail"`
	Hash      string    `json:"hash"`
}

type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

func (h *AuditHandlers) list(w http.ResponseWriter, r *http.Request) {
	f, err := auditlog.ParseFilter(r.URL.Query(), h.Loc)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	pg, err := h.Log.Search(r.Context(), p, route.MetaOf(r), f)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	out := make([]auditJSON, 0, len(pg.Entries))
	for _, e := range pg.Entries {
		out = append(out, auditJSON{ID: e.ID, At: e.At.In(h.Loc), Actor: e.Actor, Action: e.Action, Target: e.Target,
			IP: e.IP, RequestID: e.RequestID, Detail: rawJSON(e.Detail), Hash: e.Hash})
	}
	WriteJSON(w, http.StatusOK, map[string]any{"entries": out, "total": pg.Total})
}

func (h *AuditHandlers) export(w http.ResponseWriter, r *http.Request) {
	f, err := auditlog.ParseFilter(r.URL.Query(), h.Loc)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	export.SetHeaders(w.Header(), "audit-log.csv", export.UTF8)
	if err := h.Log.ExportCSV(r.Context(), p, route.MetaOf(r), f, w); err != nil {
		WriteError(w, r, err)
	}
}
