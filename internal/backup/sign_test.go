package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// withAdmin adds an admin whose password the one who seeds it knows.
func withAdmin(t testing.TB, db *store.DB, username string) {
	t.Helper()
	a := auth.NewService(db, clock.System{}, secret.TestParams(), "")
	if _, err := a.CreateUser(t.Context(), auth.System("test"), auth.Meta{}, auth.NewUser{Username: username, Role: auth.RoleAdmin,
		Password: "planted-admin-Passw0rd"}); err != nil {
		t.Fatal(err)
	}
}

// The attack: someone with the city's age public key and write
// access to the backup store plants a backup of a database of their own,
// holding an admin account they know. Kofu makes it with any data key but
// the city's, and restore refuses it before writing anything.
func TestRestoreRefusesAPlantedBackup(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			city := mustIdentity(t) // the city keeps the private key
			attacker := mustOpen(t, e)
			own, err := fieldcrypt.ParseKey(fieldcrypt.Generate())
			if err != nil {
				t.Fatal(err)
			}
			attacker.UseKeys(fieldcrypt.NewKeyring(own))
			withAdmin(t, attacker.DB, "intruder")
			planted, _ := mustBackup(t, attacker.DB, Encryption{Recipients: []age.Recipient{city.Recipient()}})
			dst := mustOpen(t, e) // the city's keys
			_, err = Restore(t.Context(), bytes.NewReader(planted), withKey(city), dst.DB)
			wantCode(t, err, CodeSignature)
			if !strings.Contains(err.Error(), own.ID()) {
				t.Errorf("the refusal should name the key that signed: %v", err)
			}
			assertEmpty(t, dst.DB)
			// Without kofu's signing (no signature, or one made up), neither.
			for name, sig := range map[string][]byte{"no signature": nil, "made up": []byte(`{"key_id":"` + storetest.Keys().Current().ID() + `","hmac_sha256":"` + strings.Repeat("ab", 32) + `"}`)} {
				forged := rewrite(t, planted, city, func(entry string, b []byte) []byte {
					if entry == signatureName {
						return sig
					}
					return b
				})
				_, err := Restore(t.Context(), bytes.NewReader(forged), withKey(city), dst.DB)
				wantCode(t, err, CodeSignature)
				t.Logf("%s: %v", name, err)
			}
			assertEmpty(t, dst.DB)
		})
	}
}

// Someone who can decrypt a genuine backup changes a row, puts the
// table's new checksum in the manifest and encrypts it again: the
// signature no longer matches, and nothing is written.
func TestRestoreRefusesAnAlteredBackup(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			id := mustIdentity(t)
			src := mustOpen(t, e)
			withAdmin(t, src.DB, "staff-a")
			file, _ := mustBackup(t, src.DB, toKey(id))
			altered := rewrite(t, file, id, func(entry string, b []byte) []byte {
				if strings.Contains(entry, "/users/") {
					return bytes.Replace(b, []byte(`"staff-a"`), []byte(`"staff-z"`), 1)
				}
				return b
			})
			dst := mustOpen(t, e)
			_, err := Restore(t.Context(), bytes.NewReader(altered), withKey(id), dst.DB)
			wantCode(t, err, CodeSignature)
			assertEmpty(t, dst.DB)
			if _, err := Restore(t.Context(), bytes.NewReader(file), withKey(id), dst.DB); err != nil {
				t.Fatalf("control: the genuine backup: %v", err)
			}
		})
	}
}

// A backup from before signing (format 1) restores only when the operator
// says so; a format 2 backup never restores without its signature.
func TestUnsignedBackupsNeedTheOperatorsWord(t *testing.T) {
	id := mustIdentity(t)
	src := mustOpen(t, store.SQLite)
	withAdmin(t, src.DB, "staff-a")
	file, _ := mustBackup(t, src.DB, toKey(id))
	old := rewrite(t, file, id, func(entry string, b []byte) []byte {
		switch entry {
		case signatureName:
			return nil
		case manifestName:
			return bytes.Replace(b, []byte(`"format_version": 2`), []byte(`"format_version": 1`), 1)
		}
		return b
	})
	dst := mustOpen(t, store.SQLite)
	_, err := Restore(t.Context(), bytes.NewReader(old), withKey(id), dst.DB)
	wantCode(t, err, CodeUnsigned)
	assertEmpty(t, dst.DB)
	dec := withKey(id)
	dec.AllowUnsigned = true
	if _, err := Restore(t.Context(), bytes.NewReader(old), dec, dst.DB); err != nil {
		t.Fatalf("an unsigned format 1 backup, allowed: %v", err)
	}
	stripped := rewrite(t, file, id, func(entry string, b []byte) []byte {
		if entry == signatureName {
			return nil
		}
		return b
	})
	other := mustOpen(t, store.SQLite)
	_, err = Restore(t.Context(), bytes.NewReader(stripped), dec, other.DB)
	wantCode(t, err, CodeSignature)
	assertEmpty(t, other.DB)
}

// rewrite decrypts a backup, passes every entry through edit (nil drops
// it), fixes the manifest's checksums of the tables edit changed, and
// encrypts it again to id: what someone holding the key can do.
func rewrite(t *testing.T, file []byte, id *age.X25519Identity, edit func(name string, b []byte) []byte) []byte {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(decryptAll(t, file, id)))
	type entry struct {
		name string
		data []byte
	}
	var entries []entry
	tables := map[string][]byte{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		if b = edit(hdr.Name, b); b == nil {
			continue
		}
		if table, _, ok := parseChunkName(hdr.Name); ok {
			tables[table] = append(tables[table], b...)
		}
		entries = append(entries, entry{hdr.Name, b})
	}
	for i, en := range entries {
		if en.name != manifestName {
			continue
		}
		var m Manifest
		if err := json.Unmarshal(en.data, &m); err != nil {
			t.Fatal(err)
		}
		for j, tb := range m.Tables {
			sum := sha256.Sum256(tables[tb.Name])
			m.Tables[j].SHA256 = hex.EncodeToString(sum[:])
		}
		b, _ := json.MarshalIndent(m, "", "  ")
		entries[i].data = append(b, '\n')
	}
	var out bytes.Buffer
	enc, err := age.Encrypt(&out, id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	gz := gzip.NewWriter(enc)
	tw := tar.NewWriter(gz)
	for _, en := range entries {
		tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: en.name, Mode: 0o600, Size: int64(len(en.data)), Format: tar.FormatPAX})
		tw.Write(en.data)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	gz.Close()
	enc.Close()
	return out.Bytes()
}
