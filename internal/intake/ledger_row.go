package intake

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/legacy"
	"github.com/kofu-oss/kofu/internal/store"
)

// ledgerRun is one ledger import in progress inside its transaction.
type ledgerRun struct {
	run
	out     *LedgerResult
	places  map[string]string // folded path → the registered place's path
	unknown map[string]int    // storage places not registered → first row
}

// apply reads the ledger's rows and applies them a chunk at a time: each
// chunk's keys are looked up with a few queries and its new cards written
// a table at a time, so only one chunk of rows is held at once.
func (r *ledgerRun) apply(ctx context.Context, book *legacy.Reader) error {
	if err := r.loadPlaces(ctx); err != nil {
		return err
	}
	rows := make([]legacy.Row, 0, r.svc.chunkSize())
	for {
		row, err := book.Next()
		if err == io.EOF {
			return r.ledgerChunk(ctx, rows)
		}
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if rows = append(rows, row); len(rows) == cap(rows) {
			if err := r.ledgerChunk(ctx, rows); err != nil {
				return err
			}
			rows = rows[:0]
		}
	}
}

// ledgerChunk applies a chunk of rows in file order and writes its new
// cards.
func (r *ledgerRun) ledgerChunk(ctx context.Context, rows []legacy.Row) error {
	var k chunkKeys
	for _, row := range rows {
		if len(row.Problems) == 0 {
			k.add(row.ApplicationID, row.NoticeNumber, row.ResidentNumber)
		}
	}
	c, err := r.lookupKeys(ctx, k)
	if err != nil {
		return err
	}
	for _, row := range rows {
		r.res.Rows++
		if err := r.ledgerRow(ctx, c, row); err != nil {
			return fmt.Errorf("%d 行目: %w", row.Line, err)
		}
		if r.svc.rowHook != nil {
			if err := r.svc.rowHook(row.Line); err != nil {
				return err
			}
		}
	}
	if r.progress != nil {
		r.progress(r.res.Rows)
	}
	return r.flush(ctx, c)
}

// loadPlaces reads the registered storage places: a ledger place that
// matches one (full-width digits and odd hyphens aside) takes its path.
func (r *ledgerRun) loadPlaces(ctx context.Context) error {
	places, err := r.tx.Places(ctx)
	if err != nil {
		return err
	}
	r.places, r.unknown = map[string]string{}, map[string]int{}
	for _, p := range places {
		r.places[foldPlace(p.Path)] = p.Path
	}
	return nil
}

func foldPlace(s string) string {
	return strings.Map(func(c rune) rune {
		switch c {
		case ' ', '\t':
			return -1
		case '‐', '‑', '‒', '–', '—', '―', '−', 'ー', 'ｰ':
			return '-'
		}
		return c
	}, norm.NFKC.String(s))
}

// location is where the card is kept: the registered place's path, or
// the ledger's text as written.
func (r *ledgerRun) location(row legacy.Row) string {
	if row.Place == "" {
		return ""
	}
	if path, ok := r.places[foldPlace(row.Place)]; ok {
		return path
	}
	if _, seen := r.unknown[row.Place]; !seen {
		r.unknown[row.Place] = row.Line
		if len(r.out.UnknownPlaces) < MaxListed {
			r.out.UnknownPlaces = append(r.out.UnknownPlaces, row.Place)
		}
	}
	return row.Place
}

// placeOf is location without noting unknown places.
func (r *ledgerRun) placeOf(row legacy.Row) string {
	if path, ok := r.places[foldPlace(row.Place)]; ok && row.Place != "" {
		return path
	}
	return row.Place
}

// placeWarning tells staff which places are kept as text only.
func (r *ledgerRun) placeWarning() []Warning {
	n := len(r.unknown)
	if n == 0 {
		return nil
	}
	shown := r.out.UnknownPlaces[:min(n, 10)]
	more := ""
	if n > len(shown) {
		more = fmt.Sprintf(" ほか %d か所", n-len(shown))
	}
	return []Warning{{Line: r.unknown[shown[0]], Kind: "place_not_registered", Column: "保管場所", Detail: fmt.Sprintf(
		"保管場所 %d か所が登録済みの保管場所と一致しないため、書かれたとおりの文字で記録します: %s%s（保管場所の画面で登録すると棚卸に使えます）",
		n, strings.Join(shown, "、"), more)}}
}

func (r *ledgerRun) rejectRow(row legacy.Row, column, code, reason string) {
	r.res.reject(Rejection{Line: row.Line, Column: column, Code: code, Reason: reason})
}

func (r *ledgerRun) outcome(row legacy.Row, o, location string, changes []string) {
	if len(r.out.Outcomes) == MaxListed {
		r.out.OutcomesCut = true
		return
	}
	r.out.Outcomes = append(r.out.Outcomes, RowOutcome{Line: row.Line, ApplicationID: row.ApplicationID, Outcome: o,
		Status: row.Status, StorageLocation: location, Changes: changes})
}

func (r *ledgerRun) ledgerRow(ctx context.Context, c *chunk, row legacy.Row) error {
	r.gaiji = r.gaiji || row.HasGaiji
	if len(row.Problems) > 0 {
		for _, p := range row.Problems {
			r.rejectRow(row, p.Column, p.Code, p.Reason)
		}
		r.outcome(row, OutcomeRejected, "", nil)
		return nil
	}
	if c.newApps[row.ApplicationID] { // listed twice: the second row compares with the new card
		if err := r.flush(ctx, c); err != nil {
			return err
		}
	}
	rec, found, fresh, err := r.existing(ctx, c, row.ApplicationID)
	switch {
	case err != nil:
		return err
	case !found:
		return r.createLedger(ctx, c, row)
	}
	// An update reads the card's history row by row: the chunk's new cards
	// are written first, so that it sees them.
	if err := r.flush(ctx, c); err != nil {
		return err
	}
	return r.updateLedger(ctx, c, row, rec, fresh)
}

func (r *ledgerRun) reason() string {
	return "カード管理簿（Excel）の取込 (" + r.res.FileName + ")"
}

// createLedger queues the row's new card with what the ledger says
// happened to it: the mailing of its notice (the date the disposal rules
// count from) and the day it was handed over.
func (r *ledgerRun) createLedger(ctx context.Context, c *chunk, row legacy.Row) error {
	if c.noticeTaken(row.NoticeNumber, 0) {
		r.rejectNoticeRow(row)
		return nil
	}
	if err := r.addKnownRemarks(ctx, c, row); err != nil {
		return err
	}
	loc := r.location(row)
	bc := store.BulkCard{CardRecord: store.CardRecord{Resident: ledgerResident(row),
		Application: store.Application{ApplicationID: row.ApplicationID, Method: row.Method}, Card: ledgerCard(row, loc)}}
	bc.CreatedAt = r.now
	bc.Event = store.CardEvent{At: r.now, ActorID: r.p.UserID, Actor: r.p.Username, Kind: store.EventImport,
		ToStatus: row.Status, Reason: fmt.Sprintf("%s %d 行目（状態「%s」）", r.reason(), row.Line, row.StatusWord)}
	if !row.NoticeDate.IsZero() {
		bc.Postings = []store.Posting{r.noticePosting(bc.CardRecord, row)}
	}
	if row.Status == card.StatusIssued && !row.HandedDate.IsZero() {
		bc.Later = []store.CardEvent{r.handedEvent(0, row)}
	}
	c.queue(bc, row.Line)
	r.res.Created++
	r.outcome(row, OutcomeCreated, loc, nil)
	return nil
}

// addKnownRemarks adds the row's remarks to those of the person it names
// when the database already knows them by 宛名番号: remarks belong to the
// resident, and a new card of theirs joins them. (A person first met in
// this chunk takes the remarks of their first row.)
func (r *ledgerRun) addKnownRemarks(ctx context.Context, c *chunk, row legacy.Row) error {
	if row.Remarks == "" || row.ResidentNumber == "" || c.residents[row.ResidentNumber] == 0 {
		return nil
	}
	known, err := r.tx.ResidentByNumber(ctx, row.ResidentNumber)
	if err != nil {
		return err
	}
	return r.saveRemarks(ctx, known, store.MergeRemarks(known.Remarks, row.Remarks))
}

func (r *ledgerRun) rejectNoticeRow(row legacy.Row) {
	r.rejectRow(row, "交付通知書番号", "notice_number_taken", "交付通知書番号 "+row.NoticeNumber+" は別のカードに登録済みです")
	r.outcome(row, OutcomeRejected, "", nil)
}

// addHistory records what the ledger says happened to the card: the
// mailing of its notice (the date the disposal rules count from) and the
// day it was handed over. Each is added once: a re-import finds them.
func (r *ledgerRun) addHistory(ctx context.Context, rec store.CardRecord, row legacy.Row) ([]string, error) {
	var added []string
	if !row.NoticeDate.IsZero() {
		ok, err := r.addNoticePosting(ctx, rec, row)
		if err != nil {
			return nil, err
		}
		if ok {
			added = append(added, "通知書発送日")
		}
	}
	if row.Status == card.StatusIssued && !row.HandedDate.IsZero() {
		ok, err := r.addHandedEvent(ctx, rec, row)
		if err != nil {
			return nil, err
		}
		if ok {
			added = append(added, "交付日")
		}
	}
	return added, nil
}

func (r *ledgerRun) addNoticePosting(ctx context.Context, rec store.CardRecord, row legacy.Row) (bool, error) {
	postings, err := r.tx.CardPostings(ctx, rec.ID)
	if err != nil {
		return false, err
	}
	for _, p := range postings {
		if p.Kind == store.PostingNotice && p.Date == row.NoticeDate.String() {
			return false, nil
		}
	}
	p := r.noticePosting(rec, row)
	return true, r.tx.InsertPosting(ctx, &p)
}

func (r *ledgerRun) noticePosting(rec store.CardRecord, row legacy.Row) store.Posting {
	return store.Posting{CardID: rec.ID, Kind: store.PostingNotice, Date: row.NoticeDate.String(),
		PostalCode: rec.Resident.PostalCode, Address: rec.Resident.Address, Note: r.reason(), ActorID: r.p.UserID,
		Actor: r.p.Username, CreatedAt: r.now}
}

// addHandedEvent dates the hand-over as the ledger says, so the issuance
// printout and the dashboard count it on its day.
func (r *ledgerRun) addHandedEvent(ctx context.Context, rec store.CardRecord, row legacy.Row) (bool, error) {
	e, err := r.tx.LastStatusEvent(ctx, rec.ID, string(card.StatusIssued))
	switch {
	case err == nil && e.Kind == store.EventStatus:
		return false, nil
	case err != nil && !apperr.Is(err, apperr.NotFound):
		return false, err
	}
	h := r.handedEvent(rec.ID, row)
	return true, r.tx.InsertCardEvent(ctx, &h)
}

func (r *ledgerRun) handedEvent(cardID int64, row legacy.Row) store.CardEvent {
	return store.CardEvent{CardID: cardID, At: dayStart(row), ActorID: r.p.UserID, Actor: r.p.Username,
		Kind: store.EventStatus, ToStatus: card.StatusIssued, Reason: "交付（カード管理簿の交付日 " + row.HandedDate.String() + "）"}
}

func ledgerResident(row legacy.Row) store.Resident {
	return store.Resident{ResidentNumber: row.ResidentNumber, Name: row.Name, NameKana: row.Kana, BirthDate: row.BirthDate.String(),
		Sex: row.Sex, PostalCode: row.PostalCode, Address: row.Address, HasGaiji: row.HasGaiji, Remarks: row.Remarks}
}

func ledgerCard(row legacy.Row, location string) store.Card {
	c := store.Card{NoticeNumber: row.NoticeNumber, IssueDate: dateOrEmpty(row.IssueDate), ExpiryDate: dateOrEmpty(row.Expiry),
		Certificate: row.Certificate, DeliveryDate: dateOrEmpty(row.DeliveryDate), Box: row.Box, StorageLocation: location,
		Status: row.Status, RawRow: row.Raw, Flags: []string{}}
	if row.HasGaiji {
		c.Flags = append(c.Flags, card.FlagGaiji)
	}
	return c
}

// updateLedger compares a card the ledger already holds with the row and
// applies what differs, each change with its history entry. A status the
// card cannot move to is a row error, not an overwrite.
func (r *ledgerRun) updateLedger(ctx context.Context, c *chunk, row legacy.Row, rec store.CardRecord, fresh bool) error {
	if !fresh && r.differs(row, rec) { // read again (and locked) before it is changed
		var err error
		if rec, err = r.tx.CardByID(ctx, rec.ID); err != nil {
			return err
		}
	}
	loc := r.location(row)
	from := rec.Status
	changes := r.ledgerChanges(row, &rec, loc)
	if row.Status != from {
		if why := moveRefused(from, row.Status, rec.Application.Method); why != "" {
			r.rejectRow(row, "状態", "status_conflict", fmt.Sprintf("登録済みのカードは「%s」のため、管理簿の「%s」には変更できません（%s）",
				from.Label(), row.StatusWord, why))
			r.outcome(row, OutcomeRejected, "", nil)
			return nil
		}
		rec.Status = row.Status
	}
	if c.noticeTaken(rec.NoticeNumber, rec.ID) {
		r.rejectNoticeRow(row)
		return nil
	}
	if err := r.saveLedger(ctx, row, rec, from, changes, loc); err != nil {
		return err
	}
	c.note(rec, changes)
	return nil
}

// ledgerChanges applies the row to rec and returns what changed.
func (r *ledgerRun) ledgerChanges(row legacy.Row, rec *store.CardRecord, loc string) []change {
	in := ledgerCard(row, loc)
	changes := cardChanges(&rec.Card, in)
	set(&changes, "storage_location", "保管場所", &rec.StorageLocation, in.StorageLocation)
	if merged := store.MergeRemarks(rec.Resident.Remarks, row.Remarks); merged != rec.Resident.Remarks {
		changes = append(changes, change{field: "remarks", label: "備考", old: rec.Resident.Remarks, new: merged})
	}
	return append(changes, residentChanges(&rec.Resident, ledgerResident(row))...)
}

// differs reports whether the row would change the card or its status.
func (r *ledgerRun) differs(row legacy.Row, rec store.CardRecord) bool {
	rec.Flags = slices.Clone(rec.Flags) // rec is a copy: ledgerChanges writes to it
	return row.Status != rec.Status || len(r.ledgerChanges(row, &rec, r.placeOf(row))) > 0
}

func (r *ledgerRun) saveLedger(ctx context.Context, row legacy.Row, rec store.CardRecord, from card.Status, changes []change, loc string) error {
	labels := make([]string, 0, len(changes)+3)
	if len(changes) > 0 || rec.Status != from {
		if err := r.saveCard(ctx, &rec, changes); err != nil {
			return err
		}
		for _, c := range changes {
			labels = append(labels, c.label)
		}
	}
	if rec.Status != from {
		moved, err := r.moveStatus(ctx, rec, row, from)
		if err != nil {
			return err
		}
		labels = append(labels, moved...)
	}
	added, err := r.addHistory(ctx, rec, row)
	if err != nil {
		return err
	}
	labels = append(labels, added...)
	if len(labels) == 0 {
		r.res.Unchanged++
		r.outcome(row, OutcomeUnchanged, loc, nil)
		return nil
	}
	r.res.Updated++
	r.outcome(row, OutcomeUpdated, loc, labels)
	return nil
}

// moveRefused says why a card the ledger already holds may not take the
// status of the Excel ledger, or "". Beyond the status table, the rules
// the card page enforces hold here too: a reserved card moves with its
// booking, a held card resumes on the card page, and disposal needs a
// second staff member's confirmation.
func moveRefused(from, to card.Status, m card.Method) string {
	switch {
	case from == card.StatusReserved:
		return "交付予約があります。交付窓口の画面で扱ってください"
	case from == card.StatusOnHold:
		return "保留中です。カードの画面で保留を解いてください"
	case to == card.StatusDisposed:
		return "廃棄は別の職員の確認が必要です。廃棄の画面で扱ってください"
	}
	if err := card.CanTransition(from, to, m); err != nil {
		return apperr.MessageOf(err)
	}
	return ""
}

// moveStatus records the status change the ledger shows; a hand-over is
// dated with the ledger's 交付日 when it has one.
func (r *ledgerRun) moveStatus(ctx context.Context, rec store.CardRecord, row legacy.Row, from card.Status) ([]string, error) {
	e := store.CardEvent{CardID: rec.ID, At: r.now, ActorID: r.p.UserID, Actor: r.p.Username,
		Kind: store.EventStatus, FromStatus: from, ToStatus: rec.Status, Reason: r.reason()}
	labels := []string{"状態"}
	if rec.Status == card.StatusIssued && !row.HandedDate.IsZero() {
		e.At = dayStart(row)
		e.Reason = "交付（カード管理簿の交付日 " + row.HandedDate.String() + "）: " + r.reason()
		labels = append(labels, "交付日")
	}
	return labels, r.tx.InsertCardEvent(ctx, &e)
}

func dayStart(row legacy.Row) time.Time {
	d := row.HandedDate
	return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, jst)
}

// saveRemarks gives the resident the remarks when they changed (the
// person's, shown on each of their cards: a row adds to them).
func (r *ledgerRun) saveRemarks(ctx context.Context, res store.Resident, remarks string) error {
	if remarks == res.Remarks {
		return nil
	}
	return r.tx.SetResidentRemarks(ctx, res.ID, remarks, r.now)
}

// saveCard writes the card and its resident, each change with its history
// entry.
func (r *ledgerRun) saveCard(ctx context.Context, rec *store.CardRecord, changes []change) error {
	if err := r.tx.UpdateResident(ctx, rec.Resident, r.now); err != nil {
		return err
	}
	for _, c := range changes {
		if c.field == "remarks" {
			if err := r.saveRemarks(ctx, rec.Resident, c.new); err != nil {
				return err
			}
		}
	}
	if err := r.tx.UpdateCard(ctx, &rec.Card, r.now); err != nil {
		return err
	}
	for _, c := range changes {
		ev := store.CardEvent{CardID: rec.ID, At: r.now, ActorID: r.p.UserID, Actor: r.p.Username, Kind: store.EventEdit,
			Field: c.field, OldValue: c.old, NewValue: c.new, Reason: r.reason()}
		if err := r.tx.InsertCardEvent(ctx, &ev); err != nil {
			return err
		}
	}
	return nil
}
