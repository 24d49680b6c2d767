package intake

import (
	"cmp"
	"context"
	"fmt"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/jlis"
	"github.com/kofu-oss/kofu/internal/store"
)

// defaultChunkRows is how many rows are looked up and written together:
// the ledger is asked about their keys once, and their new cards are
// written a table at a time, instead of some ten statements a row.
const defaultChunkRows = 500

func (s *Service) chunkSize() int { return cmp.Or(s.chunkRows, defaultChunkRows) }

// chunk is what the ledger holds for the keys of a chunk's rows, kept
// current as the rows are applied in file order, so that every row sees
// the effect of the rows before it as if they had been written one by one.
type chunk struct {
	records   map[string]store.CardRecord // application ID → its newest card, as read before the chunk
	written   map[string]int64            // application ID → card written during the chunk
	notices   map[string]int64            // notice number → the card holding it (0: none)
	residents map[string]int64            // resident number → the resident (0: none)
	// changed cards and residents: their records are read again
	changedCards, changedResidents map[int64]bool

	// new cards not yet written, and the keys they take
	pending      []store.BulkCard
	pendingLines []int
	newApps      map[string]bool
	newNotices   map[string]bool
	newResidents map[string]int // resident number → index in pending of the card bringing the resident
}

// chunk applies a chunk of rows in file order and writes its new cards.
func (r *run) chunk(ctx context.Context, rows []jlis.Row) error {
	c, err := r.lookup(ctx, rows)
	if err != nil {
		return err
	}
	for _, row := range rows {
		r.res.Rows++
		before := r.res.tally()
		if err := r.apply(ctx, c, row); err != nil {
			return fmt.Errorf("%d 行目: %w", row.Line, err)
		}
		if r.preview != nil {
			r.preview.add(row, r.res.outcomeSince(before))
		}
		if r.progress != nil && r.res.Rows%progressEvery == 0 {
			r.progress(r.res.Rows)
		}
		if r.svc.rowHook != nil {
			if err := r.svc.rowHook(row.Line); err != nil {
				return err
			}
		}
	}
	return r.flush(ctx, c)
}

// lookup asks the ledger about the keys of the rows, one query per key.
func (r *run) lookup(ctx context.Context, rows []jlis.Row) (*chunk, error) {
	var k chunkKeys
	for _, row := range rows {
		if len(row.Problems) == 0 {
			k.add(row.ApplicationID, row.NoticeNumber, row.ResidentNumber)
		}
	}
	return r.lookupKeys(ctx, k)
}

// chunkKeys are the keys a chunk's rows name.
type chunkKeys struct{ apps, notices, numbers []string }

func (k *chunkKeys) add(app, notice, number string) {
	k.apps = append(k.apps, app)
	if notice != "" {
		k.notices = append(k.notices, notice)
	}
	if number != "" {
		k.numbers = append(k.numbers, number)
	}
}

// lookupKeys reads what the ledger holds for the keys, one query per key
// kind (in pieces the database takes).
func (r *run) lookupKeys(ctx context.Context, k chunkKeys) (*chunk, error) {
	c := &chunk{written: map[string]int64{}, changedCards: map[int64]bool{}, changedResidents: map[int64]bool{},
		newApps: map[string]bool{}, newNotices: map[string]bool{}, newResidents: map[string]int{}}
	var err error
	if c.records, err = r.tx.NewestCardsByApplicationIDs(ctx, k.apps); err != nil {
		return nil, err
	}
	if c.notices, err = r.tx.CardIDsByNoticeNumbers(ctx, k.notices); err != nil {
		return nil, err
	}
	c.residents, err = r.tx.ResidentIDsByNumbers(ctx, k.numbers)
	return c, err
}

// apply creates the row's card, updates the card it names, or leaves it
// as it is.
func (r *run) apply(ctx context.Context, c *chunk, row jlis.Row) error {
	r.gaiji = r.gaiji || row.HasGaiji
	if len(row.Problems) > 0 {
		for _, p := range row.Problems {
			r.reject(row, p.Column, p.Code, p.Reason)
		}
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
	case found:
		return r.update(ctx, c, row, rec, fresh)
	}
	return r.create(c, row)
}

// existing returns the newest card of the application, if any, and
// whether it was read just now (locked, as the card changed in this
// chunk) rather than with the chunk.
func (r *run) existing(ctx context.Context, c *chunk, appID string) (rec store.CardRecord, found, fresh bool, err error) {
	if id, ok := c.written[appID]; ok {
		rec, err = r.tx.CardByID(ctx, id)
		return rec, true, true, err
	}
	rec, found = c.records[appID]
	if found && (c.changedCards[rec.ID] || c.changedResidents[rec.Resident.ID]) {
		rec, err = r.tx.CardByID(ctx, rec.ID)
		return rec, true, true, err
	}
	return rec, found, false, nil
}

// noticeTaken reports whether a card other than self holds the notice
// number, or a new card of the chunk takes it.
func (c *chunk) noticeTaken(notice string, self int64) bool {
	if notice == "" {
		return false
	}
	return c.newNotices[notice] || (c.notices[notice] != 0 && c.notices[notice] != self)
}

// create queues a new card of the row, to be written with the chunk.
func (r *run) create(c *chunk, row jlis.Row) error {
	if c.noticeTaken(row.NoticeNumber, 0) {
		r.rejectNotice(row)
		return nil
	}
	bc := store.BulkCard{CardRecord: store.CardRecord{Resident: residentOf(row),
		Application: store.Application{ApplicationID: row.ApplicationID, Method: card.Method(row.Method)}, Card: cardOf(row)}}
	bc.Status, bc.CreatedAt, bc.RawRow = card.StatusArrived, r.now, row.Raw
	bc.Event = store.CardEvent{At: r.now, ActorID: r.p.UserID, Actor: r.p.Username, Kind: store.EventImport,
		ToStatus: card.StatusArrived, Reason: "J-LIS 納品データの取込 (" + r.res.FileName + ")"}
	c.queue(bc, row.Line)
	r.res.Created++
	return nil
}

// queue adds a new card to the chunk's pending ones and notes the keys it
// takes. A card of a person the ledger (or an earlier row) knows by 宛名番号
// joins that resident.
func (c *chunk) queue(bc store.BulkCard, line int) {
	if n := bc.Resident.ResidentNumber; n != "" {
		if id := c.residents[n]; id != 0 {
			bc.Resident.ID = id
		} else if j, ok := c.newResidents[n]; ok {
			bc.ResidentFrom = j + 1
		} else {
			c.newResidents[n] = len(c.pending)
		}
	}
	c.pending = append(c.pending, bc)
	c.pendingLines = append(c.pendingLines, line)
	c.newApps[bc.Application.ApplicationID] = true
	if bc.NoticeNumber != "" {
		c.newNotices[bc.NoticeNumber] = true
	}
}

// flush writes the chunk's new cards and notes their keys as taken.
func (r *run) flush(ctx context.Context, c *chunk) error {
	if len(c.pending) == 0 {
		return nil
	}
	if err := r.tx.InsertCardRecords(ctx, c.pending); err != nil {
		return fmt.Errorf("%d〜%d 行目: %w", c.pendingLines[0], c.pendingLines[len(c.pendingLines)-1], err)
	}
	for _, bc := range c.pending {
		c.written[bc.Application.ApplicationID] = bc.ID
		if bc.NoticeNumber != "" {
			c.notices[bc.NoticeNumber] = bc.ID
		}
		if bc.Resident.ResidentNumber != "" {
			c.residents[bc.Resident.ResidentNumber] = bc.Resident.ID
		}
	}
	c.pending, c.pendingLines = c.pending[:0], c.pendingLines[:0]
	clear(c.newApps)
	clear(c.newNotices)
	clear(c.newResidents)
	return nil
}
