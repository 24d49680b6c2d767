package web

import (
	"context"
	"html/template"
	"net/http"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/sitetext"
)

// RegisterTexts adds the admins' page for the citizen site's texts.
func (ui *UI) RegisterTexts(rt *route.Router) {
	p := textPages{ui: ui, svc: ui.Texts}
	rt.Handle("GET /staff/settings/texts", route.Admin, p.list)
	rt.Handle("POST /staff/settings/texts/{key}", route.Admin, p.post)
	rt.Handle("POST /staff/settings/contact-phone", route.Admin, p.savePhone)
}

// textsPage is the texts page: the help line's number (a booking
// setting, also used in mails) and the editable texts.
type textsPage struct {
	Phone      string
	PhoneError string
	Entries    []textEntry
}

type textPages struct {
	ui  *UI
	svc *sitetext.Service
}

// textEntry is one text on the page: what is in force, the draft in the
// boxes (after a preview or an error), its preview and its errors.
type textEntry struct {
	sitetext.Entry
	Draft     map[string]string
	Preview   map[string]template.HTML
	Previewed bool
	Errors    map[string]string
}

func (p textPages) list(w http.ResponseWriter, r *http.Request) {
	notice := map[string]string{"saved": "文言を保存しました。住民向けサイトにすぐ反映されます。", "reset": "既定の文言に戻しました。",
		"phone": "電話番号を保存しました。"}[r.URL.Query().Get("done")]
	p.render(w, r, http.StatusOK, view{Notice: notice}, textEntry{})
}

// savePhone changes the help line's number in the booking settings.
func (p textPages) savePhone(w http.ResponseWriter, r *http.Request) {
	phone := strings.TrimSpace(r.PostFormValue("contact_phone"))
	st, err := p.ui.Reserve.Settings(r.Context())
	if err == nil {
		st.ContactPhone = phone
		pr, _ := route.PrincipalOf(r)
		err = p.ui.Reserve.SaveSettings(r.Context(), pr, route.MetaOf(r), st)
	}
	if err != nil && apperr.CodeOf(err) != apperr.Invalid {
		p.ui.ErrorPage(w, r, err)
		return
	}
	if err != nil {
		msg := apperr.MessageOf(err)
		for _, f := range apperr.FieldsOf(err) {
			if f.Field == "contact_phone" {
				msg = f.Message
			}
		}
		p.renderPhone(w, r, statusFor(err), view{Error: msg}, phone, msg)
		return
	}
	http.Redirect(w, r, "/staff/settings/texts?done=phone", http.StatusSeeOther)
}

// render shows every text; current replaces the one being edited.
func (p textPages) render(w http.ResponseWriter, r *http.Request, status int, v view, current textEntry) {
	p.renderAll(w, r, status, v, current, nil)
}

func (p textPages) renderPhone(w http.ResponseWriter, r *http.Request, status int, v view, phone, problem string) {
	p.renderAll(w, r, status, v, textEntry{}, &textsPage{Phone: phone, PhoneError: problem})
}

// renderAll shows the page; phone, when set, is a typed number to show
// again with its problem.
func (p textPages) renderAll(w http.ResponseWriter, r *http.Request, status int, v view, current textEntry, phone *textsPage) {
	entries, err := p.svc.List(r.Context())
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	page := textsPage{}
	if phone != nil {
		page = *phone
	} else if st, err := p.ui.Reserve.Settings(r.Context()); err == nil {
		page.Phone = st.ContactPhone
	}
	out := make([]textEntry, len(entries))
	for i, e := range entries {
		out[i] = textEntry{Entry: e, Draft: e.Value}
		if e.Key == current.Key {
			current.Entry = e
			out[i] = current
		}
	}
	v.Title = "住民向けサイトの文言"
	page.Entries = out
	v.Data = page
	p.ui.render(w, r, status, "texts", v)
}

// post saves, previews or resets one text.
func (p textPages) post(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	pr, _ := route.PrincipalOf(r)
	drafts := map[string]string{"ja": r.PostFormValue("ja"), "en": r.PostFormValue("en")}
	switch action := r.PostFormValue("action"); action {
	case "preview":
		p.preview(w, r, key, drafts)
	case "page-ja", "page-en":
		p.previewTop(w, r, key, drafts, strings.TrimPrefix(action, "page-"))
	case "reset":
		if _, err := p.svc.Reset(r.Context(), pr, route.MetaOf(r), key); err != nil {
			p.ui.ErrorPage(w, r, err)
			return
		}
		http.Redirect(w, r, "/staff/settings/texts?done=reset#text-"+key, http.StatusSeeOther)
	default:
		if _, err := p.svc.Save(r.Context(), pr, route.MetaOf(r), key, drafts); err != nil {
			p.failed(w, r, key, drafts, err)
			return
		}
		http.Redirect(w, r, "/staff/settings/texts?done=saved#text-"+key, http.StatusSeeOther)
	}
}

// preview shows the drafts as residents would see them, saving nothing.
func (p textPages) preview(w http.ResponseWriter, r *http.Request, key string, drafts map[string]string) {
	if err := sitetext.Validate(key, drafts); err != nil {
		p.failed(w, r, key, drafts, err)
		return
	}
	cur := textEntry{Entry: sitetext.Entry{Def: sitetext.Def{Key: key}}, Draft: drafts, Previewed: true, Preview: map[string]template.HTML{}}
	set := sitetext.Set{}
	for _, l := range sitetext.Langs {
		set = set.With(key, l, sitetext.Normalize(drafts[l]))
		text, _ := set.Get(key, l)
		cur.Preview[l] = paragraphs(text)
	}
	p.render(w, r, http.StatusOK, view{Notice: "プレビューです。まだ保存していません。"}, cur)
}

func (p textPages) failed(w http.ResponseWriter, r *http.Request, key string, drafts map[string]string, err error) {
	if apperr.CodeOf(err) != apperr.Invalid {
		p.ui.ErrorPage(w, r, err)
		return
	}
	cur := textEntry{Entry: sitetext.Entry{Def: sitetext.Def{Key: key}}, Draft: drafts, Errors: map[string]string{}}
	for _, f := range apperr.FieldsOf(err) {
		cur.Errors[f.Field] = f.Message
	}
	p.render(w, r, statusFor(err), view{Error: apperr.MessageOf(err)}, cur)
}

// textLang is a language of the texts as the page names it.
type textLang struct{ Code, Name string }

// textDraft is the texts a staff preview shows instead of those in force.
type textDraft struct{ set sitetext.Set }

type textDraftKey struct{}

// previewTop shows the citizen top page in lang with the draft of key,
// saving nothing.
func (p textPages) previewTop(w http.ResponseWriter, r *http.Request, key string, drafts map[string]string, lang string) {
	if !onTop(key) {
		p.preview(w, r, key, drafts)
		return
	}
	if err := sitetext.Validate(key, drafts); err != nil {
		p.failed(w, r, key, drafts, err)
		return
	}
	set, err := p.svc.Texts(r.Context())
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	for _, l := range sitetext.Langs {
		set = set.With(key, l, sitetext.Normalize(drafts[l]))
	}
	r.Form.Set("hl", lang) // the page's language, as a step form carries it
	r.PostForm.Set("hl", lang)
	p.ui.publicSite().top(w, r.WithContext(context.WithValue(r.Context(), textDraftKey{}, textDraft{set: set})))
}

func onTop(key string) bool {
	for _, d := range sitetext.Defs() {
		if d.Key == key {
			return d.OnTop
		}
	}
	return false
}
