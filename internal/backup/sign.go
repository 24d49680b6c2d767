package backup

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
)

// signatureName is the entry after the manifest that signs it.
const signatureName = root + "/signature.json"

// signature is an HMAC-SHA256 of the manifest's bytes under a key derived
// from the data key of the database backed up. The manifest holds every
// table's SHA-256, so the signature covers the whole backup. Encrypting to
// an age public key proves nothing about who wrote a backup (anyone with
// the public key can): the signature does, and only the data key, which
// neither the backup nor its store holds, makes one.
type signature struct {
	KeyID string `json:"key_id"`
	MAC   string `json:"hmac_sha256"`
}

const signatureLabel = "kofu backup manifest\x00"

func signatureKey(k *fieldcrypt.Key) []byte { return k.Derive("backup signature") }

func macOf(key, manifest []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(signatureLabel))
	m.Write(manifest)
	return m.Sum(nil)
}

// sign signs the manifest's bytes with the current data key.
func sign(keys *fieldcrypt.Keyring, manifest []byte) signature {
	k := keys.Current()
	return signature{KeyID: k.ID(), MAC: hex.EncodeToString(macOf(signatureKey(k), manifest))}
}

// check verifies the signature with the data key it names.
func (s signature) check(keys *fieldcrypt.Keyring, manifest []byte) error {
	for _, k := range keys.Keys() {
		if k.ID() != s.KeyID {
			continue
		}
		got, err := hex.DecodeString(s.MAC)
		if err != nil || !hmac.Equal(got, macOf(signatureKey(k), manifest)) {
			return apperr.New(CodeSignature, "バックアップの署名が一致しません。kofu が作成したものではないか、改ざんされています。復元しません。")
		}
		return nil
	}
	return apperr.New(CodeSignature, fmt.Sprintf("バックアップはデータの暗号鍵 %s で署名されています。作成したときの鍵を KOFU_DATA_KEY_FILE（古い鍵は KOFU_DATA_OLD_KEY_FILE）で指定してください。", s.KeyID))
}

func readSignature(r io.Reader) (*signature, error) {
	var s signature
	if err := json.NewDecoder(io.LimitReader(r, 4096)).Decode(&s); err != nil || s.KeyID == "" || s.MAC == "" {
		return nil, corrupt("signature.json", err)
	}
	return &s, nil
}

// errNeedKeys refuses a backup or a restore without the data key, which
// signs and checks backups.
func errNeedKeys(what string) error {
	return apperr.Wrap(CodeSignature, what+"にはデータの暗号鍵（KOFU_DATA_KEY_FILE）が必要です。バックアップの署名に使います。", fieldcrypt.ErrNoKey)
}
