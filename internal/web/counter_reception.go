package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/reception"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/route"
)

// ReceptionDeps are what the tablet reception (交付受付確認票) needs.
type ReceptionDeps struct {
	Reception *reception.Service
	// Paper gives the printed form's municipality name and 外字 table.
	Paper func(context.Context) (reception.Paper, error)
}

// receptionPages are the desk tablet's pages: counter_layout.html, no
// staff menu, since the resident holds the tablet.
type receptionPages struct {
	*counterPages
	ReceptionDeps
}

// maxSignatureForm bounds the tablet's form: the signature's data URL
// (base64 of at most reception.SignatureLimits) and the ticks.
const maxSignatureForm = 1 << 20

// RegisterReception adds the tablet reception, the signature image and
// the printable form. Viewers may look; only staff record.
func (ui *UI) RegisterReception(rt *route.Router, d ReceptionDeps) {
	rp := &receptionPages{counterPages: ui.counterSite(CounterDeps{}), ReceptionDeps: d}
	ui.reception = d.Reception
	rt.Handle("GET /staff/bookings/{id}/reception", route.AnyStaff, rp.page)
	rt.Handle("POST /staff/bookings/{id}/reception", route.Staff, rp.confirm)
	rt.Handle("GET /staff/bookings/{id}/reception.pdf", route.AnyStaff, rp.pdf)
	rt.Handle("GET /staff/bookings/{id}/reception/{person}/signature.png", route.AnyStaff, rp.signature)
}

// receptionItem is one line of the confirmation with its state on the form.
type receptionItem struct {
	reception.Item
	Checked bool
}

type receptionView struct {
	Booking   bookingRow
	Person    *personRow // the person confirming; nil: all are done, or choose
	Waiting   []personRow
	Done      map[int64]reception.Confirmation
	Items     []receptionItem
	Documents []string
	Brought   []string
	CanEdit   bool
}

// Confirmed returns a person's confirmation, if any.
func (v receptionView) Confirmed(personID int64) *reception.Confirmation {
	if c, ok := v.Done[personID]; ok {
		return &c
	}
	return nil
}

// receptionInput is what the form held, kept when it is refused.
type receptionInput struct {
	Person  string
	Ticks   []string
	Brought []string
}

func (rp *receptionPages) page(w http.ResponseWriter, r *http.Request) {
	v := cview{}
	if r.URL.Query().Get("done") != "" {
		v.Notice = "確認票を受け付けました。"
	}
	rp.renderPage(w, r, http.StatusOK, v, receptionInput{Person: r.URL.Query().Get("person")})
}

func (rp *receptionPages) renderPage(w http.ResponseWriter, r *http.Request, status int, v cview, in receptionInput) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	p, _ := route.PrincipalOf(r)
	b, err := rp.ui.Reserve.StaffGet(r.Context(), p, route.MetaOf(r), id)
	if err != nil {
		rp.ui.ErrorPage(w, r, err)
		return
	}
	done, err := rp.Reception.ForBooking(r.Context(), p, route.MetaOf(r), id)
	if err != nil {
		rp.ui.ErrorPage(w, r, err)
		return
	}
	row := rp.ui.bookingRows(r, []reserve.Booking{b})[0]
	data := receptionView{Booking: row, Done: done, Documents: reception.Documents(), Brought: in.Brought,
		CanEdit: p.Role != "viewer"}
	for _, pr := range row.People {
		if pr.Active && pr.HasCard {
			data.Waiting = append(data.Waiting, pr)
		}
	}
	data.Person = rp.personToConfirm(data, in.Person)
	for _, it := range reception.Items() {
		data.Items = append(data.Items, receptionItem{Item: it, Checked: slices.Contains(in.Ticks, it.Key)})
	}
	v.Title, v.Data, v.Script = "交付受付確認票", data, "reception.js"
	rp.render(w, r, status, "reception", v)
}

// personToConfirm is the person chosen, or else the first waiting person
// who has not confirmed yet.
func (rp *receptionPages) personToConfirm(v receptionView, chosenID string) *personRow {
	for i, pr := range v.Waiting {
		if strconv.FormatInt(pr.ID, 10) == chosenID {
			return &v.Waiting[i]
		}
	}
	for i, pr := range v.Waiting {
		if _, ok := v.Done[pr.ID]; !ok {
			return &v.Waiting[i]
		}
	}
	return nil
}

func (rp *receptionPages) confirm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSignatureForm)
	if err := r.ParseForm(); err != nil {
		rp.renderPage(w, r, http.StatusRequestEntityTooLarge, cview{Error: "署名の画像が大きすぎます。書き直してから、もう一度送ってください。"}, receptionInput{})
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	in := receptionInput{Person: r.PostFormValue("person_id"), Ticks: r.PostForm["ticks"], Brought: r.PostForm["brought"]}
	personID, _ := strconv.ParseInt(in.Person, 10, 64)
	req := reception.Request{PersonID: personID, Paper: r.PostFormValue("mode") == "paper", Ticks: in.Ticks, Brought: in.Brought}
	var err error
	if !req.Paper {
		req.Signature, err = signatureOf(r.PostFormValue("signature"))
	}
	if err == nil {
		p, _ := route.PrincipalOf(r)
		_, err = rp.Reception.Confirm(r.Context(), p, route.MetaOf(r), id, req)
	}
	if err != nil {
		rp.renderPage(w, r, statusFor(err), withCounterError(cview{}, err), in)
		return
	}
	http.Redirect(w, r, "/staff/bookings/"+strconv.FormatInt(id, 10)+"/reception?"+url.Values{"done": {in.Person}}.Encode(), http.StatusSeeOther)
}

// signatureOf reads the canvas's data URL (data:image/png;base64,…);
// what it holds is recognised by the service.
func signatureOf(dataURL string) ([]byte, error) {
	if dataURL == "" {
		return nil, nil
	}
	_, b64, ok := strings.Cut(dataURL, ";base64,")
	png, err := base64.StdEncoding.DecodeString(b64)
	if !ok || err != nil {
		return nil, apperr.New(reception.CodeSignatureFormat, "署名の画像を読み取れませんでした。書き直してから、もう一度送ってください。")
	}
	return png, nil
}

func (rp *receptionPages) pdf(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	personID, _ := strconv.ParseInt(r.URL.Query().Get("person"), 10, 64)
	pp, err := rp.Paper(r.Context())
	if err != nil {
		rp.ui.ErrorPage(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	var buf bytes.Buffer
	if err := rp.Reception.PDF(r.Context(), p, route.MetaOf(r), id, personID, pp, &buf); err != nil {
		rp.ui.ErrorPage(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="reception-`+strconv.FormatInt(id, 10)+`.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

func (rp *receptionPages) signature(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	personID, _ := strconv.ParseInt(r.PathValue("person"), 10, 64)
	p, _ := route.PrincipalOf(r)
	png, err := rp.Reception.Signature(r.Context(), p, route.MetaOf(r), id, personID)
	if err != nil {
		rp.ui.ErrorPage(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(png)
}

// cardReceptions is the card page's 交付受付確認票 section.
type cardReceptions struct {
	Confirmations []reception.Confirmation
}

// ItemLabel is the text of a confirmation's item.
func (cardReceptions) ItemLabel(key string) string { return reception.ItemLabel(key) }

// cardReceptionsFor reads a card's confirmations (the service audits it).
func (ui *UI) cardReceptionsFor(r *http.Request, cardID int64) (*cardReceptions, error) {
	if ui.reception == nil {
		return nil, nil
	}
	p, _ := route.PrincipalOf(r)
	cs, err := ui.reception.ForCard(r.Context(), p, route.MetaOf(r), cardID)
	if err != nil {
		return nil, err
	}
	return &cardReceptions{Confirmations: cs}, nil
}
