package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/scan"
	"github.com/kofu-oss/kofu/internal/storage"
	"github.com/kofu-oss/kofu/internal/store"
)

// RegisterStorage adds the storage places and stock-taking (棚卸) pages.
func (ui *UI) RegisterStorage(rt *route.Router, svc *storage.Service) {
	p := storagePages{ui: ui, svc: svc}
	rt.Handle("GET /staff/storage", route.AnyStaff, p.places)
	rt.Handle("POST /staff/storage/places", route.Admin, p.create)
	rt.Handle("GET /staff/storage/places/{id}", route.AnyStaff, p.place)
	rt.Handle("POST /staff/storage/places/{id}", route.Admin, p.update)
	rt.Handle("POST /staff/storage/places/{id}/delete", route.Admin, p.delete)
	rt.Handle("POST /staff/storage/places/{id}/move", route.Staff, p.move)
	p.registerStocktakes(rt)
}

type storagePages struct {
	ui  *UI
	svc *storage.Service
}

// storagePlaceRow is a place of the tree as the pages show it.
type storagePlaceRow struct {
	storage.Node
	Indent    string
	KindLabel string
}

func storagePlaceRows(nodes []storage.Node) []storagePlaceRow {
	out := make([]storagePlaceRow, len(nodes))
	for i, n := range nodes {
		out[i] = storagePlaceRow{Node: n, Indent: strings.Repeat("　", n.Depth*2), KindLabel: storage.KindLabel(n.Kind)}
	}
	return out
}

type storageKind struct{ Value, Label string }

func storageKinds() []storageKind {
	return []storageKind{{store.PlaceCabinet, "キャビネット"}, {store.PlaceShelf, "棚"}, {store.PlaceBox, "ボックス"}}
}

type storagePlacesView struct {
	Places     []storagePlaceRow
	Suggestion *storagePlaceRow
	NoRoom     string
	Kinds      []storageKind
	Form       storage.PlaceInput
	IsStaff    bool
	IsAdmin    bool
}

func storageRoles(r *http.Request) (isStaff, isAdmin bool) {
	p, _ := route.PrincipalOf(r)
	return auth.AtLeast(p.Role, auth.RoleStaff), auth.AtLeast(p.Role, auth.RoleAdmin)
}

func (p storagePages) places(w http.ResponseWriter, r *http.Request) {
	notice := map[string]string{"created": "保管場所を追加しました。", "deleted": "保管場所を削除しました。"}[r.URL.Query().Get("done")]
	p.renderPlaces(w, r, http.StatusOK, view{Notice: notice}, storage.PlaceInput{Kind: store.PlaceBox})
}

func (p storagePages) renderPlaces(w http.ResponseWriter, r *http.Request, status int, v view, form storage.PlaceInput) {
	nodes, err := p.svc.Tree(r.Context())
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	data := storagePlacesView{Places: storagePlaceRows(nodes), Kinds: storageKinds(), Form: form}
	data.IsStaff, data.IsAdmin = storageRoles(r)
	if s, err := p.svc.Suggest(r.Context(), 0); err == nil {
		row := storagePlaceRows([]storage.Node{s})[0]
		data.Suggestion = &row
	} else if len(nodes) > 0 {
		data.NoRoom = apperr.MessageOf(err)
	}
	v.Title, v.Data = "保管場所", data
	p.ui.render(w, r, status, "storage_places", v)
}

func storagePlaceForm(r *http.Request) storage.PlaceInput {
	num := func(name string) int { n, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue(name))); return n }
	parent, _ := strconv.ParseInt(r.PostFormValue("parent_id"), 10, 64)
	return storage.PlaceInput{ParentID: parent, Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"),
		Capacity: num("capacity"), Position: num("position")}
}

func (p storagePages) create(w http.ResponseWriter, r *http.Request) {
	in := storagePlaceForm(r)
	pr, _ := route.PrincipalOf(r)
	if _, err := p.svc.CreatePlace(r.Context(), pr, route.MetaOf(r), in); err != nil {
		p.renderPlaces(w, r, statusFor(err), withError(view{}, err), in)
		return
	}
	http.Redirect(w, r, "/staff/storage?done=created", http.StatusSeeOther)
}

type storagePlaceView struct {
	Place      storagePlaceRow
	Cards      []cardView
	Stocktakes []store.Stocktake
	Form       storage.PlaceInput
	Last       *scanResult
	IsStaff    bool
	IsAdmin    bool
}

func (p storagePages) place(w http.ResponseWriter, r *http.Request) {
	notice := map[string]string{"updated": "保管場所を変更しました。"}[r.URL.Query().Get("done")]
	p.renderPlace(w, r, http.StatusOK, view{Notice: notice}, nil, nil)
}

// renderPlace shows a place's contents; form, when set, is what the admin
// typed into the edit form.
func (p storagePages) renderPlace(w http.ResponseWriter, r *http.Request, status int, v view, form *storage.PlaceInput, last *scanResult) {
	id, err := storagePlaceID(r)
	var c storage.Contents
	if err == nil {
		pr, _ := route.PrincipalOf(r)
		c, err = p.svc.Contents(r.Context(), pr, route.MetaOf(r), id)
	}
	var sessions []store.Stocktake
	if err == nil {
		sessions, err = p.svc.Stocktakes(r.Context(), id)
	}
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	data := storagePlaceView{Place: storagePlaceRows([]storage.Node{c.Place})[0], Cards: p.ui.cardViews(r, c.Cards),
		Stocktakes: sessions, Last: last}
	data.Form = storage.PlaceInput{Name: c.Place.Name, Capacity: c.Place.Capacity, Position: c.Place.Position}
	if form != nil {
		data.Form = *form
	}
	data.IsStaff, data.IsAdmin = storageRoles(r)
	v.Title, v.Data = "保管場所 "+c.Place.Path, data
	p.ui.render(w, r, status, "storage_place", v)
}

func storagePlaceID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "保管場所が見つかりません。")
	}
	return id, nil
}

func (p storagePages) update(w http.ResponseWriter, r *http.Request) {
	id, err := storagePlaceID(r)
	in := storagePlaceForm(r)
	if err == nil {
		pr, _ := route.PrincipalOf(r)
		_, err = p.svc.UpdatePlace(r.Context(), pr, route.MetaOf(r), id, in)
	}
	if err != nil {
		p.renderPlace(w, r, statusFor(err), withError(view{}, err), &in, nil)
		return
	}
	http.Redirect(w, r, "/staff/storage/places/"+strconv.FormatInt(id, 10)+"?done=updated", http.StatusSeeOther)
}

func (p storagePages) delete(w http.ResponseWriter, r *http.Request) {
	id, err := storagePlaceID(r)
	if err == nil {
		pr, _ := route.PrincipalOf(r)
		err = p.svc.DeletePlace(r.Context(), pr, route.MetaOf(r), id)
	}
	if err != nil {
		p.renderPlace(w, r, statusFor(err), withError(view{}, err), nil, nil)
		return
	}
	http.Redirect(w, r, "/staff/storage?done=deleted", http.StatusSeeOther)
}

// move puts a scanned card into the place and shows the place again with
// the scan field focused, whatever the outcome, so staff keep scanning.
func (p storagePages) move(w http.ResponseWriter, r *http.Request) {
	id, err := storagePlaceID(r)
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	pr, _ := route.PrincipalOf(r)
	raw := r.PostFormValue("code")
	d, _, err := p.svc.Move(r.Context(), pr, route.MetaOf(r), id, raw)
	res := scanResult{OK: err == nil}
	if err != nil {
		res.Text = strings.TrimSpace(scan.NoticeNumber(raw) + " " + apperr.MessageOf(err))
	} else {
		res.Text = d.Card.NoticeNumber + " を " + d.Card.StorageLocation + " に入れました。"
	}
	p.renderPlace(w, r, http.StatusOK, view{}, nil, &res)
}
