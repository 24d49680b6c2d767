package api

import (
	"net/http"
	"strconv"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/mail"
	"github.com/kofu-oss/kofu/internal/route"
)

// MailHandlers serves the mail settings and the outbox, for admins.
type MailHandlers struct {
	Mail *mail.Admin
}

// Register adds the mail routes (staff side).
func (h *MailHandlers) Register(rt *route.Router) {
	rt.Handle("GET /api/v1/settings/mail", route.Admin, h.settings)
	rt.Handle("PUT /api/v1/settings/mail", route.Admin, h.saveSettings)
	rt.Handle("GET /api/v1/mail/outbox", route.Admin, h.outbox)
	rt.Handle("POST /api/v1/mail/outbox/{id}/retry", route.Admin, h.retry)
}

// settings answers the settings with the password masked.
func (h *MailHandlers) settings(w http.ResponseWriter, r *http.Request) {
	st, err := h.Mail.Settings(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, st)
}

// mailSettingsRequest is the settings document of a PUT. Its password
// shadows the embedded one so that an absent password (keep the stored
// one) differs from an empty one (remove it).
type mailSettingsRequest struct {
	mail.Settings
	Password *string `json:"password"`
}

// saveSettings replaces the settings. The password is kept when it is
// absent or the mask that GET answers, removed when it is "".
func (h *MailHandlers) saveSettings(w http.ResponseWriter, r *http.Request) {
	var req mailSettingsRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, err)
		return
	}
	st := req.Settings
	st.Password = mail.PasswordMask
	if req.Password != nil {
		st.Password = *req.Password
	}
	p, _ := route.PrincipalOf(r)
	saved, err := h.Mail.SaveSettings(r.Context(), p, route.MetaOf(r), st)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, saved)
}

// outbox lists the outbox, newest first: ?status=failed&limit=100.
func (h *MailHandlers) outbox(w http.ResponseWriter, r *http.Request) {
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			WriteError(w, r, invalid("limit", "件数は 1 以上の数字で指定してください。"))
			return
		}
		limit = n
	}
	entries, err := h.Mail.Outbox(r.Context(), r.URL.Query().Get("status"), limit)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"messages": entries})
}

// retry sends a failed message again.
func (h *MailHandlers) retry(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		WriteError(w, r, apperr.New(apperr.NotFound, "メールが見つかりません。"))
		return
	}
	p, _ := route.PrincipalOf(r)
	if err := h.Mail.Retry(r.Context(), p, route.MetaOf(r), id); err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"id": id, "status": "pending"})
}
