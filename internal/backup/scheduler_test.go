package backup

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestSchedulerWritesDueBackupsAndKeepsTheRetention(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	c := clock.NewFixed(time.Date(2026, 12, 1, 3, 0, 0, 0, tokyo))
	dir := t.TempDir()
	os.WriteFile(dir+"/notes.txt", []byte("not a backup"), 0o600)
	sched := Schedule{Hour: 2, Minute: 30, Location: tokyo, Daily: 2, Monthly: 1, Prefix: "kofu-"}
	s, err := NewScheduler(db, dir, Encryption{Passphrase: "correct horse battery", WorkFactor: 10}, sched, c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for day := range 4 {
		ran, err := s.RunOnce(ctx)
		if err != nil || !ran {
			t.Fatalf("day %d: ran=%v err=%v", day, ran, err)
		}
		if again, _ := s.RunOnce(ctx); again {
			t.Fatalf("day %d: a second run the same day must not back up again", day)
		}
		c.Advance(24 * time.Hour)
	}
	names, _ := s.existing()
	// 2 daily (12/3, 12/4) + the month's first (12/1) + the unrelated file.
	if len(names) != 4 || s.Last().Err != "" || s.Last().File == "" {
		t.Fatalf("kept %v, last %+v", names, s.Last())
	}
	// Every instance's dashboard reads the outcome from the database.
	st, err := LastStatus(ctx, db)
	if err != nil || !st.Recorded || st.File != s.Last().File || st.Rows == 0 || !st.At.Equal(s.Last().At) {
		t.Fatalf("recorded status %+v (err %v), want %+v", st, err, s.Last())
	}
	if st.Stale(st.At.Add(25*time.Hour), 26*time.Hour) || !st.Stale(st.At.Add(27*time.Hour), 26*time.Hour) {
		t.Error("a backup is stale after 26 hours, not before")
	}
}

func TestSchedulerRefusesToRunWithoutEncryption(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	if _, err := NewScheduler(db, t.TempDir(), Encryption{}, DefaultSchedule(time.UTC), clock.System{}, slog.Default()); err == nil {
		t.Fatal("an unencrypted schedule must be refused")
	}
}
