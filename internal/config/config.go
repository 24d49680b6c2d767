// Package config reads the server's settings from flags and KOFU_*
// environment variables (a flag wins over its variable).
package config

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"
	_ "time/tzdata" // the time zone database is embedded: no dependency on the host

	"github.com/kofu-oss/kofu/internal/fieldcrypt"
)

// Config is what `kofu serve` runs with.
type Config struct {
	Addr              string
	DB                string
	TimeZone          string
	Location          *time.Location
	BaseURL           string
	TrustedProxies    []netip.Prefix
	Sites             string
	Demo              bool
	LogLevel          string
	PublicMaxInFlight int
	MetricsAddr       string // "" : /metrics is not served
	BackupDir         string
	BackupTime        string
	BackupKeep        string
	DataKey           string // base64, from KOFU_DATA_KEY only: a flag would show in ps
	DataKeyFile       string
	DataOldKeyFiles   string
	AuditHeadDir      string
	InboxDir          string
	// Platform serves many cities from the catalog (issue #20); Catalog
	// names the catalog's database.
	Platform bool
	Catalog  string

	proxies  string
	inflight string
	dbSet    bool
}

// Option names one setting: flag, environment variable, default, help.
type Option struct {
	Flag, Env, Default, Help string
}

// Options lists every setting of `kofu serve`; -h and the README show it.
var Options = []Option{
	{"addr", "KOFU_ADDR", "127.0.0.1:8080", "待ち受けるアドレス"},
	{"db", "KOFU_DB", "./data/kofu.db", "SQLite のファイル、または postgres:// で始まる PostgreSQL の URL"},
	{"tz", "KOFU_TZ", "Asia/Tokyo", "タイムゾーン (tzdata は組み込み)"},
	{"base-url", "KOFU_BASE_URL", "", "公開 URL (例 https://yoyaku.example.lg.jp)。住民へのメール内のリンクに使う"},
	{"trusted-proxies", "KOFU_TRUSTED_PROXIES", "", "信頼するリバースプロキシの CIDR (カンマ区切り)。その X-Forwarded-For / X-Forwarded-Proto を採用する"},
	{"sites", "KOFU_SITES", "all", "提供するサイト: all, staff, public"},
	{"log-level", "KOFU_LOG_LEVEL", "info", "ログの詳細度: debug, info, warn, error"},
	{"public-max-inflight", "KOFU_PUBLIC_MAX_INFLIGHT", "64", "住民向けサイトで同時に処理する要求の上限。超えた分には「混み合っています」の待合画面をすぐ返す (職員画面は対象外)"},
	{"backup-dir", "KOFU_BACKUP_DIR", "", "定期バックアップの保存先フォルダ (指定したときだけ実行。暗号化に KOFU_BACKUP_RECIPIENTS か KOFU_BACKUP_PASSPHRASE が必要)"},
	{"backup-time", "KOFU_BACKUP_TIME", "02:30", "定期バックアップの時刻 (--tz の時刻)"},
	{"backup-keep", "KOFU_BACKUP_KEEP", "14,12", "残すバックアップの数: 日ごとの数,月ごとの数"},
	{"data-key-file", "KOFU_DATA_KEY_FILE", "", "個人情報を暗号化する鍵 (base64 の 32 バイト) のファイル。鍵そのものは環境変数 KOFU_DATA_KEY でも渡せる"},
	{"data-old-key-file", "KOFU_DATA_OLD_KEY_FILE", "", "鍵の切り替え中に復号だけに使う古い鍵のファイル (カンマ区切り)"},
	{"metrics-addr", "KOFU_METRICS_ADDR", "", "/metrics (Prometheus) だけを返す別の待ち受けアドレス (例 127.0.0.1:9464)。指定しなければ /metrics は提供しない。--addr では返さない"},
	{"inbox-dir", "KOFU_INBOX_DIR", "", "スキャナーが PDF・TIFF を置くフォルダ。1 分ごとに取り込み、取り込んだファイルは削除する (取り込めないファイルは error フォルダへ移し、理由を .txt に書く)"},
	{"catalog", "KOFU_CATALOG", "./data/catalog.db", "--platform のカタログ (団体の一覧) のデータベース: SQLite のファイル、または postgres:// の URL"},
	{"audit-head-dir", "KOFU_AUDIT_HEAD_DIR", "", "監査ログの先頭を 10 分ごとにファイルとして書き出すフォルダ (書き換えできない保存先を指定。kofu audit verify --head で照合する)"},
}

// DemoDB is the database of --demo when --db is not given.
const DemoDB = "./data/demo.db"

// Bind registers the options on fs; call Finish after fs.Parse.
func Bind(fs *flag.FlagSet) *Config {
	c := &Config{}
	targets := map[string]*string{"addr": &c.Addr, "db": &c.DB, "tz": &c.TimeZone, "base-url": &c.BaseURL,
		"trusted-proxies": &c.proxies, "sites": &c.Sites, "log-level": &c.LogLevel,
		"backup-dir": &c.BackupDir, "backup-time": &c.BackupTime, "backup-keep": &c.BackupKeep,
		"public-max-inflight": &c.inflight, "data-key-file": &c.DataKeyFile, "data-old-key-file": &c.DataOldKeyFiles,
		"metrics-addr": &c.MetricsAddr, "audit-head-dir": &c.AuditHeadDir, "inbox-dir": &c.InboxDir, "catalog": &c.Catalog}
	for _, o := range Options {
		def := o.Default
		if v, ok := os.LookupEnv(o.Env); ok {
			def = v
			if o.Flag == "db" {
				c.dbSet = true
			}
		}
		fs.StringVar(targets[o.Flag], o.Flag, def, o.Help+" ["+o.Env+"]")
	}
	c.DataKey = os.Getenv("KOFU_DATA_KEY")
	fs.BoolVar(&c.Platform, "platform", false, "複数の団体を 1 つのプロセスで提供する (団体は kofu city add で登録し、各団体のホスト名で受ける)。--demo と一緒なら 3 つのデモ市で起動する")
	fs.BoolVar(&c.Demo, "demo", false, "架空のデモ市とデモ用アカウントで起動する (--db を指定しなければ ./data/demo.db を使う)")
	return c
}

// Finish checks and derives values after parsing.
func (c *Config) Finish(fs *flag.FlagSet) error {
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "db" {
			c.dbSet = true
		}
	})
	if c.Demo && !c.dbSet {
		c.DB = DemoDB
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return fmt.Errorf("--tz: タイムゾーン %q が見つかりません", c.TimeZone)
	}
	c.Location = loc
	switch c.Sites {
	case "all", "staff", "public":
	default:
		return fmt.Errorf("--sites: all, staff, public のいずれかを指定してください (指定値 %q)", c.Sites)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if _, err := fmt.Sscanf(c.inflight, "%d", &c.PublicMaxInFlight); err != nil || c.PublicMaxInFlight < 1 {
		return fmt.Errorf("--public-max-inflight: 1 以上の整数を指定してください (指定値 %q)", c.inflight)
	}
	c.TrustedProxies, err = ParsePrefixes(c.proxies)
	return err
}

// ParsePrefixes reads a comma-separated list of CIDRs or single addresses.
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("--trusted-proxies: %q は IP アドレスでも CIDR でもありません", part)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxies: %q は CIDR ではありません", part)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// BackupSchedule reads --backup-time (HH:MM) and --backup-keep (daily,monthly).
func (c *Config) BackupSchedule() (hour, minute, daily, monthly int, err error) {
	if _, err = fmt.Sscanf(c.BackupTime, "%d:%d", &hour, &minute); err != nil {
		return 0, 0, 0, 0, fmt.Errorf("--backup-time: 「HH:MM」の形で指定してください (指定値 %q)", c.BackupTime)
	}
	if _, err = fmt.Sscanf(c.BackupKeep, "%d,%d", &daily, &monthly); err != nil {
		return 0, 0, 0, 0, fmt.Errorf("--backup-keep: 「日ごとの数,月ごとの数」の形で指定してください (指定値 %q)", c.BackupKeep)
	}
	return hour, minute, daily, monthly, nil
}

// Keyring loads the data encryption keys (fieldcrypt.ErrNoKey when none).
func (c *Config) Keyring() (*fieldcrypt.Keyring, error) {
	return fieldcrypt.Load(c.DataKey, c.DataKeyFile, c.DataOldKeyFiles)
}
