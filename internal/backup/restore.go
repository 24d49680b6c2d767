package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"filippo.io/age"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/store"
)

// Restore loads a backup into target, which must be empty and migrated to
// the backup's schema version. It reads the backup twice: a first pass
// decrypts and checks everything (every table's row count and SHA-256,
// the end of the stream, the signature made with the data key, which
// target's keys must include) and writes nothing; the second pass inserts
// all rows in one transaction, checks the same sums again and commits only
// if they still match. A wrong key, a damaged, truncated, unsigned or
// planted file, or a mismatch leaves target untouched.
//
// r is read twice by seeking back when it can seek (a file); otherwise
// the encrypted bytes are first copied to a temporary file, which is
// removed afterwards. Decrypted data never touches the disk.
func Restore(ctx context.Context, r io.Reader, dec Decryption, target *store.DB) (Manifest, error) {
	ids, err := dec.identities()
	if err != nil {
		return Manifest{}, err
	}
	if target.Keys() == nil {
		return Manifest{}, errNeedKeys("復元")
	}
	tr := trust{keys: target.Keys(), allowUnsigned: dec.AllowUnsigned}
	tgt, err := inspectTarget(ctx, target)
	if err != nil {
		return Manifest{}, err
	}
	src, err := rewindable(r)
	if err != nil {
		return Manifest{}, err
	}
	defer src.cleanup()
	key := &keyCatcher{ids: ids}
	first, err := readBackup(src.reader(), key, tr, nil)
	if err != nil {
		return first.manifest, err
	}
	m := first.manifest
	if err := tgt.accepts(m); err != nil {
		return m, err
	}
	if key.fileKey == nil {
		return m, errors.New("復号の鍵を取り出せませんでした")
	}
	if err := src.rewind(); err != nil {
		return m, fmt.Errorf("バックアップを読み直せません: %w", err)
	}
	if err := load(ctx, target, tgt, src.reader(), age.NewInjectedFileKeyIdentity(key.fileKey), tr, first); err != nil {
		return m, err
	}
	if _, err := store.CheckAudit(ctx, target, m.AuditHead); err != nil {
		return m, apperr.Wrap(CodeAuditBroken, "データは復元しましたが、監査ログの検証に失敗しました (バックアップ元の時点で改ざんまたは欠落があった可能性があります): "+err.Error(), err)
	}
	return m, nil
}

// source is the backup, readable twice.
type source struct {
	rs    io.ReadSeeker
	start int64
	tmp   *os.File
}

func rewindable(r io.Reader) (*source, error) {
	if rs, ok := r.(io.ReadSeeker); ok {
		if pos, err := rs.Seek(0, io.SeekCurrent); err == nil {
			return &source{rs: rs, start: pos}, nil
		}
	}
	tmp, err := os.CreateTemp("", "kofu-restore-*.age")
	if err != nil {
		return nil, fmt.Errorf("一時ファイルを作成できません: %w", err)
	}
	s := &source{rs: tmp, tmp: tmp}
	if _, err := io.Copy(tmp, r); err != nil {
		s.cleanup()
		return nil, fmt.Errorf("バックアップを読み込めません: %w", err)
	}
	if err := s.rewind(); err != nil {
		s.cleanup()
		return nil, err
	}
	return s, nil
}

func (s *source) reader() io.Reader { return s.rs }

func (s *source) rewind() error {
	_, err := s.rs.Seek(s.start, io.SeekStart)
	return err
}

func (s *source) cleanup() {
	if s.tmp != nil {
		s.tmp.Close()
		os.Remove(s.tmp.Name())
	}
}

// errNotEmpty is the refusal to restore over data.
func errNotEmpty(table string) error {
	return apperr.New(CodeTargetNotEmpty, fmt.Sprintf("復元先のデータベースは空ではありません (テーブル %s にデータがあります)。新しく作成した空のデータベースを指定してください。", table))
}

func errSchema(msg string) error {
	return apperr.New(CodeSchema, msg)
}
