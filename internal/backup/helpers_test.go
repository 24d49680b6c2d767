package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/demo"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// skip is the one table both sides leave out of comparisons: each
// database keeps its own migration times.
var skip = []string{"schema_migrations"}

// The seeded resident whose name and address must never be readable in a
// backup file.
const (
	secretName    = "鏡味　比呂志"
	secretAddress = "兵庫県三田市けやき台9丁目99番99号"
)

// testDB is a fresh migrated database and the --db value that opens it.
type testDB struct {
	*store.DB
	dsn string
}

func mustOpen(t *testing.T, e store.Engine) testDB {
	t.Helper()
	dsn := storetest.MustDSN(t, e)
	db, err := store.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.UseKeys(storetest.Keys())
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return testDB{DB: db, dsn: dsn}
}

// seed fills db with every kind of value (seedKinds) and the demo city's
// 500 cards with their events and search rows: the bulk a restore into
// the other engine must carry over unchanged.
func seed(t testing.TB, db *store.DB) {
	t.Helper()
	// First: SeedCards leaves a ledger that already has cards alone.
	if _, err := demo.SeedCards(t.Context(), db, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	seedKinds(t, db)
}

// seedKinds fills db with every kind of value and no bulk: users and their
// audit entries, a card with awkward text and raw bytes, NULLs, booleans,
// an uploaded file, 外字 and an import record. Tests of what a restore
// refuses need a backup, not 500 cards (which cost most of their time).
func seedKinds(t testing.TB, db *store.DB) {
	t.Helper()
	ctx := t.Context()
	a := auth.NewService(db, clock.System{}, secret.TestParams(), "")
	const pw = "kofu-backup-test-Passw0rd"
	for _, u := range []string{"admin-a", "staff-b"} {
		if _, err := a.CreateUser(ctx, auth.System("test"), auth.Meta{IP: "192.0.2.1"}, auth.NewUser{Username: u, DisplayName: "職員 " + u, Role: auth.RoleAdmin, Password: pw}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := a.Login(ctx, auth.Meta{IP: "192.0.2.7", UserAgent: "test"}, "admin-a", pw, ""); err != nil {
		t.Fatal(err)
	}
	a.Login(ctx, auth.Meta{IP: "192.0.2.8"}, "staff-b", "wrong password", "")
	if _, _, err := a.CreateToken(ctx, auth.System("test"), auth.Meta{}, "admin-a", "連携"); err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 256)
	for i := range raw {
		raw[i] = byte(i)
	}
	ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "N-1", Name: secretName, Kana: "カガミ　ヒロシ",
		Address: secretAddress, Remarks: "引用符\" 逆斜線\\ 改行\n タブ\t 制御\x01 <>& 絵文字😀 外字\ue000 IVS葛\U000E0100",
		Flags: []string{"a", "b"}, Gaiji: true, Raw: raw})
	err := db.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.StageUpload(ctx, 1, "納品.csv", []byte("a,b\r\n\x00\xff"), time.UnixMilli(1_700_000_000_123)); err != nil {
			return err
		}
		if _, err := tx.PutGaiji(ctx, store.Gaiji{CodePoint: 0xE000, Text: "髙", Note: "はしごだか", UpdatedAt: time.UnixMilli(1), UpdatedBy: "admin-a"}); err != nil {
			return err
		}
		if err := tx.InsertImport(ctx, &store.ImportRecord{Kind: "jlis", FileName: "x.csv", SHA256: "00", Encoding: "cp932",
			Actor: "admin-a", StartedAt: time.UnixMilli(2), Report: `{"ok":true}`}); err != nil {
			return err
		}
		// A scan over several chunks: its sealed blob is bound to its id.
		d := store.DocumentRecord{CardID: 1, Kind: "proxy", FileName: "委任状.pdf", Note: "髙橋", CreatedAt: time.UnixMilli(3), CreatedBy: "admin-a"}
		return tx.InsertDocument(ctx, &d, bytes.NewReader(documentContent()), func(io.ReaderAt, int64) (string, int, error) { return "PDF", 1, nil })
	})
	if err != nil {
		t.Fatal(err)
	}
}

// documentContent is the seeded document's content: over two chunks.
func documentContent() []byte {
	b := make([]byte, store.DocumentChunkSize*2+123)
	for i := range b {
		b[i] = byte(i * 31 / 7)
	}
	return b
}

// assertDocuments checks that the restored documents open under the
// same key and give the stored SHA-256.
func assertDocuments(t *testing.T, db *store.DB) {
	t.Helper()
	r, err := db.VerifyDocuments(t.Context(), nil)
	if err != nil || r.Checked != 1 || len(r.Problems) != 0 || r.Bytes != int64(len(documentContent())) {
		t.Errorf("documents after restore: %+v, %v", r, err)
	}
	want := sha256.Sum256(documentContent())
	err = db.View(t.Context(), func(tx *store.Tx) error {
		docs, err := tx.CardDocuments(t.Context(), 1)
		if err != nil || len(docs) != 1 {
			return fmt.Errorf("%d documents, %v", len(docs), err)
		}
		if docs[0].SHA256 != hex.EncodeToString(want[:]) || docs[0].FileName != "委任状.pdf" {
			return fmt.Errorf("restored %+v", docs[0])
		}
		ra, size, err := tx.DocumentContent(t.Context(), docs[0])
		if err != nil {
			return err
		}
		h := sha256.New()
		if _, err := io.Copy(h, io.NewSectionReader(ra, 0, size)); err != nil {
			return err
		}
		if !bytes.Equal(h.Sum(nil), want[:]) {
			return fmt.Errorf("content sha256 %x", h.Sum(nil))
		}
		return nil
	})
	if err != nil {
		t.Errorf("document after restore: %v", err)
	}
}

// mustBackup returns a backup of db, encrypted with enc.
func mustBackup(t testing.TB, db *store.DB, enc Encryption) ([]byte, Manifest) {
	t.Helper()
	var buf bytes.Buffer
	m, err := Write(context.Background(), db, &buf, enc, time.Now())
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	return buf.Bytes(), m
}

func mustIdentity(t testing.TB) *age.X25519Identity {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func toKey(id *age.X25519Identity) Encryption {
	return Encryption{Recipients: []age.Recipient{id.Recipient()}}
}

func withKey(id *age.X25519Identity) Decryption {
	return Decryption{Identities: []age.Identity{id}}
}

func wantCode(t *testing.T, err error, codes ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want one of %v, got success", codes)
	}
	if !slices.Contains(codes, apperr.CodeOf(err)) {
		t.Fatalf("want one of %v, got %s: %v", codes, apperr.CodeOf(err), err)
	}
}

// assertEmpty checks that db holds only what migrations put there.
func assertEmpty(t *testing.T, db *store.DB) {
	t.Helper()
	snap, err := db.Snapshot(t.Context(), append(skip, "audit_head")...)
	if err != nil {
		t.Fatal(err)
	}
	for table, rows := range snap {
		if len(rows) > 0 {
			t.Errorf("table %s has %d rows after a refused restore", table, len(rows))
		}
	}
	if err := store.VerifyAudit(t.Context(), db); err != nil {
		t.Errorf("audit chain: %v", err)
	}
}

// typedDump reads every table through a connection of its own and renders
// each value by its Go type, with booleans as 0/1: an independent view in
// which both engines' copies of the same data compare equal.
func typedDump(t *testing.T, db testDB) map[string][]string {
	t.Helper()
	driver := "sqlite"
	if db.Engine == store.Postgres {
		driver = "pgx"
	}
	conn, err := sql.Open(driver, db.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tables, err := db.Tables(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, table := range slices.Sorted(maps.Keys(tables)) {
		if !slices.Contains(skip, table) {
			out[table] = dumpTable(t, conn, table, tables[table])
		}
	}
	return out
}

func dumpTable(t *testing.T, conn *sql.DB, table string, cols []string) []string {
	t.Helper()
	rows, err := conn.QueryContext(t.Context(), `SELECT "`+joinCols(cols)+`" FROM `+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals, ptrs := scanTargets(len(cols))
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		for _, v := range vals {
			b.WriteString(render(v) + "|")
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func joinCols(cols []string) string {
	var b bytes.Buffer
	for i, c := range cols {
		if i > 0 {
			b.WriteString(`", "`)
		}
		b.WriteString(c)
	}
	return b.String()
}

func render(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case bool:
		if x {
			return "1"
		}
		return "0"
	case int64:
		return strconv.FormatInt(x, 10)
	case string:
		return strconv.Quote(x)
	case []byte:
		return "x'" + hex.EncodeToString(x) + "'"
	}
	return fmt.Sprintf("%T(%v)", v, v)
}
