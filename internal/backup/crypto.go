package backup

import (
	"errors"
	"io"
	"strings"

	"filippo.io/age"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// Encryption says who can read a backup: age recipients (public keys,
// age1...) or one passphrase, never both (age allows a passphrase only as
// the sole recipient).
type Encryption struct {
	Recipients []age.Recipient
	Passphrase string
	// WorkFactor is log2 of scrypt's N for a passphrase; 0 keeps age's
	// default (18, about a second). Tests lower it.
	WorkFactor int
}

// Decryption holds what may open a backup: age identities (private keys)
// and/or a passphrase.
type Decryption struct {
	Identities []age.Identity
	Passphrase string
	// AllowUnsigned lets a backup from before signing (format 1) restore:
	// an operator's decision, for a file whose origin they know.
	AllowUnsigned bool
}

func (e Encryption) recipients() ([]age.Recipient, error) {
	switch {
	case e.Passphrase != "" && len(e.Recipients) > 0:
		return nil, apperr.New(apperr.Invalid, "公開鍵とパスフレーズは同時に指定できません。どちらか一方を指定してください。")
	case e.Passphrase != "":
		r, err := age.NewScryptRecipient(e.Passphrase)
		if err != nil {
			return nil, err
		}
		if e.WorkFactor > 0 {
			r.SetWorkFactor(e.WorkFactor)
		}
		return []age.Recipient{r}, nil
	case len(e.Recipients) > 0:
		return e.Recipients, nil
	}
	return nil, apperr.New(CodeNotEncrypted, "暗号化の指定がありません。暗号化しないバックアップは作成できません (公開鍵またはパスフレーズを指定してください)。")
}

func (d Decryption) identities() ([]age.Identity, error) {
	ids := d.Identities
	if d.Passphrase != "" {
		id, err := age.NewScryptIdentity(d.Passphrase)
		if err != nil {
			return nil, err
		}
		ids = append(ids[:len(ids):len(ids)], id)
	}
	if len(ids) == 0 {
		return nil, apperr.New(CodeDecrypt, "復号の鍵またはパスフレーズを指定してください。")
	}
	return ids, nil
}

// ParseRecipients parses age public keys separated by commas, spaces or
// new lines (the value of KOFU_BACKUP_RECIPIENTS).
func ParseRecipients(list string) ([]age.Recipient, error) {
	text := strings.Join(strings.FieldsFunc(list, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	}), "\n")
	rs, err := age.ParseRecipients(strings.NewReader(text))
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, "公開鍵 (age1...) を読み取れません: "+err.Error(), err)
	}
	return rs, nil
}

// ParseIdentities reads an age identity file (AGE-SECRET-KEY-1... lines).
func ParseIdentities(r io.Reader) ([]age.Identity, error) {
	ids, err := age.ParseIdentities(r)
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, "秘密鍵のファイルを読み取れません: "+err.Error(), err)
	}
	return ids, nil
}

// keyCatcher unwraps the file key with the caller's identities and keeps
// it, so that the second pass of a restore decrypts with the same key
// without running scrypt again (and fails if the file was swapped).
type keyCatcher struct {
	ids     []age.Identity
	fileKey []byte
}

func (k *keyCatcher) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	var misses []error
	for _, id := range k.ids {
		key, err := id.Unwrap(stanzas)
		if errors.Is(err, age.ErrIncorrectIdentity) {
			misses = append(misses, err)
			continue
		}
		if err != nil {
			return nil, err
		}
		k.fileKey = key
		return key, nil
	}
	return nil, errors.Join(append(misses, age.ErrIncorrectIdentity)...)
}

// decryptError tells a wrong key from a damaged file where age can.
func decryptError(err error) error {
	var noMatch *age.NoIdentityMatchError
	if errors.As(err, &noMatch) || errors.Is(err, age.ErrIncorrectIdentity) {
		return apperr.Wrap(CodeDecrypt, "バックアップを復号できません。鍵またはパスフレーズが違うか、ファイルの先頭部分が壊れています。", err)
	}
	return apperr.Wrap(CodeDecrypt, "バックアップを復号できません。kofu のバックアップではないか、ファイルが壊れています。", err)
}
