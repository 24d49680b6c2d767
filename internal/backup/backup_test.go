package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestRestoreIntoEitherEngineGivesTheSameData(t *testing.T) {
	for _, from := range storetest.Engines() {
		t.Run("from_"+string(from), func(t *testing.T) {
			src := mustOpen(t, from)
			seed(t, src.DB)
			id := mustIdentity(t)
			start := time.Now()
			file, m := mustBackup(t, src.DB, toKey(id))
			t.Logf("backup of %d rows in %d tables: %d bytes in %v", m.TotalRows(), len(m.Tables), len(file), time.Since(start))
			if m.Engine != string(from) || m.SchemaVersion != store.LatestVersion(from) {
				t.Errorf("manifest: engine %s, schema %d", m.Engine, m.SchemaVersion)
			}
			for _, to := range storetest.Engines() {
				t.Run("to_"+string(to), func(t *testing.T) {
					dst := mustOpen(t, to)
					start := time.Now()
					got, err := Restore(t.Context(), bytes.NewReader(file), withKey(id), dst.DB)
					if err != nil {
						t.Fatalf("restore: %v", err)
					}
					t.Logf("restored into %s in %v", to, time.Since(start))
					if !reflect.DeepEqual(got, m) {
						t.Errorf("restore manifest %+v\nwant %+v", got, m)
					}
					assertSameData(t, src, dst, m)
					assertDocuments(t, dst.DB)
					assertUsable(t, dst.DB)
				})
			}
		})
	}
}

// assertSameData compares source and restored target table by table:
// with db.Snapshot where both engines render values alike (the same
// engine, or tables without booleans, which Snapshot prints as true on
// PostgreSQL and 1 on SQLite), and with an independent typed dump always.
func assertSameData(t *testing.T, src, dst testDB, m Manifest) {
	t.Helper()
	want, got := typedDump(t, src), typedDump(t, dst)
	var rows int64
	for _, table := range slices.Sorted(maps.Keys(want)) {
		rows += int64(len(want[table]))
		if !slices.Equal(want[table], got[table]) {
			t.Errorf("table %s differs: %d rows, want %d\n got %.300q\nwant %.300q", table, len(got[table]), len(want[table]), got[table], want[table])
		}
	}
	if rows != m.TotalRows() || len(got) != len(want) {
		t.Errorf("manifest counts %d rows, the database %d", m.TotalRows(), rows)
	}
	wantSnap, err := src.Snapshot(t.Context(), skip...)
	if err != nil {
		t.Fatal(err)
	}
	gotSnap, err := dst.Snapshot(t.Context(), skip...)
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, tb := range m.Tables {
		if src.Engine != dst.Engine && slices.ContainsFunc(tb.Columns, func(c Column) bool { return c.Kind == KindBool }) {
			continue
		}
		compared++
		if !slices.Equal(wantSnap[tb.Name], gotSnap[tb.Name]) {
			t.Errorf("snapshot of %s differs", tb.Name)
		}
	}
	if compared == 0 {
		t.Error("no table compared by snapshot")
	}
	if err := store.VerifyAudit(t.Context(), dst.DB); err != nil {
		t.Errorf("audit chain after restore: %v", err)
	}
}

// assertUsable writes to the restored database: new ids must follow the
// restored ones (PostgreSQL sequences) and the audit chain must go on.
func assertUsable(t *testing.T, db *store.DB) {
	t.Helper()
	ledgertest.MustCard(t, db, ledgertest.Seed{App: 9_999, Notice: "N-9999", Name: "復元　後"})
	// The search rows came over as keyed hashes: the same key still finds
	// the restored resident by name and by reading.
	for _, q := range []string{"鏡味", "カガミ", "復元"} {
		var n int
		err := db.View(t.Context(), func(tx *store.Tx) (err error) {
			_, n, err = tx.SearchCards(t.Context(), store.CardFilter{Query: q})
			return err
		})
		if err != nil || n != 1 {
			t.Errorf("search %q after restore: %d cards, %v", q, n, err)
		}
	}
	a := auth.NewService(db, clock.System{}, secret.TestParams(), "")
	if _, err := a.CreateUser(t.Context(), auth.System("test"), auth.Meta{}, auth.NewUser{Username: "after-restore", Role: auth.RoleStaff}); err != nil {
		t.Fatalf("create user after restore: %v", err)
	}
	if err := store.VerifyAudit(t.Context(), db); err != nil {
		t.Errorf("audit chain after a new entry: %v", err)
	}
}

func TestRestoreRefusesADamagedBackupAndWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, src *store.DB) {
		seedKinds(t, src)
		stageNoise(t, src, 160<<10) // two age chunks and more of data that does not compress
		id := mustIdentity(t)
		file, _ := mustBackup(t, src, toKey(id))
		dst := mustOpen(t, src.Engine)
		flip := func(at int) []byte {
			b := bytes.Clone(file)
			b[at] ^= 0x01
			return b
		}
		mac := bytes.Index(file, []byte("\n---")) + 1
		payload := mac + bytes.IndexByte(file[mac:], '\n') + 1 + 16 // after the header and the nonce
		const ageChunk = 64<<10 + 16
		if len(file) < payload+2*ageChunk {
			t.Fatalf("backup of %d bytes is too small to test chunk boundaries", len(file))
		}
		cases := map[string][]byte{
			"flipped byte in the age header":  flip(30),
			"flipped byte in the header MAC":  flip(mac + 5),
			"flipped byte in the nonce":       flip(payload - 3),
			"flipped byte in the first chunk": flip(payload + 100),
			"flipped byte in the middle":      flip(len(file) / 2),
			"flipped byte in the last chunk":  flip(len(file) - 20),
			"flipped last byte":               flip(len(file) - 1),
			"truncated to half":               file[:len(file)/2],
			"truncated by one byte":           file[:len(file)-1],
			"cut at an age chunk boundary":    file[:payload+ageChunk],
			"cut after the header":            file[:payload-16],
			"cut after the nonce":             file[:payload],
			"extra bytes after the end":       append(bytes.Clone(file), 'x'),
			"two backups glued together":      append(bytes.Clone(file), file...),
			"empty file":                      nil,
			"not an age file":                 []byte("kofu-backup\n"),
		}
		for name, damaged := range cases {
			t.Run(name, func(t *testing.T) {
				_, err := Restore(t.Context(), bytes.NewReader(damaged), withKey(id), dst.DB)
				wantCode(t, err, CodeCorrupt, CodeDecrypt)
				assertEmpty(t, dst.DB)
			})
		}
		t.Run("the intact file still restores", func(t *testing.T) {
			if _, err := Restore(t.Context(), bytes.NewReader(file), withKey(id), dst.DB); err != nil {
				t.Fatal(err)
			}
		})
	})
}

func stageNoise(t testing.TB, db *store.DB, n int) {
	t.Helper()
	noise := make([]byte, n)
	rand.Read(noise)
	err := db.Update(t.Context(), func(tx *store.Tx) error {
		_, err := tx.StageUpload(t.Context(), 1, "noise.bin", noise, time.UnixMilli(3))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRestoreRefusesAWrongKeyOrPassphrase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, src *store.DB) {
		seedKinds(t, src)
		dst := mustOpen(t, src.Engine)
		id, other := mustIdentity(t), mustIdentity(t)
		byKey, _ := mustBackup(t, src, toKey(id))
		byPass, _ := mustBackup(t, src, Encryption{Passphrase: "正しい合言葉 correct horse", WorkFactor: 10})
		cases := []struct {
			name string
			file []byte
			dec  Decryption
		}{
			{"another recipient's key", byKey, withKey(other)},
			{"a passphrase for a file encrypted to a key", byKey, Decryption{Passphrase: "正しい合言葉 correct horse"}},
			{"a wrong passphrase", byPass, Decryption{Passphrase: "違う合言葉 correct horse"}},
			{"a key for a file encrypted with a passphrase", byPass, withKey(id)},
			{"nothing to decrypt with", byKey, Decryption{}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := Restore(t.Context(), bytes.NewReader(c.file), c.dec, dst.DB)
				wantCode(t, err, CodeDecrypt)
				assertEmpty(t, dst.DB)
			})
		}
		t.Run("the right passphrase restores", func(t *testing.T) {
			if _, err := Restore(t.Context(), bytes.NewReader(byPass), Decryption{Passphrase: "正しい合言葉 correct horse"}, dst.DB); err != nil {
				t.Fatal(err)
			}
		})
	})
}

func TestRestoreRefusesATargetThatHoldsData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, src *store.DB) {
		seedKinds(t, src)
		id := mustIdentity(t)
		file, _ := mustBackup(t, src, toKey(id))
		dst := mustOpen(t, src.Engine)
		ledgertest.MustCard(t, dst.DB, ledgertest.Seed{App: 1, Name: "既存　データ"})
		before, err := dst.Snapshot(t.Context(), skip...)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Restore(t.Context(), bytes.NewReader(file), withKey(id), dst.DB)
		wantCode(t, err, CodeTargetNotEmpty)
		if !strings.Contains(apperr.MessageOf(err), "空ではありません") {
			t.Errorf("message: %s", apperr.MessageOf(err))
		}
		after, _ := dst.Snapshot(t.Context(), skip...)
		if !reflect.DeepEqual(before, after) {
			t.Error("the refused restore changed the target")
		}
	})
}

func TestRestoreRefusesAnotherSchemaVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, src *store.DB) {
		seedKinds(t, src)
		id := mustIdentity(t)
		file, _ := mustBackup(t, src, toKey(id))
		dst := mustOpen(t, src.Engine)
		if err := dst.Update(t.Context(), func(tx *store.Tx) error { return tx.ForceSchemaVersion(t.Context(), 99) }); err != nil {
			t.Fatal(err)
		}
		_, err := Restore(t.Context(), bytes.NewReader(file), withKey(id), dst.DB)
		wantCode(t, err, CodeSchema)
		assertEmpty(t, dst.DB)
	})
}

func TestBackupRefusesToWriteWithoutEncryption(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	var buf bytes.Buffer
	_, err := Write(t.Context(), db, &buf, Encryption{}, time.Now())
	wantCode(t, err, CodeNotEncrypted)
	_, err = Write(t.Context(), db, &buf, Encryption{Passphrase: "x", Recipients: []age.Recipient{mustIdentity(t).Recipient()}}, time.Now())
	wantCode(t, err, apperr.Invalid)
	if buf.Len() != 0 {
		t.Errorf("%d bytes written", buf.Len())
	}
}

// Personal fields are sealed in the database, and the backup copies rows as
// stored: even the backup decrypted with age holds no readable name or
// address, only the sealed values that the data key opens.
func TestBackupHoldsNoReadableResidentData(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			db := mustOpen(t, e)
			seedKinds(t, db.DB)
			id := mustIdentity(t)
			file, _ := mustBackup(t, db.DB, toKey(id))
			plain := decryptAll(t, file, id)
			if !bytes.Contains(plain, []byte("はしごだか")) { // the 外字 table is not personal data and stays readable
				t.Fatal("control: the decrypted backup lacks the 外字 note")
			}
			for _, s := range []string{secretName, secretAddress, "カガミ　ヒロシ", "鏡味", "けやき台9丁目"} {
				if bytes.Contains(plain, []byte(s)) {
					t.Errorf("the decrypted backup shows %q", s)
				}
				if bytes.Contains(file, []byte(s)) {
					t.Errorf("the backup file shows %q", s)
				}
			}
		})
	}
}

// decryptAll returns the whole decrypted, decompressed tar stream.
func decryptAll(t *testing.T, file []byte, id age.Identity) []byte {
	t.Helper()
	r, err := age.Decrypt(bytes.NewReader(file), id)
	if err != nil {
		t.Fatal(err)
	}
	gz, err := gzip.NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(gz)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFormatIsAsDocumented reads a backup with nothing but age, gzip, tar
// and JSON, as an operator would, with small chunks so tables span several.
func TestFormatIsAsDocumented(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	seedKinds(t, db)
	id := mustIdentity(t)
	var buf bytes.Buffer
	m, err := write(t.Context(), db, &buf, toKey(id), time.Now(), 1<<10)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(bytes.NewReader(decryptAll(t, buf.Bytes(), id)))
	data := map[string][]byte{}
	var names []string
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, hdr.Name)
		b, _ := io.ReadAll(tr)
		if table, _, ok := parseChunkName(hdr.Name); ok {
			data[table] = append(data[table], b...)
		}
	}
	if names[len(names)-2] != "kofu-backup/manifest.json" || names[len(names)-1] != "kofu-backup/signature.json" {
		t.Errorf("last entries %s", names[len(names)-2:])
	}
	multi := false
	for _, tb := range m.Tables {
		sum := sha256.Sum256(data[tb.Name])
		lines := strings.Split(strings.TrimSuffix(string(data[tb.Name]), "\n"), "\n")
		if hex.EncodeToString(sum[:]) != tb.SHA256 || (tb.Rows > 0 && int64(len(lines)) != tb.Rows) {
			t.Errorf("table %s: sum or rows differ from the manifest", tb.Name)
		}
		multi = multi || tb.Chunks > 1
		if tb.Rows > 0 {
			var row []any
			if err := json.Unmarshal([]byte(lines[0]), &row); err != nil || len(row) != len(tb.Columns) {
				t.Errorf("table %s: first line %s: %v", tb.Name, lines[0], err)
			}
		}
	}
	if !multi {
		t.Error("no table spans several chunks")
	}
	dst := storetest.MustOpen(t, store.SQLite)
	if _, err := Restore(t.Context(), bytes.NewReader(buf.Bytes()), withKey(id), dst); err != nil {
		t.Fatalf("restore of a chunked backup: %v", err)
	}
}

// onlyReader hides Seek, as a pipe or a network stream would.
type onlyReader struct{ io.Reader }

func TestRestoreFromAStreamLeavesNoTemporaryFile(t *testing.T) {
	src := mustOpen(t, store.SQLite)
	seedKinds(t, src.DB)
	dst := mustOpen(t, store.SQLite)
	id := mustIdentity(t)
	file, _ := mustBackup(t, src.DB, toKey(id))
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	m, err := Restore(t.Context(), onlyReader{bytes.NewReader(file)}, withKey(id), dst.DB)
	if err != nil {
		t.Fatal(err)
	}
	assertSameData(t, src, dst, m)
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestBackupIsOneSnapshot writes to the database while a backup is being
// written: the backup holds the database as it was when it began.
func TestBackupIsOneSnapshot(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			src := mustOpen(t, e)
			seedKinds(t, src.DB)
			before := typedDump(t, src)
			id := mustIdentity(t)
			pr, pw := io.Pipe()
			done := make(chan error, 1)
			go func() {
				_, err := Write(t.Context(), src.DB, pw, toKey(id), time.Now())
				pw.CloseWithError(err)
				done <- err
			}()
			first := make([]byte, 1)
			if _, err := io.ReadFull(pr, first); err != nil {
				t.Fatal(err)
			}
			// The backup has begun and is blocked on the pipe; the server writes on.
			ledgertest.MustCard(t, src.DB, ledgertest.Seed{App: 77_777, Notice: "N-77777", Name: "途中　追加"})
			rest, err := io.ReadAll(pr)
			if err != nil || <-done != nil {
				t.Fatalf("backup: %v", err)
			}
			dst := mustOpen(t, e)
			if _, err := Restore(t.Context(), bytes.NewReader(append(first, rest...)), withKey(id), dst.DB); err != nil {
				t.Fatal(err)
			}
			if got := typedDump(t, dst); !reflect.DeepEqual(got, before) {
				t.Error("the backup is not the database as of its start")
			}
		})
	}
}

// swapping reads first on the first pass and second after a rewind, as if
// the file were replaced while a restore runs.
type swapping struct {
	*bytes.Reader
	second  []byte
	rewound bool
}

func (s *swapping) Seek(off int64, whence int) (int64, error) {
	if whence == io.SeekStart && !s.rewound {
		s.rewound = true
		s.Reader = bytes.NewReader(s.second)
	}
	return s.Reader.Seek(off, whence)
}

// TestRestoreRollsBackWhenTheSecondPassFails damages the file between the
// verifying pass and the loading pass: rows already inserted are rolled
// back with the one transaction.
func TestRestoreRollsBackWhenTheSecondPassFails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, src *store.DB) {
		seedKinds(t, src)
		stageNoise(t, src, 300<<10)
		id := mustIdentity(t)
		file, _ := mustBackup(t, src, toKey(id))
		other, _ := mustBackup(t, src, toKey(id))
		late := bytes.Clone(file)
		late[len(late)-100] ^= 0x01 // in the last table, after most rows are inserted
		dst := mustOpen(t, src.Engine)
		for name, second := range map[string][]byte{"damaged late": late, "another backup": other, "truncated": file[:len(file)-1]} {
			t.Run(name, func(t *testing.T) {
				_, err := Restore(t.Context(), &swapping{Reader: bytes.NewReader(file), second: second}, withKey(id), dst.DB)
				wantCode(t, err, CodeCorrupt, CodeDecrypt)
				assertEmpty(t, dst.DB)
			})
		}
	})
}
