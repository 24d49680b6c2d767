// Package e2e holds the browser tests of both sites: real headless
// Chromium driven by chromedp against the real server, with axe-core
// checking every page of every flow (the citizen site in both languages,
// every staff page). The citizen booking flows run on each engine; the
// other browser tests run once, on the first engine of the run
// (storetest.One), since the server and store tests cover both engines.
// The tests skip when Chromium or axe-core is missing, except with
// CI=true, where a missing browser is a failure (scripts/test.sh installs
// both).
package e2e
