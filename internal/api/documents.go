package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/filing"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/upload"
)

// DocumentHandlers serve the documents kept on cards and bookings.
type DocumentHandlers struct {
	Filing *filing.Service
}

// Register adds the routes: viewers may look, staff may upload, admins
// may delete.
func (h *DocumentHandlers) Register(rt *route.Router) {
	rt.Handle("POST /api/v1/cards/{id}/documents", route.Staff, h.upload)
	rt.Handle("GET /api/v1/cards/{id}/documents", route.AnyStaff, h.list)
	rt.Handle("POST /api/v1/bookings/{id}/documents", route.Staff, h.uploadToBooking)
	rt.Handle("GET /api/v1/bookings/{id}/documents", route.AnyStaff, h.listBooking)
	rt.Handle("GET /api/v1/documents/{id}", route.AnyStaff, h.get)
	rt.Handle("GET /api/v1/documents/{id}/content", route.AnyStaff, h.content)
	rt.Handle("DELETE /api/v1/documents/{id}", route.Admin, h.delete)
	rt.Handle("POST /api/v1/documents/inbox", route.Staff, h.inbox)
	rt.Handle("GET /api/v1/documents/review", route.AnyStaff, h.review)
	rt.Handle("POST /api/v1/documents/{id}/file", route.Staff, h.file)
	rt.Handle("POST /api/v1/documents/{id}/resume", route.Staff, h.resume)
	rt.Handle("POST /api/v1/documents/{id}/discard", route.Admin, h.discard)
	rt.Handle("GET /api/v1/documents/retention", route.AnyStaff, h.retention)
	rt.Handle("POST /api/v1/documents/retention/propose", route.Staff, h.retentionStep(h.Filing.ProposeDisposal))
	rt.Handle("POST /api/v1/documents/retention/confirm", route.Staff, h.retentionStep(h.Filing.ConfirmDisposal))
	rt.Handle("GET /api/v1/settings/documents", route.Admin, h.settings)
	rt.Handle("PUT /api/v1/settings/documents", route.Admin, h.saveSettings)
}

func (h *DocumentHandlers) retention(w http.ResponseWriter, r *http.Request) {
	due, err := h.Filing.RetentionDue(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"documents": due})
}

func (h *DocumentHandlers) retentionStep(fn func(context.Context, auth.Principal, auth.Meta, []int64) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			IDs []int64 `json:"ids"`
		}
		if err := decode(w, r, &req); err != nil {
			WriteError(w, r, err)
			return
		}
		p, _ := route.PrincipalOf(r)
		if err := fn(r.Context(), p, route.MetaOf(r), req.IDs); err != nil {
			WriteError(w, r, err)
			return
		}
		h.retention(w, r)
	}
}

func (h *DocumentHandlers) settings(w http.ResponseWriter, r *http.Request) {
	set, err := h.Filing.Settings(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, set)
}

func (h *DocumentHandlers) saveSettings(w http.ResponseWriter, r *http.Request) {
	var set filing.Settings
	if err := decode(w, r, &set); err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	if err := h.Filing.SaveSettings(r.Context(), p, route.MetaOf(r), set); err != nil {
		WriteError(w, r, err)
		return
	}
	h.settings(w, r)
}

// inbox takes a scanner's stack (multipart field file).
func (h *DocumentHandlers) inbox(w http.ResponseWriter, r *http.Request) {
	form, err := upload.Stream(w, r, maxUploadBody)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	res, err := h.Filing.ScanStack(r.Context(), p, route.MetaOf(r), form.File.FileName(), form.File)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, res)
}

// review lists the pages waiting for their card and the stacks whose
// splitting was interrupted.
func (h *DocumentHandlers) review(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	in, err := h.Filing.Inbox(r.Context(), p, route.MetaOf(r))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, in)
}

// resume splits an interrupted stack from where it stopped.
func (h *DocumentHandlers) resume(w http.ResponseWriter, r *http.Request) {
	id, err := documentID(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	res, err := h.Filing.Resume(r.Context(), p, route.MetaOf(r), id)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, res)
}

// discard ends an interrupted stack without splitting the rest.
func (h *DocumentHandlers) discard(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
	}
	id, err := documentID(r)
	if err == nil {
		err = decode(w, r, &req)
	}
	if err == nil {
		p, _ := route.PrincipalOf(r)
		err = h.Filing.Discard(r.Context(), p, route.MetaOf(r), id, req.Reason)
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"discarded": true, "id": id})
}

// file attaches a page waiting in review to a card: card_id, or card (a
// notice number, booking code or form code as scanned).
func (h *DocumentHandlers) file(w http.ResponseWriter, r *http.Request) {
	var req struct {
		CardID int64  `json:"card_id"`
		Card   string `json:"card"`
		Kind   string `json:"kind"`
	}
	id, err := documentID(r)
	if err == nil {
		err = decode(w, r, &req)
	}
	if err == nil && req.CardID == 0 {
		req.CardID, err = h.Filing.FindCard(r.Context(), req.Card)
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	if err := h.Filing.File(r.Context(), p, route.MetaOf(r), id, req.CardID, req.Kind); err != nil {
		WriteError(w, r, err)
		return
	}
	d, err := h.Filing.Get(r.Context(), id)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"document": d})
}

// maxUploadBody bounds a request: the largest file the settings may allow
// and its form.
const maxUploadBody = 1<<30 + 1<<20

// upload stores a file (multipart: file, kind, note, in any order) on a card.
func (h *DocumentHandlers) upload(w http.ResponseWriter, r *http.Request) {
	h.uploadTo(w, r, cardID, h.Filing.Upload)
}

// uploadToBooking stores a file on a booking, as upload on a card.
func (h *DocumentHandlers) uploadToBooking(w http.ResponseWriter, r *http.Request) {
	h.uploadTo(w, r, bookingID, h.Filing.UploadToBooking)
}

type uploadFunc func(context.Context, auth.Principal, auth.Meta, int64, filing.Upload) (filing.Document, error)

func (h *DocumentHandlers) uploadTo(w http.ResponseWriter, r *http.Request, idOf func(*http.Request) (int64, error), save uploadFunc) {
	id, err := idOf(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	form, err := upload.Stream(w, r, maxUploadBody)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	d, err := save(r.Context(), p, route.MetaOf(r), id, filing.Upload{FileName: form.File.FileName(),
		Content: form.File, Fields: form.Rest})
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, map[string]any{"document": d})
}

func (h *DocumentHandlers) list(w http.ResponseWriter, r *http.Request) {
	h.listOf(w, r, cardID, h.Filing.List)
}

func (h *DocumentHandlers) listBooking(w http.ResponseWriter, r *http.Request) {
	h.listOf(w, r, bookingID, h.Filing.ListBooking)
}

type listFunc func(context.Context, auth.Principal, auth.Meta, int64) ([]filing.Document, error)

func (h *DocumentHandlers) listOf(w http.ResponseWriter, r *http.Request, idOf func(*http.Request) (int64, error), list listFunc) {
	id, err := idOf(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	docs, err := list(r.Context(), p, route.MetaOf(r), id)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"documents": docs})
}

// bookingID reads the {id} of the path; anything but a number is a
// booking that does not exist.
func bookingID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "予約が見つかりません。")
	}
	return id, nil
}

func (h *DocumentHandlers) get(w http.ResponseWriter, r *http.Request) {
	id, err := documentID(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	d, err := h.Filing.View(r.Context(), p, route.MetaOf(r), id)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"document": d})
}

// content answers with the original bytes and their content type.
func (h *DocumentHandlers) content(w http.ResponseWriter, r *http.Request) {
	id, err := documentID(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	err = ServeDocument(w, r, h.Filing, p, id)
	if err != nil {
		WriteError(w, r, err)
	}
}

func (h *DocumentHandlers) delete(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
	}
	id, err := documentID(r)
	if err == nil {
		err = decode(w, r, &req)
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	if err := h.Filing.Delete(r.Context(), p, route.MetaOf(r), id, req.Reason); err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"deleted": true, "id": id})
}

func documentID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "書類が見つかりません。")
	}
	return id, nil
}
