package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/scan"
	"github.com/kofu-oss/kofu/internal/store"
)

func (ui *UI) registerCards(rt *route.Router) {
	rt.Handle("GET /staff/cards", route.AnyStaff, ui.cardsPage)
	rt.Handle("GET /staff/cards/export.csv", route.AnyStaff, ui.cardsExport)
	rt.Handle("GET /staff/cards/{id}", route.AnyStaff, ui.cardPage)
	rt.Handle("POST /staff/cards/{id}/transition", route.Staff, ui.cardTransition)
	rt.Handle("POST /staff/cards/{id}/remarks", route.Staff, ui.cardRemarks)
	rt.Handle("POST /staff/cards/{id}/storage", route.Staff, ui.cardStorage)
	rt.Handle("GET /staff/scan", route.AnyStaff, ui.scan)
}

// cardView is a card as the pages show it: the stored record plus the
// name with the city's 外字 table applied.
type cardView struct {
	store.CardRecord
	DisplayName string
	Unmapped    bool          // the name still holds 外字 the table does not know
	Aux         []ledger.Flag // what staff must notice (ledger.Flags)
}

func (ui *UI) cardViews(r *http.Request, recs []store.CardRecord) []cardView {
	m, _ := ui.Gaiji.Map(r.Context())
	flags := ui.Ledger.FlagsFor(r.Context(), recs, ui.Loc)
	out := make([]cardView, len(recs))
	for i, c := range recs {
		shown := moji.ApplyGaiji(c.Resident.Name, m)
		out[i] = cardView{CardRecord: c, DisplayName: shown, Unmapped: moji.HasPUA(shown), Aux: flags[i]}
	}
	return out
}

type cardsView struct {
	Query    url.Values
	Cards    []cardView
	Total    int
	Searched bool
	Statuses []card.Status
	Flags    []string // stored flags staff may search by
	Prev     string
	Next     string
	Export   string
}

func (ui *UI) cardsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := cardsView{Query: q, Statuses: card.AllStatuses(), Flags: []string{card.FlagGaiji, card.FlagSurfacePending}}
	if !hasSearch(q) {
		ui.render(w, r, http.StatusOK, "cards", view{Title: "カードの検索", Data: v})
		return
	}
	query := searchQuery(q)
	p, _ := route.PrincipalOf(r)
	res, err := ui.Ledger.Search(r.Context(), p, route.MetaOf(r), query)
	if err != nil {
		ui.render(w, r, statusFor(err), "cards", withError(view{Title: "カードの検索", Data: v}, err))
		return
	}
	v.Cards, v.Total, v.Searched = ui.cardViews(r, res.Cards), res.Total, true
	v.Export = "/staff/cards/export.csv?" + q.Encode()
	if res.Offset > 0 {
		v.Prev = withOffset("/staff/cards", q, max(0, res.Offset-res.Limit))
	}
	if res.Offset+len(res.Cards) < res.Total {
		v.Next = withOffset("/staff/cards", q, res.Offset+res.Limit)
	}
	ui.render(w, r, http.StatusOK, "cards", view{Title: "カードの検索", Data: v})
}

func hasSearch(q url.Values) bool {
	for k, v := range q {
		if k != "offset" && k != "sort" && strings.Join(v, "") != "" {
			return true
		}
	}
	return false
}

// searchQuery reads the search form (the API uses the same names).
func searchQuery(v url.Values) ledger.Query {
	q := ledger.Query{NoticeNumber: v.Get("notice_number"), ApplicationID: v.Get("application_id"), Q: v.Get("q"),
		BirthDate: v.Get("birth_date"), Statuses: v["status"], DeliveredFrom: v.Get("delivered_from"),
		DeliveredTo: v.Get("delivered_to"), Box: v.Get("box"), StorageLocation: v.Get("storage_location"),
		Remarks: v.Get("remarks"), Method: v.Get("method"), Flag: v.Get("flag"), Sort: v.Get("sort")}
	q.Offset, _ = strconv.Atoi(v.Get("offset"))
	return q
}

func withOffset(path string, q url.Values, offset int) string {
	c := url.Values{}
	for k, v := range q {
		c[k] = v
	}
	c.Set("offset", strconv.Itoa(offset))
	return path + "?" + c.Encode()
}

type cardPageView struct {
	Card    cardView
	Events  []store.CardEvent
	Next    []card.Status // every move the card allows now (ledger.NextStatuses)
	Reasons []card.CancelReason
	CanEdit bool
	// Reissues are the resident's reissues (nil without the reissue pages).
	Reissues *cardReissues
	// Bookings are the bookings still waiting in which the card's holder is
	// expected (one at most).
	Bookings []bookingRow
	// Documents are the card's documents (nil without the documents pages).
	Documents *documentsSection
	// Receptions are the card's 交付受付確認票 (nil without the tablet
	// reception).
	Receptions *cardReceptions
}

func (ui *UI) cardPage(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	p, _ := route.PrincipalOf(r)
	d, err := ui.Ledger.Get(r.Context(), p, route.MetaOf(r), id)
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	ui.renderCard(w, r, http.StatusOK, view{Notice: cardNotices[r.URL.Query().Get("done")]}, d)
}

var cardNotices = map[string]string{
	"status":           "状態を変更しました。",
	"remarks":          "備考を保存しました。",
	"storage":          "保管場所を保存しました。",
	"document":         "書類を登録しました。",
	"document_deleted": "書類を削除しました。",
}

func (ui *UI) renderCard(w http.ResponseWriter, r *http.Request, status int, v view, d ledger.Detail) {
	p, _ := route.PrincipalOf(r)
	reissues, err := ui.cardReissuesFor(r, d.Card.Resident.ID)
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	bookings, err := ui.cardBookings(r, d.Card.ID)
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	docs, err := ui.cardDocumentsFor(r, d.Card.ID)
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	recs, err := ui.cardReceptionsFor(r, d.Card.ID)
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	v.Title = cardTitle(d.Card)
	v.Data = cardPageView{Card: ui.cardViews(r, []store.CardRecord{d.Card})[0], Events: d.Events, Next: d.Next,
		Reasons: card.AllCancelReasons(), CanEdit: p.Role != "viewer", Reissues: reissues, Bookings: bookings, Documents: docs,
		Receptions: recs}
	ui.render(w, r, status, "card", v)
}

// cardBookings are the card's waiting bookings (none without the booking
// service); the service audits the read.
func (ui *UI) cardBookings(r *http.Request, cardID int64) ([]bookingRow, error) {
	if ui.Reserve == nil {
		return nil, nil
	}
	p, _ := route.PrincipalOf(r)
	bs, err := ui.Reserve.CardBookings(r.Context(), p, route.MetaOf(r), cardID)
	if err != nil {
		return nil, err
	}
	return ui.bookingRows(r, bs), nil
}

// Moves are the card's moves but cancelling, which the page sets apart.
func (v cardPageView) Moves() []card.Status {
	return slices.DeleteFunc(slices.Clone(v.Next), func(s card.Status) bool { return s == card.StatusCancelled })
}

// CanCancel reports whether the card may be cancelled now.
func (v cardPageView) CanCancel() bool { return slices.Contains(v.Next, card.StatusCancelled) }

// cardTitle names the card by its notice number, or its application ID
// when it has none: the heading never repeats the holder's name, which
// would end up in the browser's history.
func cardTitle(rec store.CardRecord) string {
	if rec.NoticeNumber != "" {
		return "カード " + rec.NoticeNumber
	}
	return "カード（申請書ID " + rec.Application.ApplicationID + "）"
}

// cardAction runs a change from the card page and shows the card again:
// on success after a redirect, on failure with the message in place.
func (ui *UI) cardAction(w http.ResponseWriter, r *http.Request, done string, fn func(id int64, version int) (ledger.Detail, error)) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if _, err := fn(id, version); err != nil {
		p, _ := route.PrincipalOf(r)
		d, gerr := ui.Ledger.Get(r.Context(), p, route.MetaOf(r), id)
		if gerr != nil {
			ui.ErrorPage(w, r, err)
			return
		}
		ui.renderCard(w, r, statusFor(err), withError(view{}, err), d)
		return
	}
	http.Redirect(w, r, "/staff/cards/"+strconv.FormatInt(id, 10)+"?done="+done, http.StatusSeeOther)
}

func (ui *UI) cardTransition(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	ui.cardAction(w, r, "status", func(id int64, _ int) (ledger.Detail, error) {
		return ui.Ledger.Transition(r.Context(), p, route.MetaOf(r), id, card.Status(r.PostFormValue("to")),
			r.PostFormValue("reason"), card.CancelReason(r.PostFormValue("cancel_reason")))
	})
}

func (ui *UI) cardRemarks(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	ui.cardAction(w, r, "remarks", func(id int64, version int) (ledger.Detail, error) {
		return ui.Ledger.UpdateRemarks(r.Context(), p, route.MetaOf(r), id, version, r.PostFormValue("remarks"))
	})
}

func (ui *UI) cardStorage(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	ui.cardAction(w, r, "storage", func(id int64, version int) (ledger.Detail, error) {
		return ui.Ledger.SetStorageLocation(r.Context(), p, route.MetaOf(r), id, version, r.PostFormValue("storage_location"))
	})
}

// scan opens what was scanned (or typed) in the header's field: the card
// of a notice number, or the booking of a booking code or its QR's text.
func (ui *UI) scan(w http.ResponseWriter, r *http.Request) {
	switch kind, v := scan.Parse(r.URL.Query().Get("code")); kind {
	case scan.Notice:
		ui.scanCard(w, r, v)
	case scan.Booking:
		ui.scanBooking(w, r, v)
	default:
		ui.render(w, r, http.StatusUnprocessableEntity, "cards", view{Title: "カードの検索",
			Error: "交付通知書番号・予約番号を読み取れませんでした。もう一度スキャンしてください。", Data: cardsView{Statuses: card.AllStatuses()}})
	}
}

// scanCard opens the card of a notice number.
func (ui *UI) scanCard(w http.ResponseWriter, r *http.Request, code string) {
	p, _ := route.PrincipalOf(r)
	res, err := ui.Ledger.Search(r.Context(), p, route.MetaOf(r), ledger.Query{NoticeNumber: code})
	if err == nil && len(res.Cards) == 0 {
		err = apperr.New(apperr.NotFound, "交付通知書番号 "+code+" のカードは台帳にありません。")
	}
	if err != nil {
		ui.render(w, r, statusFor(err), "cards", withError(view{Title: "カードの検索",
			Data: cardsView{Query: url.Values{"notice_number": {code}}, Statuses: card.AllStatuses()}}, err))
		return
	}
	http.Redirect(w, r, "/staff/cards/"+strconv.FormatInt(res.Cards[0].ID, 10), http.StatusSeeOther)
}

// scanBooking opens the booking of a code (stored form); the search is
// audited like any other.
func (ui *UI) scanBooking(w http.ResponseWriter, r *http.Request, code string) {
	p, _ := route.PrincipalOf(r)
	res, err := ui.Reserve.Search(r.Context(), p, route.MetaOf(r), reserve.SearchQuery{Code: code, Limit: 1})
	if err == nil && len(res.Bookings) == 0 {
		err = apperr.New(apperr.NotFound, "予約番号 "+reserve.FormatCode(code)+" の予約はありません。")
	}
	if err != nil {
		q := url.Values{"code": {reserve.FormatCode(code)}}
		ui.render(w, r, statusFor(err), "bookings", withError(view{Title: "予約の検索",
			Data: bookingsView{Query: q, Statuses: bookingStatusOptions()}}, err))
		return
	}
	http.Redirect(w, r, "/staff/bookings/"+strconv.FormatInt(res.Bookings[0].ID, 10), http.StatusSeeOther)
}

// cardsExport downloads the search result as CSV for Excel.
func (ui *UI) cardsExport(w http.ResponseWriter, r *http.Request) {
	enc, ok := export.ParseEncoding(r.URL.Query().Get("encoding"))
	if !ok {
		enc = export.UTF8
	}
	export.SetHeaders(w.Header(), "cards.csv", enc)
	p, _ := route.PrincipalOf(r)
	if err := ui.Ledger.Export(r.Context(), p, route.MetaOf(r), searchQuery(r.URL.Query()), enc, w); err != nil {
		ui.ErrorPage(w, r, err)
	}
}
