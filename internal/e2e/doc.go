// Package e2e holds the browser tests of the citizen booking site: real
// headless Chromium driven by chromedp against the real server, with
// axe-core checking every page of every flow in both languages. The tests
// skip when Chromium or axe-core is missing, except with CI=true, where a
// missing browser is a failure (scripts/test.sh installs both).
package e2e
