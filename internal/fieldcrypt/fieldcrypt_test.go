package fieldcrypt_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/fieldcrypt"
)

func mustKey(t *testing.T) *fieldcrypt.Key {
	t.Helper()
	k, err := fieldcrypt.ParseKey(fieldcrypt.Generate())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealedValueOpensAndHidesTheText(t *testing.T) {
	r := fieldcrypt.NewKeyring(mustKey(t))
	const name = "三輪 直美\U000F0001"
	v := r.Seal(name, "residents.name")
	if strings.Contains(v, "三輪") || !strings.HasPrefix(v, "enc1:"+r.Current().ID()+":") {
		t.Fatalf("sealed value %q", v)
	}
	if v == r.Seal(name, "residents.name") {
		t.Error("two seals of one value are equal: the nonce is not random")
	}
	got, err := r.Open(v, "residents.name")
	if err != nil || got != name {
		t.Fatalf("Open = %q, %v", got, err)
	}
}

func TestValueMovedToAnotherColumnDoesNotOpen(t *testing.T) {
	r := fieldcrypt.NewKeyring(mustKey(t))
	v := r.Seal("兵庫県三田市", "residents.address")
	if _, err := r.Open(v, "residents.name"); err == nil {
		t.Fatal("opened under another column's associated data")
	}
}

func TestWrongKeyIsRefused(t *testing.T) {
	v := fieldcrypt.NewKeyring(mustKey(t)).Seal("三輪", "t.c")
	_, err := fieldcrypt.NewKeyring(mustKey(t)).Open(v, "t.c")
	if !errors.Is(err, fieldcrypt.ErrUnknownKey) {
		t.Fatalf("err = %v, want ErrUnknownKey", err)
	}
}

func TestOldKeyOpensAndTokensCoverBothKeys(t *testing.T) {
	oldK, newK := mustKey(t), mustKey(t)
	v := fieldcrypt.NewKeyring(oldK).Seal("三輪", "t.c")
	r := fieldcrypt.NewKeyring(newK, oldK)
	if got, err := r.Open(v, "t.c"); err != nil || got != "三輪" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if fieldcrypt.KeyOf(r.Seal("三輪", "t.c")) != newK.ID() || fieldcrypt.KeyOf(v) != oldK.ID() {
		t.Error("values do not name their keys")
	}
	toks := r.Tokens("三輪")
	if len(toks) != 2 || toks[0] != newK.Token("三輪") || toks[1] != oldK.Token("三輪") || toks[0] == toks[1] {
		t.Errorf("tokens %v", toks)
	}
}

func TestPlaintextAndEmptyPassThrough(t *testing.T) {
	r := fieldcrypt.NewKeyring(mustKey(t))
	if r.Seal("", "t.c") != "" {
		t.Error("empty value sealed")
	}
	if got, err := r.Open("平文", "t.c"); err != nil || got != "平文" {
		t.Errorf("legacy plaintext: %q, %v", got, err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	oldText, curText := fieldcrypt.Generate(), fieldcrypt.Generate()
	oldFile, curFile := filepath.Join(dir, "old.key"), filepath.Join(dir, "cur.key")
	os.WriteFile(oldFile, []byte(oldText+"\n"), 0o600)
	os.WriteFile(curFile, []byte(curText+"\n"), 0o600)
	r, err := fieldcrypt.Load("", curFile, oldFile)
	if err != nil || len(r.Keys()) != 2 {
		t.Fatalf("Load = %v, %v", r, err)
	}
	if k, _ := fieldcrypt.ParseKey(curText); r.Current().ID() != k.ID() {
		t.Error("the key file is not the current key")
	}
	if _, err := fieldcrypt.Load("", "", ""); !errors.Is(err, fieldcrypt.ErrNoKey) {
		t.Errorf("no key: %v", err)
	}
	if _, err := fieldcrypt.Load(curText, curFile, ""); err == nil {
		t.Error("both a key and a key file were accepted")
	}
	if _, err := fieldcrypt.Load("c2hvcnQ=", "", ""); err == nil || !strings.Contains(err.Error(), "32 バイト") {
		t.Errorf("short key: %v", err)
	}
}

// A key file that its group or others can read is refused, naming the
// file and the fix; the same file made private loads.
func TestKeyFileReadableByOthersIsRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes mean nothing on Windows")
	}
	file := filepath.Join(t.TempDir(), "data.key")
	if err := os.WriteFile(file, []byte(fieldcrypt.Generate()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o444} {
		if err := os.Chmod(file, mode); err != nil {
			t.Fatal(err)
		}
		for name, load := range map[string]func() error{
			"current": func() error { _, err := fieldcrypt.Load("", file, ""); return err },
			"old":     func() error { _, err := fieldcrypt.Load(fieldcrypt.Generate(), "", file); return err },
		} {
			if err := load(); err == nil || !strings.Contains(err.Error(), "chmod 600 "+file) {
				t.Errorf("%s key file with mode %04o: %v", name, mode, err)
			}
		}
	}
	for _, mode := range []os.FileMode{0o600, 0o400} {
		os.Chmod(file, mode)
		if _, err := fieldcrypt.Load("", file, ""); err != nil {
			t.Errorf("mode %04o: %v", mode, err)
		}
	}
}

// The document key follows the master key and is neither another master's
// nor open to change through the slice it returns.
func TestDocumentKeyIsDerivedPerMasterKey(t *testing.T) {
	master := fieldcrypt.Generate()
	a, _ := fieldcrypt.ParseKey(master)
	b, _ := fieldcrypt.ParseKey(master)
	other := mustKey(t)
	ka := a.DocumentKey()
	if len(ka) != fieldcrypt.KeySize || string(ka) != string(b.DocumentKey()) {
		t.Fatalf("one master gives document keys %x and %x", ka, b.DocumentKey())
	}
	if string(ka) == string(other.DocumentKey()) {
		t.Fatal("two masters give one document key")
	}
	ka[0] ^= 1
	if string(ka) == string(a.DocumentKey()) {
		t.Fatal("the returned key is the key's own memory")
	}
}

func TestRowSealedValueOpensOnlyInItsRow(t *testing.T) {
	r := fieldcrypt.NewKeyring(mustKey(t))
	v := r.SealRow("1982-05-06", "residents.birth_date", "17")
	if !strings.HasPrefix(v, "enc2:") || strings.Contains(v, "1982") {
		t.Fatalf("sealed as %q", v)
	}
	if got, err := r.OpenRow(v, "residents.birth_date", "17"); err != nil || got != "1982-05-06" {
		t.Fatalf("open in its row: %q %v", got, err)
	}
	if _, err := r.OpenRow(v, "residents.birth_date", "18"); err == nil {
		t.Error("opened in another row")
	}
	if _, err := r.OpenRow(v, "residents.name", "17"); err == nil {
		t.Error("opened in another column")
	}
	if _, err := r.Open(v, "residents.birth_date"); err == nil {
		t.Error("a row-bound value opened as a column-bound one")
	}
	for _, planted := range []string{"1982-05-06", r.Seal("1982-05-06", "residents.birth_date")} {
		if _, err := r.OpenRow(planted, "residents.birth_date", "17"); !errors.Is(err, fieldcrypt.ErrNotRowSealed) {
			t.Errorf("OpenRow(%q): %v", planted, err)
		}
	}
}
