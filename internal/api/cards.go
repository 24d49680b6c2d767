package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
)

// CardHandlers serves the card ledger API.
type CardHandlers struct {
	Ledger *ledger.Service
	Loc    *time.Location // time zone of timestamps in answers; nil: UTC
}

// Register adds the card routes: viewers may read, staff may change.
func (h *CardHandlers) Register(rt *route.Router) {
	rt.Handle("GET /api/v1/cards", route.AnyStaff, h.search)
	rt.Handle("GET /api/v1/cards/export.csv", route.AnyStaff, h.export)
	rt.Handle("GET /api/v1/cards/{id}", route.AnyStaff, h.get())
	rt.Handle("POST /api/v1/cards/{id}/transitions", route.Staff, h.transition())
	rt.Handle("PUT /api/v1/cards/{id}/remarks", route.Staff, h.remarks())
	rt.Handle("PUT /api/v1/cards/{id}/storage-location", route.Staff, h.storageLocation())
}

func (h *CardHandlers) search(w http.ResponseWriter, r *http.Request) {
	q, err := cardQuery(r.URL.Query())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	res, err := h.Ledger.Search(r.Context(), p, route.MetaOf(r), q)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	cards := make([]cardJSON, len(res.Cards))
	flags := h.Ledger.FlagsFor(r.Context(), res.Cards, h.Loc)
	for i, c := range res.Cards {
		cards[i] = h.cardJSON(c)
		cards[i].FlagDetails = flags[i]
	}
	WriteJSON(w, http.StatusOK, cardListJSON{Cards: cards, Total: res.Total, Limit: res.Limit, Offset: res.Offset})
}

type cardListJSON struct {
	Cards  []cardJSON `json:"cards"`
	Total  int        `json:"total"`
	Limit  int        `json:"limit"`
	Offset int        `json:"offset"`
}

// cardQuery reads the search parameters. status may be repeated or
// comma-separated.
func cardQuery(v url.Values) (ledger.Query, error) {
	q := ledger.Query{
		NoticeNumber: v.Get("notice_number"), ApplicationID: v.Get("application_id"), Q: v.Get("q"),
		BirthDate: v.Get("birth_date"), Statuses: v["status"], DeliveredFrom: v.Get("delivered_from"),
		DeliveredTo: v.Get("delivered_to"), Box: v.Get("box"), StorageLocation: v.Get("storage_location"),
		Remarks: v.Get("remarks"), Method: v.Get("method"), Flag: v.Get("flag"), Sort: v.Get("sort"),
	}
	var fields []apperr.FieldError
	for _, p := range []struct {
		name string
		dst  *int
	}{{"limit", &q.Limit}, {"offset", &q.Offset}} {
		if s := v.Get(p.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				fields = append(fields, apperr.FieldError{Field: p.name, Message: "整数で指定してください。"})
			}
			*p.dst = n
		}
	}
	if len(fields) > 0 {
		return q, apperr.WithFields("検索条件に誤りがあります。", fields)
	}
	return q, nil
}

func (h *CardHandlers) get() http.HandlerFunc {
	return cardAction(h.writeDetail, func(ctx context.Context, p auth.Principal, m auth.Meta, id int64, _ noBody) (ledger.Detail, error) {
		return h.Ledger.Get(ctx, p, m, id)
	})
}

type transitionRequest struct {
	To           string `json:"to"`
	Reason       string `json:"reason"`
	CancelReason string `json:"cancel_reason"`
}

func (h *CardHandlers) transition() http.HandlerFunc {
	return cardAction(h.writeDetail, func(ctx context.Context, p auth.Principal, m auth.Meta, id int64, req transitionRequest) (ledger.Detail, error) {
		return h.Ledger.Transition(ctx, p, m, id, card.Status(req.To), req.Reason, card.CancelReason(req.CancelReason))
	})
}

type remarksRequest struct {
	Remarks string `json:"remarks"`
	Version int    `json:"version"` // optional: the version the caller saw
}

func (h *CardHandlers) remarks() http.HandlerFunc {
	return cardAction(h.writeDetail, func(ctx context.Context, p auth.Principal, m auth.Meta, id int64, req remarksRequest) (ledger.Detail, error) {
		return h.Ledger.UpdateRemarks(ctx, p, m, id, req.Version, req.Remarks)
	})
}

type storageLocationRequest struct {
	StorageLocation string `json:"storage_location"`
	Version         int    `json:"version"`
}

func (h *CardHandlers) storageLocation() http.HandlerFunc {
	return cardAction(h.writeDetail, func(ctx context.Context, p auth.Principal, m auth.Meta, id int64, req storageLocationRequest) (ledger.Detail, error) {
		return h.Ledger.SetStorageLocation(ctx, p, m, id, req.Version, req.StorageLocation)
	})
}

// cardID reads the {id} of the path; anything but a number is a card
// that does not exist.
func cardID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "カードが見つかりません。")
	}
	return id, nil
}

// writeDetail answers with the card page's data: the card, its history
// and the statuses it may move to.
func (h *CardHandlers) writeDetail(w http.ResponseWriter, r *http.Request, d ledger.Detail, err error) {
	if err != nil {
		WriteError(w, r, err)
		return
	}
	c := h.cardJSON(d.Card)
	c.RawRow = d.Card.RawRow
	c.FlagDetails = h.Ledger.FlagsFor(r.Context(), []store.CardRecord{d.Card}, h.Loc)[0]
	events := make([]cardEventJSON, len(d.Events))
	for i, e := range d.Events {
		events[i] = h.eventJSON(e)
	}
	next := make([]statusJSON, len(d.Next))
	for i, s := range d.Next {
		next[i] = statusJSON{Status: s, Label: s.Label()}
	}
	WriteJSON(w, http.StatusOK, cardDetailJSON{Card: c, Events: events, AllowedNext: next})
}

type cardDetailJSON struct {
	Card        cardJSON        `json:"card"`
	Events      []cardEventJSON `json:"events"`
	AllowedNext []statusJSON    `json:"allowed_next"`
}

func (h *CardHandlers) stamp(t time.Time) string {
	loc := h.Loc
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format(time.RFC3339)
}
