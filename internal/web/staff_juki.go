package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/juki"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/upload"
)

// RegisterJuki adds the resident-register pages.
func (ui *UI) RegisterJuki(rt *route.Router, svc *juki.Service) {
	p := jukiPages{ui: ui, svc: svc}
	rt.Handle("GET /staff/juki", route.AnyStaff, p.page)
	rt.Handle("POST /staff/juki/import", route.Staff, p.importExtract)
	rt.Handle("POST /staff/juki/proposals/{id}/confirm", route.Staff, p.decide(svc.Confirm))
	rt.Handle("POST /staff/juki/proposals/{id}/dismiss", route.Staff, p.decide(svc.Dismiss))
}

type jukiPages struct {
	ui  *UI
	svc *juki.Service
}

type jukiView struct {
	Q, Birth  string
	Found     []store.RegisterResident
	Searched  bool
	Proposals []jukiProposal
	Result    *juki.Result
}

// jukiProposal is a proposal with the holder's name as the pages show it:
// the city's 外字 table applied, 外字 it does not know kept and marked.
type jukiProposal struct {
	store.Proposal
	DisplayName string
	Unmapped    bool
}

func (p jukiPages) proposalRows(r *http.Request, props []store.Proposal) []jukiProposal {
	m, _ := p.ui.Gaiji.Map(r.Context())
	out := make([]jukiProposal, len(props))
	for i, x := range props {
		shown := moji.ApplyGaiji(x.Name, m)
		out[i] = jukiProposal{Proposal: x, DisplayName: shown, Unmapped: moji.HasPUA(shown)}
	}
	return out
}

func (p jukiPages) page(w http.ResponseWriter, r *http.Request) {
	notice := map[string]string{"confirmed": "廃止にしました。", "dismissed": "提案を取り下げました。"}[r.URL.Query().Get("done")]
	p.render(w, r, http.StatusOK, view{Notice: notice}, nil)
}

// render shows the lookup (when asked), the proposals and v's messages.
func (p jukiPages) render(w http.ResponseWriter, r *http.Request, status int, v view, res *juki.Result) {
	q := r.URL.Query()
	data := jukiView{Q: q.Get("q"), Birth: q.Get("birth_date"), Result: res}
	pr, _ := route.PrincipalOf(r)
	if data.Q != "" || data.Birth != "" {
		found, err := p.svc.Lookup(r.Context(), pr, route.MetaOf(r), data.Q, data.Birth)
		if err != nil {
			p.ui.ErrorPage(w, r, err)
			return
		}
		data.Found, data.Searched = found, true
	}
	props, err := p.svc.Proposals(r.Context(), pr, route.MetaOf(r))
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	data.Proposals = p.proposalRows(r, props)
	v.Title, v.Data = "住民基本台帳の照会・廃止の提案", data
	p.ui.render(w, r, status, "juki", v)
}

func (p jukiPages) importExtract(w http.ResponseWriter, r *http.Request) {
	part, _, err := upload.File(w, r)
	var res juki.Result
	if err == nil {
		pr, _ := route.PrincipalOf(r)
		res, err = p.svc.Import(r.Context(), pr, route.MetaOf(r), part)
	}
	if err != nil {
		p.render(w, r, statusFor(err), withError(view{}, err), &res)
		return
	}
	p.render(w, r, http.StatusOK, view{Notice: "取り込みました。"}, &res)
}

func (p jukiPages) decide(fn func(context.Context, auth.Principal, auth.Meta, int64) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		pr, _ := route.PrincipalOf(r)
		if err := fn(r.Context(), pr, route.MetaOf(r), id); err != nil {
			p.render(w, r, statusFor(err), withError(view{}, err), nil)
			return
		}
		done := "dismissed"
		if r.URL.Path[len(r.URL.Path)-len("confirm"):] == "confirm" {
			done = "confirmed"
		}
		http.Redirect(w, r, "/staff/juki?done="+done, http.StatusSeeOther)
	}
}
