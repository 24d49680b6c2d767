package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/legacy/legacytest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestImportLedgerCommandTwice(t *testing.T) {
	dsn := storetest.MustDSN(t, store.SQLite)
	if code, _, errOut := cli(t, "", "migrate", "--db", dsn); code != 0 {
		t.Fatal(errOut)
	}
	file := filepath.Join(t.TempDir(), "管理簿.xlsx")
	if err := os.WriteFile(file, legacytest.BadLedger(t), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, "", "import", "ledger", file, "--db", dsn, "--json")
	var res struct {
		Created  int
		Rejected []struct {
			Line   int
			Column string
		}
	}
	if err := json.Unmarshal([]byte(out), &res); code != 0 || err != nil || res.Created != 3 || len(res.Rejected) != 3 {
		t.Fatalf("first import: %d %s %s", code, out, errOut)
	}
	code, out, _ = cli(t, "", "import", "ledger", file, "--db", dsn)
	if code != 0 || !strings.Contains(out, "取り込み済みでした") || !strings.Contains(out, "5 行目 状態") {
		t.Fatalf("second import: %d %s", code, out)
	}
}
