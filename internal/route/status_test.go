package route_test

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/route"
	_ "github.com/kofu-oss/kofu/internal/server" // links every package that reports errors
)

// wantStatus is the API's contract: every code and the status it answers
// with. A new code gets a line here, so that its status is a decision.
var wantStatus = map[string]int{
	"invalid": 422, "unauthenticated": 401, "forbidden": 403, "not_found": 404, "conflict": 409,
	"rate_limited": 429, "unavailable": 503, "internal": 500,
	"password_change_required": 403, "totp_enrollment_required": 403,
	"busy": 503, "unsupported_media_type": 415,
	"illegal_transition": 409, "cancel_reason_required": 422, "at_application_flow": 409,
	"slot_full": 409, "already_booked": 409, "outside_window": 409, "after_cutoff": 409,
	"card_not_bookable": 409, "hold_expired": 409, "booking_state": 409, "card_not_matched": 422,
	"too_many_holds": 429, "outside_booking_window": 422, "change_cutoff_passed": 422, "too_many_people": 422,
	"not_today": 409, "wrong_place": 409, "cancelled": 409, "already_issued": 409, "too_early": 409,
	"walk_ins_off": 409, "queue_empty": 404, "no_ticket": 404,
	"reception_signature_missing": 422, "reception_signature_format": 422, "reception_tick_required": 422,
	"reception_state": 409, "reception_no_card": 409, "reception_unprintable": 422,
	"import_running": 409, "import_interrupted": 500,
	"city_code_invalid": 422, "city_slug_invalid": 422, "city_host_invalid": 422,
	"challenge_required": 429, "challenge_wait": 429, "challenge_solve": 429, "challenge_used": 409,
	"surface_kind_invalid": 422, "surface_value_required": 422, "surface_value_too_long": 422,
	"surface_value_unchanged": 422, "surface_detail_invalid": 422, "surface_date_invalid": 422,
	"surface_note_too_long": 422, "surface_filter_invalid": 422,
	"surface_card_void": 409, "surface_already_pending": 409, "surface_not_pending": 409,
	"document_unsupported": 422, "document_corrupt": 422, "document_too_large": 413, "document_day_limit": 429,
	"document_too_many_pages": 422, "document_image_too_large": 422, "document_encrypted": 422,
	"document_no_page_image": 422, "document_kind": 422, "document_reason_required": 422,
	"document_same_staff": 422, "document_blob_key": 500, "document_blob_corrupt": 500,
	"backup_not_encrypted": 422, "backup_decrypt": 422, "backup_corrupt": 422, "backup_schema_mismatch": 422,
	"backup_target_not_empty": 422, "backup_audit_broken": 422, "backup_signature": 422, "backup_unsigned": 422,
	"invalid_template": 422,
}

func TestEveryKindHasAStatus(t *testing.T) {
	for _, k := range apperr.Kinds() {
		if s, ok := route.KindStatus(k); !ok || s < 400 {
			t.Errorf("kind %s has no status (%d)", k, s)
		}
	}
}

// TestEveryCodeHasAKind enumerates the codes the program defines: each has
// a kind, that kind a status, and the status is the one the API promises.
func TestEveryCodeHasAKind(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range apperr.Codes() {
		seen[c.String()] = true
		if _, ok := route.KindStatus(c.Kind()); !ok {
			t.Errorf("code %s: kind %s has no status", c, c.Kind())
		}
		want, ok := wantStatus[c.String()]
		if !ok {
			t.Errorf("code %s (kind %s, %d) is not in wantStatus: add it with its status", c, c.Kind(), route.Status(c))
			continue
		}
		if got := route.Status(c); got != want {
			t.Errorf("code %s answers %d, want %d", c, got, want)
		}
	}
	for name := range wantStatus {
		if !seen[name] {
			t.Errorf("code %s is in wantStatus but no package defines it", name)
		}
	}
	if len(seen) < 50 {
		t.Fatalf("only %d codes defined: the registry did not fill", len(seen))
	}
}

// TestEveryDefinedCodeIsLinked reads the repository's sources: a code
// declared by a package this test does not link would escape the checks
// above, so every apperr.Define must be one the registry holds.
func TestEveryDefinedCodeIsLinked(t *testing.T) {
	define := regexp.MustCompile(`apperr\.Define\("([a-z0-9_]+)",\s*apperr\.(Kind\w+)\)`)
	bare := regexp.MustCompile(`\bDefine\("([a-z0-9_]+)",\s*(Kind\w+)\)`) // inside package apperr
	n := 0
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "../.." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			m := define.FindStringSubmatch(line)
			if m == nil {
				if m = bare.FindStringSubmatch(line); m == nil {
					continue
				}
			}
			n++
			c, ok := apperr.Lookup(m[1])
			if !ok {
				t.Errorf("%s defines code %s, which this test does not link: import its package above", path, m[1])
				continue
			}
			if c.Kind().String() != strings.ToLower(kindWord(m[2])) {
				t.Errorf("%s: code %s has kind %s, source says %s", path, m[1], c.Kind(), m[2])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(apperr.Codes()) {
		t.Errorf("the sources define %d codes, the registry holds %d", n, len(apperr.Codes()))
	}
}

// kindWord turns KindNotFound into not_found, as Kind.String spells it.
func kindWord(s string) string {
	s = strings.TrimPrefix(s, "Kind")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestAPIDocCodes keeps docs/api.md's table of codes true: each code it
// lists exists and answers the status the table gives.
func TestAPIDocCodes(t *testing.T) {
	f, err := os.Open("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	row := regexp.MustCompile("^\\| `([a-z_]+)` \\| ([0-9]{3}) \\|")
	in, rows := false, 0
	for sc := bufio.NewScanner(f); sc.Scan(); {
		line := sc.Text()
		if strings.HasPrefix(line, "| `code` | HTTP ステータス |") {
			in = true
			continue
		}
		if in && !strings.HasPrefix(line, "|") {
			break
		}
		m := row.FindStringSubmatch(line)
		if !in || m == nil {
			continue
		}
		rows++
		c, ok := apperr.Lookup(m[1])
		if !ok {
			t.Errorf("docs/api.md lists code %s, which no package defines", m[1])
			continue
		}
		if want, _ := strconv.Atoi(m[2]); route.Status(c) != want {
			t.Errorf("docs/api.md says %s answers %d; it answers %d", m[1], want, route.Status(c))
		}
	}
	if rows < 20 {
		t.Fatalf("read %d rows of the code table in docs/api.md", rows)
	}
}
