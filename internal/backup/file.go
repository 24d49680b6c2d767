package backup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/store"
)

// WriteFile writes a backup to path, readable by its owner only. The file
// appears complete or not at all: it is written under a temporary name in
// the same folder, synced and then renamed. It refuses a path that
// already exists. at stamps the backup (see Write).
func WriteFile(ctx context.Context, db *store.DB, path string, enc Encryption, at time.Time) (Manifest, error) {
	if _, err := enc.recipients(); err != nil {
		return Manifest{}, err // before creating anything
	}
	if db.Keys() == nil {
		return Manifest{}, errNeedKeys("バックアップ")
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return Manifest{}, apperr.New(apperr.Conflict, "出力先のファイル "+path+" はすでにあります。別の名前を指定してください。")
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return Manifest{}, fmt.Errorf("出力先に書き込めません: %w", err)
	}
	m, err := Write(ctx, db, tmp, enc, at)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return Manifest{}, err
	}
	return m, nil
}
