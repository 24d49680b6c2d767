package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/storage"
	"github.com/kofu-oss/kofu/internal/store"
)

// StorageHandlers serve storage places, moves and stock-taking (棚卸).
type StorageHandlers struct {
	Storage *storage.Service
	Loc     *time.Location
}

// Register adds the routes.
func (h *StorageHandlers) Register(rt *route.Router) {
	rt.Handle("GET /api/v1/storage/places", route.AnyStaff, h.places)
	rt.Handle("POST /api/v1/storage/places", route.Admin, h.createPlace)
	rt.Handle("PUT /api/v1/storage/places/{id}", route.Admin, h.updatePlace)
	rt.Handle("DELETE /api/v1/storage/places/{id}", route.Admin, h.deletePlace)
	rt.Handle("GET /api/v1/storage/places/{id}/cards", route.AnyStaff, h.contents)
	rt.Handle("GET /api/v1/storage/suggestion", route.AnyStaff, h.suggestion)
	rt.Handle("POST /api/v1/storage/moves", route.Staff, h.move)
	h.registerStocktakes(rt)
}

type placeJSON struct {
	ID       int64  `json:"id"`
	ParentID int64  `json:"parent_id,omitempty"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Path     string `json:"path"`
	Capacity int    `json:"capacity"`
	Position int    `json:"position"`
	Depth    int    `json:"depth"`
	Count    *int   `json:"count,omitempty"`
	Free     *int   `json:"free,omitempty"` // only for places with a capacity
}

func placeOut(p store.Place) placeJSON {
	return placeJSON{ID: p.ID, ParentID: p.ParentID, Name: p.Name, Kind: p.Kind, Path: p.Path,
		Capacity: p.Capacity, Position: p.Position}
}

func nodeOut(n storage.Node) placeJSON {
	out := placeOut(n.Place)
	count := n.Count
	out.Depth, out.Count = n.Depth, &count
	if n.Capacity > 0 {
		free := n.Free()
		out.Free = &free
	}
	return out
}

type placeRequest struct {
	ParentID int64  `json:"parent_id"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Capacity int    `json:"capacity"`
	Position int    `json:"position"`
}

func (q placeRequest) input() storage.PlaceInput {
	return storage.PlaceInput{ParentID: q.ParentID, Name: q.Name, Kind: q.Kind, Capacity: q.Capacity, Position: q.Position}
}

func (h *StorageHandlers) places(w http.ResponseWriter, r *http.Request) {
	nodes, err := h.Storage.Tree(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	out := make([]placeJSON, len(nodes))
	for i, n := range nodes {
		out[i] = nodeOut(n)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"places": out})
}

func (h *StorageHandlers) createPlace(w http.ResponseWriter, r *http.Request) {
	var req placeRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	pl, err := h.Storage.CreatePlace(r.Context(), p, route.MetaOf(r), req.input())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, placeOut(pl))
}

func (h *StorageHandlers) updatePlace(w http.ResponseWriter, r *http.Request) {
	var req placeRequest
	id, err := storagePathID(r, "保管場所が見つかりません。")
	if err == nil {
		err = decode(w, r, &req)
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	pl, err := h.Storage.UpdatePlace(r.Context(), p, route.MetaOf(r), id, req.input())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, placeOut(pl))
}

func (h *StorageHandlers) deletePlace(w http.ResponseWriter, r *http.Request) {
	id, err := storagePathID(r, "保管場所が見つかりません。")
	if err == nil {
		p, _ := route.PrincipalOf(r)
		err = h.Storage.DeletePlace(r.Context(), p, route.MetaOf(r), id)
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type storedCardJSON struct {
	ID              int64  `json:"id"`
	NoticeNumber    string `json:"notice_number"`
	ApplicationID   string `json:"application_id"`
	Name            string `json:"name"`
	NameKana        string `json:"name_kana"`
	Status          string `json:"status"`
	StatusLabel     string `json:"status_label"`
	StorageLocation string `json:"storage_location"`
	Version         int    `json:"version"`
}

func (h *StorageHandlers) contents(w http.ResponseWriter, r *http.Request) {
	id, err := storagePathID(r, "保管場所が見つかりません。")
	var c storage.Contents
	if err == nil {
		p, _ := route.PrincipalOf(r)
		c, err = h.Storage.Contents(r.Context(), p, route.MetaOf(r), id)
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	cards := make([]storedCardJSON, len(c.Cards))
	for i, x := range c.Cards {
		cards[i] = storedCardJSON{ID: x.ID, NoticeNumber: x.NoticeNumber, ApplicationID: x.Application.ApplicationID,
			Name: x.Resident.Name, NameKana: x.Resident.NameKana, Status: string(x.Status), StatusLabel: x.Status.Label(),
			StorageLocation: x.StorageLocation, Version: x.Version}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"place": nodeOut(c.Place), "cards": cards})
}

func (h *StorageHandlers) suggestion(w http.ResponseWriter, r *http.Request) {
	under, err := storageQueryID(r, "under")
	var n storage.Node
	if err == nil {
		n, err = h.Storage.Suggest(r.Context(), under)
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"place": nodeOut(n)})
}

// move puts a card into a place (place_id 0 or absent: the suggested box).
// code is a notice number as typed or as a scanner reads it.
func (h *StorageHandlers) move(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Code    string `json:"code"`
		PlaceID int64  `json:"place_id"`
	}
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	d, n, err := h.Storage.Move(r.Context(), p, route.MetaOf(r), req.PlaceID, req.Code)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"card_id": d.Card.ID, "notice_number": d.Card.NoticeNumber,
		"storage_location": d.Card.StorageLocation, "version": d.Card.Version, "place": nodeOut(n)})
}

// storagePathID reads the {id} of the path; anything but a number is not found.
func storagePathID(r *http.Request, notFound string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, notFound)
	}
	return id, nil
}

// storageQueryID reads an optional numeric query parameter (0 when absent).
func storageQueryID(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		return 0, invalid(name, "数字で指定してください。")
	}
	return id, nil
}
