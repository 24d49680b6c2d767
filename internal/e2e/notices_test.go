package e2e

import (
	"encoding/base64"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// TestStaffPrintsANoticeBatch works a batch as a clerk does in Chromium:
// make it from the form, download its letters, read a notice number and
// its QR code off the PDF, open the QR's address on the citizen site and
// find the number filled in, then record the mailing.
func TestStaffPrintsANoticeBatch(t *testing.T) {
	if browserCtx == nil {
		t.Skip("e2e: " + skipReason)
	}
	base, password, _ := demoServer(t, storetest.MustOpen(t, store.SQLite))
	staff := newShooter(t, base, t.TempDir(), 1280, 960, false)
	staff.login("demo-admin", password)
	staff.do(chromedp.Navigate(base + "/staff/notices/batches"))
	staff.do(chromedp.SetValue(chromedp.ID("count"), "3"))
	staff.waitLoad(chromedp.Click(chromedp.CSS(`form.card button[type=submit]`)))
	staff.mustSee("発送分を作りました", "案内文（PDF）")

	var b64 string
	staff.eval(`fetch(document.querySelector('a[href$="letters.pdf"]').href).then(r => r.arrayBuffer()).then(b => {
		let s = ""; new Uint8Array(b).forEach(c => s += String.fromCharCode(c)); return btoa(s) })`, &b64,
		chromedp.EvalAwaitPromise)
	pdf, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("letters.pdf: %v %.20q", err, pdf)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "letters.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	text, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	notices := regexp.MustCompile(`[A-Z0-9]{3}-[0-9]{6}`).FindAllString(string(text), -1)
	if err := exec.Command("pdftoppm", "-r", "150", "-gray", "-png", "-f", "1", "-l", "1", path, filepath.Join(dir, "p")).Run(); err != nil {
		t.Fatal(err)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "p-*.png"))
	if len(pages) == 0 {
		t.Fatal("no page rendered")
	}
	code, err := exec.Command("zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", pages[0]).Output()
	if err != nil || len(notices) == 0 {
		t.Fatalf("zbarimg: %v, notices %v", err, notices)
	}
	u, err := url.Parse(strings.TrimSpace(string(code)))
	if err != nil || !strings.HasPrefix(u.Path, "/N/") || !strings.Contains(string(text), strings.TrimPrefix(u.Path, "/N/")) {
		t.Fatalf("QR %q does not carry a printed notice number (%v)", code, notices)
	}

	resident := newTab(t, base, 400, 800)
	resident.do(chromedp.Navigate(base + u.Path))
	var filled string
	resident.eval(`document.getElementById("notice0").value`, &filled)
	if filled != strings.TrimPrefix(u.Path, "/N/") {
		t.Fatalf("booking opened with %q, want %q", filled, u.Path)
	}

	staff.waitLoad(chromedp.Click(chromedp.CSS(`form[action$="/sent"] button[type=submit]`)))
	staff.mustSee("発送を記録しました")
}
