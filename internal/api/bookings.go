package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/challenge"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/route"
)

// ManageTokenHeader carries the manage token of a public booking request,
// so the token stays out of URLs and access logs.
const ManageTokenHeader = "X-Manage-Token"

// BookingHandlers serves the booking API: the public endpoints residents
// use, and the staff endpoints of the counter and the settings.
type BookingHandlers struct {
	Reserve *reserve.Service
	// Challenge asks for a proof of work under load; nil: never.
	Challenge *challenge.Service
}

// Register adds every booking route; a split deployment registers
// RegisterPublic on the internet side and RegisterStaff on LGWAN.
func (h *BookingHandlers) Register(rt *route.Router) {
	h.RegisterPublic(rt)
	h.RegisterStaff(rt)
}

// RegisterPublic adds the routes residents use, without login.
func (h *BookingHandlers) RegisterPublic(rt *route.Router) {
	rt.Handle("GET /api/v1/public/availability", route.Public, h.availability)
	rt.Handle("POST /api/v1/public/holds", route.Public, h.hold)
	rt.Handle("DELETE /api/v1/public/holds/{token}", route.Public, h.releaseHold)
	rt.Handle("POST /api/v1/public/bookings", route.Public, h.book)
	rt.Handle("GET /api/v1/public/bookings/{code}", route.Public, h.publicGet)
	rt.Handle("PATCH /api/v1/public/bookings/{code}", route.Public, h.publicChange)
	rt.Handle("DELETE /api/v1/public/bookings/{code}", route.Public, h.publicCancel)
}

func (h *BookingHandlers) availability(w http.ResponseWriter, r *http.Request) {
	q, err := availabilityQuery(r)
	if err != nil {
		writeBookingError(w, r, err)
		return
	}
	av, err := h.Reserve.PublicAvailability(r.Context(), route.MetaOf(r), q)
	writeAvailability(w, r, av, err)
}

// availabilityQuery reads ?service=&place=&from=&to=&people= (people
// defaults to 1).
func availabilityQuery(r *http.Request) (reserve.AvailabilityQuery, error) {
	v := r.URL.Query()
	q := reserve.AvailabilityQuery{Service: v.Get("service"), Place: v.Get("place"), From: v.Get("from"), To: v.Get("to"), People: 1}
	if s := v.Get("people"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return q, reserve.InvalidInput(apperr.FieldError{Field: "people", Message: "人数は数字で指定してください。"})
		}
		q.People = n
	}
	return q, nil
}

func (h *BookingHandlers) hold(w http.ResponseWriter, r *http.Request) {
	var req reserve.HoldRequest
	if err := decodeBooking(w, r, &req); err != nil {
		writeBookingError(w, r, err)
		return
	}
	hd, err := h.Reserve.Hold(r.Context(), route.MetaOf(r), req)
	if err != nil {
		writeBookingError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, map[string]any{"hold": holdJSONOf(hd)})
}

func (h *BookingHandlers) releaseHold(w http.ResponseWriter, r *http.Request) {
	if err := h.Reserve.ReleaseHold(r.Context(), route.MetaOf(r), r.PathValue("token")); err != nil {
		writeBookingError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *BookingHandlers) book(w http.ResponseWriter, r *http.Request) {
	var req reserve.CreateRequest
	if err := decodeBooking(w, r, &req); err != nil {
		writeBookingError(w, r, err)
		return
	}
	proved, ok := h.passChallenge(w, r, req)
	if !ok {
		return
	}
	req.Proved = proved
	b, token, err := h.Reserve.Book(r.Context(), route.MetaOf(r), req)
	if le := (*reserve.LimitError)(nil); errors.As(err, &le) && le.Provable && h.Challenge != nil {
		// A notice number past its attempts: a proof lets the resident
		// through, where a refusal would lock them out (issue #14).
		h.writeChallenge(w, r, h.Challenge.Require(r.Context(), route.MetaOf(r).IP, challenge.Bind(req)),
			apperr.New(challenge.CodeRequired, "この交付通知書番号での試行が続いたため、確認が必要です。表示された確認に答えてから、もう一度送信してください。"))
		return
	}
	if err != nil {
		writeBookingError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, map[string]any{"booking": publicJSON(b), "manage_token": token})
}

func (h *BookingHandlers) publicGet(w http.ResponseWriter, r *http.Request) {
	b, err := h.Reserve.Get(r.Context(), route.MetaOf(r), r.PathValue("code"), r.Header.Get(ManageTokenHeader))
	writePublic(w, r, b, err)
}

func (h *BookingHandlers) publicChange(w http.ResponseWriter, r *http.Request) {
	var req reserve.ChangeRequest
	if err := decodeBooking(w, r, &req); err != nil {
		writeBookingError(w, r, err)
		return
	}
	b, err := h.Reserve.Change(r.Context(), route.MetaOf(r), r.PathValue("code"), r.Header.Get(ManageTokenHeader), req)
	writePublic(w, r, b, err)
}

func (h *BookingHandlers) publicCancel(w http.ResponseWriter, r *http.Request) {
	b, err := h.Reserve.Cancel(r.Context(), route.MetaOf(r), r.PathValue("code"), r.Header.Get(ManageTokenHeader))
	writePublic(w, r, b, err)
}

func writePublic(w http.ResponseWriter, r *http.Request, b reserve.Booking, err error) {
	if err != nil {
		writeBookingError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"booking": publicJSON(b)})
}

// writeAvailability answers the slots as JSON. A month is a few hundred
// slots; the encoding of an answer the service keeps for a moment is made
// once and shared by the requests it serves (issue #14).
func writeAvailability(w http.ResponseWriter, r *http.Request, av reserve.Availability, err error) {
	var body []byte
	if err == nil {
		body, err = av.Rendered(encodeAvailability)
	}
	if err != nil {
		writeBookingError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body))) // one write, not chunks
	w.Write(body)
}

func encodeAvailability(av reserve.Availability) ([]byte, error) {
	b, err := json.Marshal(availabilityJSONOf(av))
	return append(b, '\n'), err
}

// writeBookingError answers like WriteError, but says exactly when to
// retry after a rate limit, and logs a limit that could not be checked
// (the request was refused: the limits fail closed).
func writeBookingError(w http.ResponseWriter, r *http.Request, err error) {
	var le *reserve.LimitError
	if !errors.As(err, &le) {
		WriteError(w, r, err)
		return
	}
	if le.Err != nil {
		slog.ErrorContext(r.Context(), "rate limit unavailable, request refused", "err", le.Err.Error(), "route", r.Pattern)
	}
	var b errorBody
	b.Error.Code, b.Error.Message = le.Code().String(), apperr.MessageOf(err)
	w.Header().Set("Retry-After", strconv.Itoa(int(le.RetryAfter.Seconds())))
	WriteJSON(w, Status(le.Code()), b)
}

// decodeBooking reads a JSON body like decode, but names the field at
// fault, as the booking API does for every malformed input.
func decodeBooking(w http.ResponseWriter, r *http.Request, v any) error {
	err := decode(w, r, v)
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	const unknown = "unknown field "
	switch msg := err.Error(); {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return reserve.InvalidInput(apperr.FieldError{Field: typeErr.Field, Message: "値の型が正しくありません。"})
	case strings.Contains(msg, unknown):
		field := strings.Trim(msg[strings.LastIndex(msg, unknown)+len(unknown):], `"`)
		return reserve.InvalidInput(apperr.FieldError{Field: field, Message: "この項目は指定できません。"})
	}
	return err // not JSON at all: no field to name
}

// decodeOptional reads a JSON body that may be left out entirely.
func decodeOptional(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		return apperr.Wrap(apperr.Invalid, "本文を読み取れません。", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return decodeBooking(w, r, v)
}

// The headers that carry a proof of work with a public booking.
const (
	ChallengeHeader       = "X-Challenge"
	ChallengeAnswerHeader = "X-Challenge-Answer"
)

// passChallenge applies the proof of work under load: without a passing
// proof it answers 429 (or 409 for a spent one) with the challenge to
// answer, and returns false. proved says the request met a challenge.
func (h *BookingHandlers) passChallenge(w http.ResponseWriter, r *http.Request, req reserve.CreateRequest) (proved, ok bool) {
	if h.Challenge == nil {
		return false, true
	}
	proved, offer, err := h.Challenge.Gate(r.Context(), route.MetaOf(r).IP, r.Header.Get(ChallengeHeader),
		r.Header.Get(ChallengeAnswerHeader), challenge.Bind(req))
	if err == nil {
		return proved, true
	}
	h.writeChallenge(w, r, offer, err)
	return false, false
}

// writeChallenge answers err with the challenge to meet.
func (h *BookingHandlers) writeChallenge(w http.ResponseWriter, r *http.Request, offer *challenge.Offer, err error) {
	if offer == nil {
		WriteError(w, r, err)
		return
	}
	var b struct {
		errorBody
		Challenge *challenge.Offer `json:"challenge"`
	}
	code := apperr.CodeOf(err)
	b.Error.Code, b.Error.Message, b.Challenge = code.String(), apperr.MessageOf(err), offer
	w.Header().Set("Retry-After", strconv.Itoa(max(1, offer.Remaining(h.Challenge.Now()))))
	WriteJSON(w, Status(code), b)
}
