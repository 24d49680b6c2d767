package web

import (
	"net/http"
	"strconv"

	"github.com/kofu-oss/kofu/internal/api"
	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/document"
	"github.com/kofu-oss/kofu/internal/filing"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/upload"
)

// Page image sizes: thumbnails on the card page, pages in the viewer.
const (
	thumbSide  = 240
	viewerSide = 1600
)

// RegisterDocuments adds the documents pages and the documents section
// of the card page: viewers may look, staff may upload, admins delete.
func (ui *UI) RegisterDocuments(rt *route.Router, svc *filing.Service) {
	ui.documents = svc
	ui.registerInbox(rt)
	ui.registerRetention(rt)
	rt.Handle("POST /staff/cards/{id}/documents", route.Staff, ui.documentUpload)
	rt.Handle("POST /staff/bookings/{id}/documents", route.Staff, ui.bookingDocumentUpload)
	rt.Handle("GET /staff/documents/{id}", route.AnyStaff, ui.documentPage)
	rt.Handle("GET /staff/documents/{id}/pages/{page}", route.AnyStaff, ui.documentPageImage)
	rt.Handle("GET /staff/documents/{id}/content", route.AnyStaff, ui.documentContent)
	rt.Handle("POST /staff/documents/{id}/delete", route.Admin, ui.documentDelete)
}

// documentsSection is the documents section of the card and booking
// pages (the "documents-section" template).
type documentsSection struct {
	Documents []filing.Document
	Kinds     []document.Kind
	Action    string // where the upload form posts
	CanEdit   bool
	Empty     string // said when there is no document
	Hint      string // said beside the form
}

func (ui *UI) cardDocumentsFor(r *http.Request, cardID int64) (*documentsSection, error) {
	if ui.documents == nil {
		return nil, nil
	}
	p, _ := route.PrincipalOf(r)
	docs, err := ui.documents.List(r.Context(), p, route.MetaOf(r), cardID)
	if err != nil {
		return nil, err
	}
	return &documentsSection{Documents: docs, Kinds: document.Kinds(), Action: "/staff/cards/" + strconv.FormatInt(cardID, 10) + "/documents",
		CanEdit: p.Role != auth.RoleViewer, Empty: "このカードの書類はありません。"}, nil
}

func (ui *UI) bookingDocumentsFor(r *http.Request, bookingID int64) (*documentsSection, error) {
	if ui.documents == nil {
		return nil, nil
	}
	p, _ := route.PrincipalOf(r)
	docs, err := ui.documents.ListBooking(r.Context(), p, route.MetaOf(r), bookingID)
	if err != nil {
		return nil, err
	}
	return &documentsSection{Documents: docs, Kinds: document.Kinds(), Action: "/staff/bookings/" + strconv.FormatInt(bookingID, 10) + "/documents",
		CanEdit: p.Role != auth.RoleViewer, Empty: "この予約の書類はありません。",
		Hint: "予約のカードが 1 枚のときは、そのカードの書類にもなります。"}, nil
}

func (ui *UI) documentUpload(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	p, _ := route.PrincipalOf(r)
	err := ui.uploadDocument(w, r, func(u filing.Upload) error {
		_, err := ui.documents.Upload(r.Context(), p, route.MetaOf(r), id, u)
		return err
	})
	if err != nil {
		d, gerr := ui.Ledger.Get(r.Context(), p, route.MetaOf(r), id)
		if gerr != nil {
			ui.ErrorPage(w, r, err)
			return
		}
		ui.renderCard(w, r, statusFor(err), withError(view{}, err), d)
		return
	}
	http.Redirect(w, r, "/staff/cards/"+strconv.FormatInt(id, 10)+"?done=document#documents", http.StatusSeeOther)
}

// bookingDocumentUpload stores a file on a booking; on failure the
// booking page with the message.
func (ui *UI) bookingDocumentUpload(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	p, _ := route.PrincipalOf(r)
	err := ui.uploadDocument(w, r, func(u filing.Upload) error {
		_, err := ui.documents.UploadToBooking(r.Context(), p, route.MetaOf(r), id, u)
		return err
	})
	if err != nil {
		ui.renderBooking(w, r, statusFor(err), withError(view{}, err), "", personInput{})
		return
	}
	http.Redirect(w, r, "/staff/bookings/"+strconv.FormatInt(id, 10)+"?done=document#documents", http.StatusSeeOther)
}

// uploadDocument streams the form's file (kind and note in any order)
// to save.
func (ui *UI) uploadDocument(w http.ResponseWriter, r *http.Request, save func(filing.Upload) error) error {
	form, err := upload.Stream(w, r, 1<<30+1<<20)
	if err != nil {
		return err
	}
	return save(filing.Upload{FileName: form.File.FileName(), Content: form.File, Fields: form.Rest})
}

type documentPageView struct {
	Document filing.Document
	Pages    []int
	CanEdit  bool
	IsAdmin  bool
}

func (ui *UI) documentPage(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	p, _ := route.PrincipalOf(r)
	d, err := ui.documents.View(r.Context(), p, route.MetaOf(r), id)
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	ui.renderDocument(w, r, http.StatusOK, view{}, d)
}

func (ui *UI) renderDocument(w http.ResponseWriter, r *http.Request, status int, v view, d filing.Document) {
	p, _ := route.PrincipalOf(r)
	pages := make([]int, d.Pages)
	for i := range pages {
		pages[i] = i + 1
	}
	v.Title = "書類 " + strconv.FormatInt(d.ID, 10) + "（" + d.KindLabel + "）"
	v.Data = documentPageView{Document: d, Pages: pages, CanEdit: p.Role != "viewer", IsAdmin: p.Role == "admin"}
	ui.render(w, r, status, "document", v)
}

// documentPageImage answers one page as a JPEG (?size=thumb for the card
// page), each one audited by the service.
func (ui *UI) documentPageImage(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	page, _ := strconv.Atoi(r.PathValue("page"))
	side := viewerSide
	if r.URL.Query().Get("size") == "thumb" {
		side = thumbSide
	}
	p, _ := route.PrincipalOf(r)
	img, err := ui.documents.PageImage(r.Context(), p, route.MetaOf(r), id, page, side)
	if err != nil {
		http.Error(w, apperr.MessageOf(err), statusFor(err))
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(img)
}

func (ui *UI) documentContent(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	p, _ := route.PrincipalOf(r)
	if err := api.ServeDocument(w, r, ui.documents, p, id); err != nil {
		ui.ErrorPage(w, r, err)
	}
}

func (ui *UI) documentDelete(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	p, _ := route.PrincipalOf(r)
	d, err := ui.documents.Get(r.Context(), id)
	if err == nil {
		err = ui.documents.Delete(r.Context(), p, route.MetaOf(r), id, r.PostFormValue("reason"))
	}
	if err != nil {
		if d.ID == 0 {
			ui.ErrorPage(w, r, err)
			return
		}
		ui.renderDocument(w, r, statusFor(err), withError(view{}, err), d)
		return
	}
	switch {
	case d.CardID != 0:
		http.Redirect(w, r, "/staff/cards/"+strconv.FormatInt(d.CardID, 10)+"?done=document_deleted#documents", http.StatusSeeOther)
	case d.BookingID != 0:
		http.Redirect(w, r, "/staff/bookings/"+strconv.FormatInt(d.BookingID, 10)+"?done=document_deleted#documents", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/staff/documents/inbox", http.StatusSeeOther)
	}
}
