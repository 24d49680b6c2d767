package server

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// browser is a cookie-keeping client that submits forms like a same-origin
// browser page does.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
}

func newBrowser(t *testing.T, h *harness) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: h.ts.URL, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(path string) (int, string, string) {
	b.t.Helper()
	res, err := b.client.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Location"), string(raw)
}

func (b *browser) post(path string, form url.Values) (int, string, string) {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Location"), string(raw)
}

func TestStaffLoginLogoutPages(t *testing.T) {
	h := newHarness(t, storetest.MustOpen(t, store.SQLite))
	b := newBrowser(t, h)
	if status, loc, _ := b.get("/staff/"); status != 303 || loc != "/staff/login" {
		t.Fatalf("home without login: %d %s", status, loc)
	}
	status, _, body := b.post("/staff/login", url.Values{"username": {"staff1"}, "password": {"wrong"}})
	if status != 401 || !strings.Contains(body, "正しくありません") || !strings.Contains(body, `value="staff1"`) {
		t.Fatalf("wrong password page: %d", status)
	}
	if status, loc, _ := b.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}}); status != 303 || loc != "/staff/" {
		t.Fatalf("login: %d %s", status, loc)
	}
	status, _, body = b.get("/staff/")
	if status != 200 || !strings.Contains(body, "staff1") || !strings.Contains(body, "ログアウト") || strings.Contains(body, "/staff/users") {
		t.Fatalf("home for staff: %d (menu must only link pages the role may open)", status)
	}
	if status, _, _ := b.get("/staff/users"); status != 403 {
		t.Fatalf("staff on admin page: %d", status)
	}
	if status, loc, _ := b.post("/staff/logout", nil); status != 303 || !strings.HasPrefix(loc, "/staff/login") {
		t.Fatalf("logout: %d %s", status, loc)
	}
	if status, _, _ := b.get("/staff/"); status != 303 {
		t.Fatalf("session must be gone after logout: %d", status)
	}
}

func TestAdminCreatesUserWhoMustChangePassword(t *testing.T) {
	h := newHarness(t, storetest.MustOpen(t, store.SQLite))
	admin := newBrowser(t, h)
	admin.post("/staff/login", url.Values{"username": {"admin1"}, "password": {password}})
	status, _, body := admin.post("/staff/users", url.Values{"username": {"Yamada"}, "display_name": {"山田 髙子"}, "role": {"staff"}})
	start := strings.Index(body, `class="secret">`)
	if status != 200 || start < 0 {
		t.Fatalf("create user page: %d", status)
	}
	oneTime := body[start+len(`class="secret">`):]
	oneTime = html.UnescapeString(oneTime[:strings.Index(oneTime, "<")])
	if status, _, body := admin.post("/staff/users", url.Values{"username": {"yamada"}, "role": {"staff"}}); status != 422 || !strings.Contains(body, "すでに使われています") {
		t.Fatalf("duplicate username: %d", status)
	}

	user := newBrowser(t, h)
	if _, loc, _ := user.post("/staff/login", url.Values{"username": {"yamada"}, "password": {oneTime}}); loc != "/staff/password" {
		t.Fatalf("first login must go to the password change, got %q", loc)
	}
	if status, loc, _ := user.get("/staff/"); status != 303 || loc != "/staff/password" {
		t.Fatalf("other pages must wait for the change: %d %s", status, loc)
	}
	status, _, body = user.post("/staff/password", url.Values{"current_password": {oneTime}, "new_password": {"short"}, "new_password_confirm": {"short"}})
	if status != 422 || !strings.Contains(body, "field-error") {
		t.Fatalf("a short password must be refused on the field: %d", status)
	}
	if _, loc, _ := user.post("/staff/password", url.Values{"current_password": {oneTime}, "new_password": {password}, "new_password_confirm": {password}}); loc != "/staff/password?done=1" {
		t.Fatalf("change: %q", loc)
	}
	if status, _, body := user.get("/staff/"); status != 200 || !strings.Contains(body, "山田 髙子") {
		t.Fatalf("after the change the user works normally: %d", status)
	}
}

func TestAdminLocksAndUnlocksFromThePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		victim := newBrowser(t, h)
		victim.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})
		admin := newBrowser(t, h)
		admin.post("/staff/login", url.Values{"username": {"admin1"}, "password": {password}})
		if _, loc, _ := admin.post("/staff/users/staff1/lock", nil); loc != "/staff/users?done=lock" {
			t.Fatalf("lock: %q", loc)
		}
		if status, _, _ := victim.get("/staff/"); status != 303 {
			t.Fatalf("locking must end the user's session: %d", status)
		}
		_, _, body := admin.get("/staff/users?done=lock")
		if !strings.Contains(body, "ロック中") || !strings.Contains(body, "アカウントをロックしました") {
			t.Fatal("users page must show the lock")
		}
		if _, loc, _ := admin.post("/staff/users/staff1/unlock", nil); loc != "/staff/users?done=unlock" {
			t.Fatalf("unlock: %q", loc)
		}
		if _, loc, _ := victim.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}}); loc != "/staff/" {
			t.Fatalf("login after unlock: %q", loc)
		}
	})
}

func TestSecuritySettingsForm(t *testing.T) {
	h := newHarness(t, storetest.MustOpen(t, store.SQLite))
	admin := newBrowser(t, h)
	admin.post("/staff/login", url.Values{"username": {"admin1"}, "password": {password}})
	form := url.Values{}
	for k, v := range map[string]string{"password_min_length": "14", "password_require_classes": "0", "password_expiry_days": "0",
		"lockout_threshold": "abc", "lockout_minutes": "0", "login_throttle_per_minute": "30", "session_idle_minutes": "20",
		"session_absolute_hours": "8", "audit_retention_years": "5"} {
		form.Set(k, v)
	}
	status, _, body := admin.post("/staff/settings/security", form)
	if status != 422 || !strings.Contains(body, "半角数字で入力してください") {
		t.Fatalf("a non-number must be reported on its field: %d", status)
	}
	form.Set("lockout_threshold", "3")
	form.Add("totp_required_roles", "admin")
	if _, loc, _ := admin.post("/staff/settings/security", form); loc != "/staff/settings/security?done=saved" {
		t.Fatalf("save: %q", loc)
	}
	st, err := h.srv.auth.Settings(ctx)
	if err != nil || st.LockoutThreshold != 3 || st.PasswordMinLength != 14 || !st.TOTPRequired(auth.RoleAdmin) {
		t.Fatalf("saved settings: %+v %v", st, err)
	}
}
