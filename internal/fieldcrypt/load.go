package fieldcrypt

import (
	"errors"
	"strings"
)

// ErrNoKey is returned when no key is configured.
var ErrNoKey = errors.New("データの暗号鍵がありません: KOFU_DATA_KEY（base64 の 32 バイト）または KOFU_DATA_KEY_FILE を指定してください（作成: kofu keys generate）")

// Load builds the keyring from the configured key (base64 text, or a file
// when text is empty) and the files of older keys (comma-separated).
func Load(text, file, oldFiles string) (*Keyring, error) {
	var cur *Key
	var err error
	switch {
	case text != "" && file != "":
		return nil, errors.New("KOFU_DATA_KEY と KOFU_DATA_KEY_FILE は、どちらか一方だけを指定してください")
	case text != "":
		cur, err = ParseKey(text)
	case file != "":
		cur, err = ReadKeyFile(file)
	default:
		return nil, ErrNoKey
	}
	if err != nil {
		return nil, err
	}
	var older []*Key
	for _, f := range strings.Split(oldFiles, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		k, err := ReadKeyFile(f)
		if err != nil {
			return nil, err
		}
		if k.id != cur.id {
			older = append(older, k)
		}
	}
	return NewKeyring(cur, older...), nil
}
