package api

import (
	"net/http"

	"github.com/kofu-oss/kofu/internal/challenge"
	"github.com/kofu-oss/kofu/internal/route"
)

// ChallengeHandlers serve the settings of the booking form's proof of
// work under load, for admins.
type ChallengeHandlers struct {
	Challenge *challenge.Service
}

// Register adds the routes.
func (h *ChallengeHandlers) Register(rt *route.Router) {
	rt.Handle("GET /api/v1/settings/challenge", route.Admin, h.get)
	rt.Handle("PUT /api/v1/settings/challenge", route.Admin, h.put)
}

func (h *ChallengeHandlers) get(w http.ResponseWriter, r *http.Request) {
	st, err := h.Challenge.Settings(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, st)
}

func (h *ChallengeHandlers) put(w http.ResponseWriter, r *http.Request) {
	var st challenge.Settings
	if err := decode(w, r, &st); err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	saved, err := h.Challenge.Save(r.Context(), p, route.MetaOf(r), st)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, saved)
}
