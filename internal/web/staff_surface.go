package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/surface"
)

// RegisterSurface adds the card surface update (券面更新) pages: the list
// with filters, and a card's updates with the form to record one.
func (ui *UI) RegisterSurface(rt *route.Router, svc *surface.Service) {
	p := surfacePages{ui: ui, svc: svc}
	rt.Handle("GET /staff/surface", route.AnyStaff, p.list)
	rt.Handle("GET /staff/cards/{id}/surface", route.AnyStaff, p.card)
	rt.Handle("POST /staff/cards/{id}/surface", route.Staff, p.register)
	rt.Handle("POST /staff/surface/{id}/done", route.Staff, p.done)
	rt.Handle("POST /staff/surface/{id}/withdraw", route.Staff, p.withdraw)
}

type surfacePages struct {
	ui  *UI
	svc *surface.Service
}

type surfaceOption struct{ Value, Label string }

func surfaceKinds() []surfaceOption {
	var out []surfaceOption
	for _, k := range surface.Kinds() {
		out = append(out, surfaceOption{k, surface.KindLabel(k)})
	}
	return out
}

func surfaceStates() []surfaceOption {
	var out []surfaceOption
	for _, s := range surface.States() {
		out = append(out, surfaceOption{s, surface.StateLabel(s)})
	}
	return out
}

// surfaceRow is an update as the pages show it: names with the city's 外字
// table applied (the stored values keep the 外字 as received).
type surfaceRow struct {
	store.SurfaceUpdate
	KindLabel  string
	StateLabel string
	Old, New   string
	Card       *cardView // in the list only
}

func (p surfacePages) rows(r *http.Request, us []store.SurfaceUpdate) []surfaceRow {
	m, _ := p.ui.Gaiji.Map(r.Context())
	out := make([]surfaceRow, len(us))
	for i, u := range us {
		out[i] = surfaceRow{SurfaceUpdate: u, KindLabel: surface.KindLabel(u.Kind), StateLabel: surface.StateLabel(u.State),
			Old: u.OldValue, New: u.NewValue}
		if u.Kind == store.SurfaceName {
			out[i].Old, out[i].New = moji.ApplyGaiji(u.OldValue, m), moji.ApplyGaiji(u.NewValue, m)
		}
	}
	return out
}

type surfaceListView struct {
	Query  url.Values
	Kinds  []surfaceOption
	States []surfaceOption
	Rows   []surfaceRow
	Total  int
	Prev   string
	Next   string
}

func (p surfacePages) list(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := surface.Query{Kind: v.Get("kind"), State: v.Get("state"), From: v.Get("from"), To: v.Get("to"),
		Staff: v.Get("staff"), Text: v.Get("q")}
	q.Offset, _ = strconv.Atoi(v.Get("offset"))
	data := surfaceListView{Query: v, Kinds: surfaceKinds(), States: surfaceStates()}
	pr, _ := route.PrincipalOf(r)
	l, err := p.svc.List(r.Context(), pr, route.MetaOf(r), q)
	if err != nil {
		p.ui.render(w, r, statusFor(err), "surfaces", withError(view{Title: "券面更新の一覧", Data: data}, err))
		return
	}
	recs := make([]store.CardRecord, len(l.Rows))
	us := make([]store.SurfaceUpdate, len(l.Rows))
	for i, x := range l.Rows {
		recs[i], us[i] = x.Card, x.SurfaceUpdate
	}
	cards := p.ui.cardViews(r, recs)
	data.Rows, data.Total = p.rows(r, us), l.Total
	for i := range data.Rows {
		data.Rows[i].Card = &cards[i]
	}
	if l.Offset > 0 {
		data.Prev = withOffset("/staff/surface", v, max(0, l.Offset-l.Limit))
	}
	if l.Offset+len(l.Rows) < l.Total {
		data.Next = withOffset("/staff/surface", v, l.Offset+l.Limit)
	}
	p.ui.render(w, r, http.StatusOK, "surfaces", view{Title: "券面更新の一覧", Data: data})
}

type surfaceCardView struct {
	Card    cardView
	Rows    []surfaceRow
	Kinds   []surfaceOption
	Form    surface.Input
	CanEdit bool
}

var surfaceNotices = map[string]string{
	"registered": "券面更新を記録しました。",
	"pending":    "券面更新の届出を登録しました。カードに「券面更新待ち」の印が付きます。",
	"done":       "券面更新を完了にしました。",
	"withdrawn":  "券面更新の届出を取り消しました。",
}

func (p surfacePages) card(w http.ResponseWriter, r *http.Request) {
	p.renderCard(w, r, http.StatusOK, view{Notice: surfaceNotices[r.URL.Query().Get("done")]}, surface.Input{Kind: store.SurfaceAddress})
}

func (p surfacePages) renderCard(w http.ResponseWriter, r *http.Request, status int, v view, form surface.Input) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	pr, _ := route.PrincipalOf(r)
	cu, err := p.svc.ForCard(r.Context(), pr, route.MetaOf(r), id)
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	v.Title = "券面更新"
	v.Data = surfaceCardView{Card: p.ui.cardViews(r, []store.CardRecord{cu.Card})[0], Rows: p.rows(r, cu.Updates),
		Kinds: surfaceKinds(), Form: form, CanEdit: pr.Role != "viewer"}
	p.ui.render(w, r, status, "surface_card", v)
}

func (p surfacePages) register(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	in := surface.Input{Kind: r.PostFormValue("kind"), NewValue: r.PostFormValue("new_value"), NewDetail: r.PostFormValue("new_detail"),
		Date: r.PostFormValue("date"), Pending: r.PostFormValue("pending") == "1", Note: r.PostFormValue("note")}
	pr, _ := route.PrincipalOf(r)
	if _, err := p.svc.Register(r.Context(), pr, route.MetaOf(r), id, in); err != nil {
		p.renderCard(w, r, statusFor(err), withError(view{}, err), in)
		return
	}
	done := "registered"
	if in.Pending {
		done = "pending"
	}
	http.Redirect(w, r, "/staff/cards/"+strconv.FormatInt(id, 10)+"/surface?done="+done, http.StatusSeeOther)
}

func (p surfacePages) done(w http.ResponseWriter, r *http.Request) {
	p.close(w, r, "done", func(pr auth.Principal, id int64) (store.SurfaceUpdate, error) {
		return p.svc.Complete(r.Context(), pr, route.MetaOf(r), id, r.PostFormValue("date"))
	})
}

func (p surfacePages) withdraw(w http.ResponseWriter, r *http.Request) {
	p.close(w, r, "withdrawn", func(pr auth.Principal, id int64) (store.SurfaceUpdate, error) {
		return p.svc.Withdraw(r.Context(), pr, route.MetaOf(r), id)
	})
}

// close ends a pending update and goes back to its card's page; a refusal
// is shown there, in place.
func (p surfacePages) close(w http.ResponseWriter, r *http.Request, done string, fn func(auth.Principal, int64) (store.SurfaceUpdate, error)) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	cardID, _ := strconv.ParseInt(r.PostFormValue("card_id"), 10, 64)
	pr, _ := route.PrincipalOf(r)
	u, err := fn(pr, id)
	if err != nil {
		if cardID == 0 {
			p.ui.ErrorPage(w, r, err)
			return
		}
		r.SetPathValue("id", strconv.FormatInt(cardID, 10))
		p.renderCard(w, r, statusFor(err), withError(view{}, err), surface.Input{Kind: store.SurfaceAddress})
		return
	}
	http.Redirect(w, r, "/staff/cards/"+strconv.FormatInt(u.CardID, 10)+"/surface?done="+done, http.StatusSeeOther)
}
