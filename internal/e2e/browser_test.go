package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The browser and axe-core are found once per package run; every test
// opens its own tab in a fresh browser context of the one browser.
var (
	browserCtx  context.Context // nil when the tests are skipped
	skipReason  string
	axeSource   string
	stepTimeout = 30 * time.Second
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	chromium, axe, reason := findTools()
	if reason != "" {
		if os.Getenv("CI") == "true" {
			fmt.Fprintf(os.Stderr, "e2e: %s; CI では省略できません (scripts/test.sh が用意します)\n", reason)
			return 1
		}
		skipReason = reason
		return m.Run()
	}
	axeSource = axe
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1280, 900),
		chromedp.Flag("lang", "ja-JP"), chromedp.Flag("hide-scrollbars", true))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		fmt.Fprintf(os.Stderr, "e2e: chromium did not start: %v\n", err)
		return 1
	}
	browserCtx = ctx
	return m.Run()
}

// findTools locates Chromium and axe-core; reason says what is missing.
func findTools() (chromium, axe, reason string) {
	chromium = os.Getenv("KOFU_CHROMIUM")
	if chromium == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				chromium = p
				break
			}
		}
	}
	if chromium == "" {
		return "", "", "chromium が見つかりません"
	}
	path := filepath.Join("..", "..", "e2e", "node_modules", "axe-core", "axe.min.js")
	b, err := os.ReadFile(path)
	if err != nil {
		return "", "", "axe-core がありません (cd e2e && npm ci)"
	}
	return chromium, string(b), ""
}

// tab is one browser tab with its own cookies, sized like a device.
type tab struct {
	t       *testing.T
	ctx     context.Context
	base    string
	w, h    int64
	visited []string // titles of the pages checked
}

// newTab opens a tab of width×height in a fresh browser context.
func newTab(t *testing.T, base string, w, h int64) *tab {
	t.Helper()
	if browserCtx == nil {
		t.Skip("e2e: " + skipReason)
	}
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first action opens the tab, which lives as long as the context
	// of that call: no timeout on it.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, h)); err != nil {
		t.Fatal(err)
	}
	tb := &tab{t: t, ctx: ctx, base: base, w: w, h: h}
	return tb
}

// do runs actions, failing the test on an error.
func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("browser: %v (page %q)", err, tb.location())
	}
}

// eval evaluates a JavaScript expression into v.
func (tb *tab) eval(expr string, v any, opts ...chromedp.EvaluateOption) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr, opts...))
	if err != nil {
		tb.t.Fatalf("evaluate %.60q: %v", expr, err)
	}
	if v != nil {
		if err := json.Unmarshal(raw, v); err != nil {
			tb.t.Fatalf("evaluate %.60q: %v in %s", expr, err, raw)
		}
	}
}

func (tb *tab) location() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

// open loads a path of the site and checks the page.
func navigate(u string) chromedp.Action[chromedp.Void] { return chromedp.Navigate(u) }

func (tb *tab) open(path string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(tb.base + path))
	tb.check()
}

// loads runs an action that loads a new page (a click, a key), waits for
// the page and checks it.
func (tb *tab) loads(trigger chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	tb.waitLoad(trigger)
	tb.check()
}

// waitLoad runs an action that loads a new page and waits for the page.
func (tb *tab) waitLoad(trigger chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, trigger)); err != nil {
		tb.t.Fatalf("browser: %v (page %q)", err, tb.location())
	}
}

// click clicks the element and checks the page it loads.
func (tb *tab) click(sel string) {
	tb.t.Helper()
	tb.loads(chromedp.Click(chromedp.CSS(sel)))
}

// text is the text of the first element matching sel.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	var s string
	tb.eval(fmt.Sprintf(`(document.querySelector(%q) || {}).innerText || ""`, sel), &s)
	return s
}

// has tells whether an element matches sel.
func (tb *tab) has(sel string) bool {
	tb.t.Helper()
	var ok bool
	tb.eval(fmt.Sprintf(`document.querySelector(%q) !== null`, sel), &ok)
	return ok
}

// mustSee fails unless the page's main text contains every string.
func (tb *tab) mustSee(want ...string) {
	tb.t.Helper()
	body := tb.text("body")
	for _, w := range want {
		if !strings.Contains(body, w) {
			tb.t.Fatalf("page %q lacks %q:\n%s", tb.location(), w, body)
		}
	}
}

// title is the page's h1.
func (tb *tab) title() string { return strings.TrimSpace(tb.text("h1")) }

// check applies the page rules to the page on screen and fails the test
// on any problem.
func (tb *tab) check() {
	tb.t.Helper()
	name := tb.title() + " " + tb.location()
	tb.visited = append(tb.visited, name)
	for _, p := range tb.problems() {
		tb.t.Errorf("%s: %s", name, p)
	}
}

// problems lists what breaks the page rules: axe-core finds a WCAG 2.1
// A/AA violation, the page scrolls sideways at 320 px, a button or
// button-like link is under 44 px, or the page with its assets (the QR
// image aside) is 50 KB or more on the wire.
func (tb *tab) problems() []string {
	tb.t.Helper()
	out := tb.axeViolations()
	out = append(out, tb.smallTargets()...)
	out = append(out, tb.overweight()...)
	return append(out, tb.sidewaysAt320()...)
}

const axeRun = `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations"]})
  .then(r => r.violations.map(v => "axe " + v.id + " (" + v.impact + "): " + v.help + "\n    " +
    v.nodes.map(n => n.target.join(" ") + " — " + n.failureSummary.replace(/\n/g, " ")).join("\n    ")))`

func (tb *tab) axeViolations() []string {
	tb.t.Helper()
	var ok bool
	tb.eval(`typeof axe === "object"`, &ok)
	if !ok {
		tb.eval(axeSource+"\n;true", nil)
	}
	var violations []string
	tb.eval(axeRun, &violations, chromedp.EvalAwaitPromise)
	return violations
}

// smallTargets measures every visible button, button-like link, link of
// the header and footer, link standing alone in the content, choice label
// and select. Links inside a sentence are exempt, as in WCAG 2.5.5.
func (tb *tab) smallTargets() []string {
	tb.t.Helper()
	var small []string
	tb.eval(`[...document.querySelectorAll("button, a.button, .lang-switch a, .pub-footer a, .site-name, .choice label, select, main a")]
	  .filter(e => e.tagName !== "A" || !e.closest("main") || e.parentElement.textContent.trim() === e.textContent.trim())
	  .filter(e => { const r = e.getBoundingClientRect(); return r.width > 2 && r.height > 2 && r.right > 0 && !e.closest("[aria-hidden=true]") && getComputedStyle(e).visibility !== "hidden" })
	  .filter(e => { const r = e.getBoundingClientRect(); return r.height < 44 || r.width < 44 })
	  .map(e => { const r = e.getBoundingClientRect(); return "touch target under 44 px: " + e.outerHTML.slice(0, 90) + " " + Math.round(r.width) + "x" + Math.round(r.height) })`, &small)
	return small
}

// overweight adds up what the page and its assets took on the wire.
func (tb *tab) overweight() []string {
	tb.t.Helper()
	var bytes int
	tb.eval(`(() => {
	  const nav = performance.getEntriesByType("navigation")[0];
	  let bytes = nav.transferSize || nav.encodedBodySize;
	  for (const r of performance.getEntriesByType("resource")) {
	    if (!r.name.includes("/booking/qr")) bytes += r.transferSize || r.encodedBodySize;
	  }
	  return bytes;
	})()`, &bytes)
	if bytes == 0 || bytes >= 50<<10 {
		return []string{fmt.Sprintf("page weighs %d bytes, want 1 byte to 50 KB", bytes)}
	}
	return nil
}

// sidewaysAt320 lays the page out 320 px wide and looks for sideways scroll.
func (tb *tab) sidewaysAt320() []string {
	tb.t.Helper()
	tb.do(chromedp.EmulateViewport(320, 640))
	defer tb.do(chromedp.EmulateViewport(tb.w, tb.h))
	var w struct{ Scroll, Client int }
	tb.eval(`({Scroll: document.documentElement.scrollWidth, Client: document.documentElement.clientWidth})`, &w)
	if w.Scroll > w.Client {
		return []string{fmt.Sprintf("scrolls sideways at 320 px: %d > %d", w.Scroll, w.Client)}
	}
	return nil
}
