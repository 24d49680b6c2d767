package web

import (
	"net/http"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/gaiji"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/upload"
)

func (ui *UI) registerGaiji(rt *route.Router) {
	rt.Handle("GET /staff/gaiji", route.AnyStaff, ui.gaijiPage)
	rt.Handle("POST /staff/gaiji", route.Admin, ui.gaijiPut)
	rt.Handle("POST /staff/gaiji/import", route.Admin, ui.gaijiImport)
	rt.Handle("POST /staff/gaiji/{code}/delete", route.Admin, ui.gaijiDelete)
}

type gaijiView struct {
	Entries []store.Gaiji
	Review  []gaiji.Unresolved
	Input   map[string]string
}

func (ui *UI) gaijiPage(w http.ResponseWriter, r *http.Request) {
	notice := map[string]string{"saved": "外字表を更新しました。"}[r.URL.Query().Get("done")]
	ui.renderGaiji(w, r, http.StatusOK, view{Notice: notice}, nil)
}

func (ui *UI) renderGaiji(w http.ResponseWriter, r *http.Request, status int, v view, input map[string]string) {
	p, _ := route.PrincipalOf(r)
	entries, err := ui.Gaiji.Entries(r.Context())
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	review, err := ui.Gaiji.Review(r.Context(), p, route.MetaOf(r))
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	v.Title, v.Data = "外字", gaijiView{Entries: entries, Review: review, Input: input}
	ui.render(w, r, status, "gaiji", v)
}

func (ui *UI) gaijiPut(w http.ResponseWriter, r *http.Request) {
	input := map[string]string{"code": r.PostFormValue("code"), "text": r.PostFormValue("text"), "note": r.PostFormValue("note")}
	cp, err := gaiji.ParseCode(input["code"])
	if err != nil {
		err = apperr.WithFields(err.Error(), []apperr.FieldError{{Field: "code", Message: err.Error()}})
	} else {
		p, _ := route.PrincipalOf(r)
		err = ui.Gaiji.Put(r.Context(), p, route.MetaOf(r), []gaiji.Entry{{CodePoint: cp, Text: input["text"], Note: input["note"]}})
	}
	if err != nil {
		ui.renderGaiji(w, r, statusFor(err), withError(view{}, err), input)
		return
	}
	http.Redirect(w, r, "/staff/gaiji?done=saved", http.StatusSeeOther)
}

func (ui *UI) gaijiImport(w http.ResponseWriter, r *http.Request) {
	part, _, err := upload.File(w, r)
	if err == nil {
		p, _ := route.PrincipalOf(r)
		_, err = ui.Gaiji.LoadCSV(r.Context(), p, route.MetaOf(r), part)
	}
	if err != nil {
		ui.renderGaiji(w, r, statusFor(err), withError(view{}, err), nil)
		return
	}
	http.Redirect(w, r, "/staff/gaiji?done=saved", http.StatusSeeOther)
}

func (ui *UI) gaijiDelete(w http.ResponseWriter, r *http.Request) {
	cp, err := gaiji.ParseCode(r.PathValue("code"))
	if err == nil {
		p, _ := route.PrincipalOf(r)
		err = ui.Gaiji.Delete(r.Context(), p, route.MetaOf(r), cp)
	} else {
		err = apperr.New(apperr.Invalid, err.Error())
	}
	if err != nil {
		ui.renderGaiji(w, r, statusFor(err), withError(view{}, err), nil)
		return
	}
	http.Redirect(w, r, "/staff/gaiji?done=saved", http.StatusSeeOther)
}
