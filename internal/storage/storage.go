// Package storage is where cards are physically kept: a tree of cabinets,
// shelves and boxes with capacities, the box suggested for a new card,
// moves, and stock-taking (棚卸) sessions that compare what staff scan in
// a place with what the ledger expects there.
//
// The card's storage_location in the ledger stays the one record of where
// a card is: a place's path is exactly that text, and moves go through
// ledger.SetStorageLocation so the card's history and audit entries are
// written as for any other edit. The package holds no SQL and no HTTP.
package storage

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/store"
)

// Limits of names and paths: the ledger keeps at most 100 characters of
// storage location.
const (
	maxNameRunes  = 30
	maxPathRunes  = 100
	maxCapacity   = 100000
	contentsLimit = 5000
)

// Service carries out the storage use cases.
type Service struct {
	db     *store.DB
	clock  clock.Clock
	ledger *ledger.Service
}

// New returns the service.
func New(db *store.DB, c clock.Clock, l *ledger.Service) *Service {
	return &Service{db: db, clock: c, ledger: l}
}

// PlaceInput is what staff enter for a place. ParentID is only read on
// creation: places are not moved in the tree.
type PlaceInput struct {
	ParentID int64
	Name     string
	Kind     string
	Capacity int
	Position int
}

// Node is a place in the tree with the cards the ledger keeps in it and
// below it (on hand only).
type Node struct {
	store.Place
	Depth int
	Count int
	Leaf  bool
}

// Free is the room left in a place with a capacity (never below 0).
func (n Node) Free() int { return max(0, n.Capacity-n.Count) }

// Full reports whether a place with a capacity has no room left.
func (n Node) Full() bool { return n.Capacity > 0 && n.Count >= n.Capacity }

// KindLabel is the Japanese name of a kind of place.
func KindLabel(kind string) string {
	return map[string]string{store.PlaceCabinet: "キャビネット", store.PlaceShelf: "棚", store.PlaceBox: "ボックス"}[kind]
}

// OnHandStatuses are the statuses of cards the city physically keeps: the
// ones a place is expected to hold.
func OnHandStatuses() []card.Status {
	var out []card.Status
	for _, s := range card.AllStatuses() {
		if card.OnHand(s) {
			out = append(out, s)
		}
	}
	return out
}

// Tree returns every place, depth first, with its card counts.
func (s *Service) Tree(ctx context.Context) ([]Node, error) {
	var nodes []Node
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { nodes, err = loadTree(ctx, tx); return err })
	return nodes, err
}

func loadTree(ctx context.Context, tx *store.Tx) ([]Node, error) {
	places, err := tx.Places(ctx)
	if err != nil {
		return nil, err
	}
	counts, err := tx.LocationCounts(ctx, OnHandStatuses())
	if err != nil {
		return nil, err
	}
	return buildTree(places, counts), nil
}

// buildTree adds depths, leaf marks and counts to places in tree order.
func buildTree(places []store.Place, counts map[string]int) []Node {
	depth, parents := map[int64]int{}, map[int64]bool{}
	for _, p := range places {
		parents[p.ParentID] = true
	}
	nodes := make([]Node, len(places))
	for i, p := range places {
		d := 0
		if p.ParentID != 0 {
			d = depth[p.ParentID] + 1
		}
		depth[p.ID] = d
		nodes[i] = Node{Place: p, Depth: d, Leaf: !parents[p.ID], Count: countAt(p.Path, counts)}
	}
	return nodes
}

// countAt sums the cards kept at path or below it.
func countAt(path string, counts map[string]int) int {
	n := 0
	for loc, c := range counts {
		if Within(loc, path) {
			n += c
		}
	}
	return n
}

// Within reports whether a storage location is the place path or a place
// below it ("A-1-05" is within "A-1", "A-10" is not).
func Within(location, path string) bool {
	return location == path || strings.HasPrefix(location, path+store.PlaceSeparator)
}

// Place returns one place with its counts.
func (s *Service) Place(ctx context.Context, id int64) (Node, error) {
	nodes, err := s.Tree(ctx)
	if err != nil {
		return Node{}, err
	}
	for _, n := range nodes {
		if n.ID == id {
			return n, nil
		}
	}
	return Node{}, notFound()
}

func notFound() error { return apperr.New(apperr.NotFound, "保管場所が見つかりません。") }

// CreatePlace adds a place under in.ParentID (0: at the top).
func (s *Service) CreatePlace(ctx context.Context, p auth.Principal, m auth.Meta, in PlaceInput) (store.Place, error) {
	pl, err := checkInput(in)
	if err != nil {
		return store.Place{}, err
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if err := setPath(ctx, tx, &pl); err != nil {
			return err
		}
		if err := tx.InsertPlace(ctx, &pl, s.clock.Now()); err != nil {
			return pathTaken(err, pl.Path)
		}
		return s.audit(ctx, tx, p, m, "storage.place_created", pl.ID, placeDetail(pl))
	})
	return pl, err
}

// setPath joins the parent's path and the place's name.
func setPath(ctx context.Context, tx *store.Tx, pl *store.Place) error {
	pl.Path = pl.Name
	if pl.ParentID != 0 {
		parent, err := tx.PlaceByID(ctx, pl.ParentID)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.WithFields("上位の保管場所が見つかりません。", []apperr.FieldError{{Field: "parent_id", Message: "上位の保管場所が見つかりません。"}})
		}
		if err != nil {
			return err
		}
		pl.Path = parent.Path + store.PlaceSeparator + pl.Name
	}
	if utf8.RuneCountInString(pl.Path) > maxPathRunes {
		return fieldError("name", "保管場所の名前が長すぎます（上位を含めて100文字まで）。")
	}
	return nil
}

func pathTaken(err error, path string) error {
	if apperr.Is(err, apperr.Conflict) {
		return fieldError("name", "保管場所「"+path+"」はすでにあります。")
	}
	return err
}

// UpdatePlace changes a place's name, capacity and order. A place that
// holds cards, or has places below it, keeps its name: the cards' storage
// locations would no longer match it.
func (s *Service) UpdatePlace(ctx context.Context, p auth.Principal, m auth.Meta, id int64, in PlaceInput) (store.Place, error) {
	in.Kind = store.PlaceBox // the kind is not changed; any valid value passes the check
	next, err := checkInput(in)
	if err != nil {
		return store.Place{}, err
	}
	var pl store.Place
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if pl, err = tx.PlaceByID(ctx, id); err != nil {
			return placeErr(err)
		}
		old := pl
		if err := s.rename(ctx, tx, &pl, next.Name); err != nil {
			return err
		}
		pl.Capacity, pl.Position = next.Capacity, next.Position
		if err := tx.UpdatePlace(ctx, &pl, s.clock.Now()); err != nil {
			return pathTaken(err, pl.Path)
		}
		return s.audit(ctx, tx, p, m, "storage.place_updated", pl.ID, map[string]any{
			"old": placeDetail(old), "new": placeDetail(pl)})
	})
	return pl, err
}

func (s *Service) rename(ctx context.Context, tx *store.Tx, pl *store.Place, name string) error {
	if name == pl.Name {
		return nil
	}
	if err := s.checkEmpty(ctx, tx, *pl, "名前を変えられません"); err != nil {
		return err
	}
	pl.Name = name
	return setPath(ctx, tx, pl)
}

// checkEmpty fails when a place has places below it, stock-taking records
// or cards the ledger keeps there (in any status).
func (s *Service) checkEmpty(ctx context.Context, tx *store.Tx, pl store.Place, what string) error {
	used, err := tx.PlaceInUse(ctx, pl.ID)
	if err != nil {
		return err
	}
	if used {
		return apperr.New(apperr.Conflict, "下位の保管場所か棚卸の記録があるため"+what+"。")
	}
	cards, err := tx.CardsAtPlace(ctx, pl.Path, nil, 1)
	if err != nil {
		return err
	}
	if len(cards) > 0 {
		return apperr.New(apperr.Conflict, "カードが保管されているため"+what+"。先にカードを移してください。")
	}
	return nil
}

// DeletePlace removes an empty place with nothing below it.
func (s *Service) DeletePlace(ctx context.Context, p auth.Principal, m auth.Meta, id int64) error {
	return s.db.Update(ctx, func(tx *store.Tx) error {
		pl, err := tx.PlaceByID(ctx, id)
		if err != nil {
			return placeErr(err)
		}
		if err := s.checkEmpty(ctx, tx, pl, "削除できません"); err != nil {
			return err
		}
		if err := tx.DeletePlace(ctx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "storage.place_deleted", id, placeDetail(pl))
	})
}

func placeErr(err error) error {
	if apperr.Is(err, apperr.NotFound) {
		return notFound()
	}
	return err
}

// checkInput cleans what staff typed. Full-width letters and digits are
// narrowed as the ledger does for storage locations, so paths match.
func checkInput(in PlaceInput) (store.Place, error) {
	name := strings.TrimSpace(norm.NFKC.String(in.Name))
	switch {
	case name == "":
		return store.Place{}, fieldError("name", "名前を入力してください。")
	case utf8.RuneCountInString(name) > maxNameRunes:
		return store.Place{}, fieldError("name", "名前は"+strconv.Itoa(maxNameRunes)+"文字以内で入力してください。")
	case strings.Contains(name, store.PlaceSeparator):
		return store.Place{}, fieldError("name", "名前に「-」は使えません（上位の場所との区切りに使います）。")
	case KindLabel(in.Kind) == "":
		return store.Place{}, fieldError("kind", "種類を選んでください。")
	case in.Capacity < 0 || in.Capacity > maxCapacity:
		return store.Place{}, fieldError("capacity", "収容数は0（上限なし）から100000までで入力してください。")
	}
	return store.Place{ParentID: in.ParentID, Name: name, Kind: in.Kind, Capacity: in.Capacity, Position: in.Position}, nil
}

func placeDetail(pl store.Place) map[string]any {
	return map[string]any{"path": pl.Path, "kind": pl.Kind, "capacity": pl.Capacity, "position": pl.Position}
}

func fieldError(field, msg string) error {
	return apperr.WithFields(msg, []apperr.FieldError{{Field: field, Message: msg}})
}

// audit appends an entry about a place (target "storage_place:ID").
func (s *Service) audit(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, action string, placeID int64, detail map[string]any) error {
	return s.auditTarget(ctx, tx, p, m, action, "storage_place:"+strconv.FormatInt(placeID, 10), detail)
}

func (s *Service) auditTarget(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, action, target string, detail map[string]any) error {
	_, err := tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: action,
		Target: target, IP: m.IP, RequestID: m.RequestID, Detail: detail}, s.clock.Now())
	return err
}

func itoaInt(n int) string { return strconv.Itoa(n) }
