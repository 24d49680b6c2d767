package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/backup"
	"github.com/kofu-oss/kofu/internal/store"
)

// The environment variables that hold backup keys: secrets stay out of
// the command line, where other users could read them from the process
// list.
const (
	envRecipients = "KOFU_BACKUP_RECIPIENTS"
	envPassphrase = "KOFU_BACKUP_PASSPHRASE"
	envIdentity   = "KOFU_BACKUP_IDENTITY"
)

func (e env) backup(ctx context.Context, fs *flag.FlagSet, args []string) error {
	dsn := dbFlag(fs)
	out := fs.String("out", "", "書き出すバックアップファイル (必須。既存のファイルは上書きしない)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return e.badUsage(fs, "--out で書き出すファイルを指定してください")
	}
	enc, err := encryptionFromEnv()
	if err != nil {
		return err
	}
	db, err := openExisting(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := useDataKeys(ctx, db); err != nil {
		return err
	}
	m, err := backup.WriteFile(ctx, db, *out, enc, sysClock.Now())
	r := backup.Result{At: sysClock.Now(), File: filepath.Base(*out), Rows: m.TotalRows()}
	if err != nil {
		r.Err = err.Error()
	}
	if rerr := backup.RecordResult(ctx, db, r); rerr != nil {
		fmt.Fprintf(e.stderr, "警告: バックアップの結果をデータベースに記録できませんでした: %v\n", rerr)
	}
	if err != nil {
		return err
	}
	size := int64(0)
	if st, err := os.Stat(*out); err == nil {
		size = st.Size()
	}
	fmt.Fprintf(e.stdout, "バックアップを作成しました: %s (%s)\n", *out, fileSize(size))
	printManifest(e.stdout, m)
	return nil
}

func (e env) restore(ctx context.Context, fs *flag.FlagSet, args []string) error {
	dsn := dbFlag(fs)
	unsigned := fs.Bool("allow-unsigned", false, "署名のないバックアップ (署名を始める前の版で作成したもの) も復元する。作成元が確かなときだけ指定する")
	files, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return e.badUsage(fs, "復元するバックアップファイルを 1 つ指定してください")
	}
	dec, err := decryptionFromEnv()
	if err != nil {
		return err
	}
	dec.AllowUnsigned = *unsigned
	f, err := os.Open(files[0])
	if err != nil {
		return fmt.Errorf("バックアップファイルを開けません: %w", err)
	}
	defer f.Close()
	db, err := createDB(ctx, *dsn) // the target is a new, empty database
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintln(e.stderr, "バックアップを検証しています...")
	m, err := backup.Restore(ctx, f, dec, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "復元しました: %s → %s。署名と監査ログの検証に成功しました。\n", files[0], db.Engine)
	printManifest(e.stdout, m)
	return nil
}

// useDataKeys gives a database opened as it is the data keys of the
// environment, which sign backups, and refuses keys that do not open its
// personal data.
func useDataKeys(ctx context.Context, db *store.DB) error {
	keys, err := envKeys()
	if err != nil {
		return fmt.Errorf("バックアップの署名にはデータの暗号鍵が必要です。%w", err)
	}
	db.UseKeys(keys)
	return db.CheckKeys(ctx)
}

// encryptionFromEnv reads the recipients or the passphrase; a backup
// without either is refused, never written in the clear.
func encryptionFromEnv() (backup.Encryption, error) {
	recipients, pass := os.Getenv(envRecipients), os.Getenv(envPassphrase)
	switch {
	case recipients != "" && pass != "":
		return backup.Encryption{}, fmt.Errorf("%s と %s はどちらか一方だけを設定してください", envRecipients, envPassphrase)
	case pass != "":
		return backup.Encryption{Passphrase: pass}, nil
	case recipients != "":
		rs, err := backup.ParseRecipients(recipients)
		return backup.Encryption{Recipients: rs}, err
	}
	return backup.Encryption{}, fmt.Errorf("暗号化しないバックアップは作成できません。%s (age の公開鍵 age1...、カンマ区切り) か %s を設定してください", envRecipients, envPassphrase)
}

func decryptionFromEnv() (backup.Decryption, error) {
	var dec backup.Decryption
	if path := os.Getenv(envIdentity); path != "" {
		f, err := os.Open(path)
		if err != nil {
			return dec, fmt.Errorf("%s の秘密鍵ファイルを開けません: %w", envIdentity, err)
		}
		defer f.Close()
		if dec.Identities, err = backup.ParseIdentities(f); err != nil {
			return dec, err
		}
	}
	dec.Passphrase = os.Getenv(envPassphrase)
	if len(dec.Identities) == 0 && dec.Passphrase == "" {
		return dec, fmt.Errorf("%s (age の秘密鍵ファイルのパス) か %s を設定してください", envIdentity, envPassphrase)
	}
	return dec, nil
}

func printManifest(w io.Writer, m backup.Manifest) {
	created := m.CreatedAt
	if loc, err := time.LoadLocation(zoneName()); err == nil {
		created = created.In(loc)
	}
	fmt.Fprintf(w, "作成元: %s、スキーマのバージョン %d、作成日時 %s\n", m.Engine, m.SchemaVersion, created.Format("2006-01-02 15:04:05 MST"))
	// "テーブル" and "行数" take two columns per character on a terminal.
	fmt.Fprintf(w, "  テーブル%-16s %8s行数\n", "", "")
	tables := slices.Clone(m.Tables)
	slices.SortFunc(tables, func(a, b backup.Table) int { return strings.Compare(a.Name, b.Name) })
	for _, t := range tables {
		fmt.Fprintf(w, "  %-24s %12s\n", t.Name, thousands(t.Rows))
	}
	fmt.Fprintf(w, "合計 %d テーブル、%s 行\n", len(m.Tables), thousands(m.TotalRows()))
	if h := m.AuditHead; h != nil {
		fmt.Fprintf(w, "監査ログの先頭: エントリ %d (%s)、起点 %d\n", h.LastID, h.LastHash, h.AnchorID)
	}
}

func zoneName() string {
	if z := os.Getenv("KOFU_TZ"); z != "" {
		return z
	}
	return "Asia/Tokyo"
}

func thousands(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func fileSize(n int64) string {
	if n < 1e6 {
		return fmt.Sprintf("%s KB", thousands((n+999)/1000))
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
