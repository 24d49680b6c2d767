package server

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// signatureDataURL is what the tablet's canvas sends: a PNG of a stroke.
func signatureDataURL(t *testing.T) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 900, 260))
	for x := 40; x < 860; x++ {
		for d := -3; d <= 3; d++ {
			img.Set(x, 130+(x/40%2)*40+d, color.NRGBA{A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
}

// The tablet reception in pages: without scripts the page offers the
// paper form and says PINs are not typed here; a viewer may look but not
// record; a signature from the canvas is taken, refused in plain words
// when missing, and shown on the handover and card pages; the printed
// form carries the city's name and the resident's, 外字 through the
// city's table.
func TestTabletReceptionPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(jstTime(t, "2026-11-20 10:00"))
		h := newClockHarness(t, db, clk)
		seedCounterCards(t, db)
		c, other := counterCards()[0], counterCards()[2]
		b, _, err := h.srv.city.Reserve.Book(ctx, auth.Meta{IP: "198.51.100.7"}, reserve.CreateRequest{Service: "pickup", Place: "main",
			Start: jstTime(t, "2026-12-01 10:00").Format(time.RFC3339), Email: "miwa@example.jp",
			People: []reserve.PersonInput{{NoticeNumber: c.notice, BirthDate: c.birth}, {NoticeNumber: other.notice, BirthDate: other.birth}}})
		if err != nil {
			t.Fatal(err)
		}
		clk.Advance(jstTime(t, "2026-12-01 09:50").Sub(clk.Now()))
		base := "/staff/bookings/" + strconv.FormatInt(b.ID, 10)
		person := strconv.FormatInt(b.People[0].ID, 10)

		viewer := newBrowser(t, h)
		viewer.post("/staff/login", url.Values{"username": {"viewer1"}, "password": {password}})
		status, _, body := viewer.get(base + "/reception")
		if status != 200 {
			t.Fatalf("tablet page as viewer: %d", status)
		}
		for _, want := range []string{"三輪　𠮷子", "1970-05-05", c.notice, "暗証番号はこの画面では入力しません", "職員が紙の確認票で受付します",
			`<div class="pad" hidden>`, "閲覧のみの利用者は確認票を記録できません"} {
			if !strings.Contains(body, want) {
				t.Errorf("tablet page lacks %q", want)
			}
		}
		if strings.Contains(body, `name="pin"`) || strings.Contains(body, `type="password"`) {
			t.Error("the tablet page asks for a PIN")
		}
		if status, _, _ := viewer.post(base+"/reception", url.Values{"person_id": {person}, "mode": {"paper"}}); status != 403 {
			t.Errorf("viewer records a confirmation: %d", status)
		}

		clerk := newBrowser(t, h)
		clerk.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})
		_, _, body = clerk.get(base + "/reception")
		if !strings.Contains(body, `<button type="submit" name="mode" value="signed" class="sign" hidden>`) ||
			!strings.Contains(body, `value="paper"`) {
			t.Error("the clerk's tablet page lacks its buttons (signing shown by the script only, paper always)")
		}
		ticks := url.Values{"person_id": {person}, "mode": {"signed"}, "ticks": {"details", "identity", "pin"}, "brought": {"パスポート"}}
		status, _, body = clerk.post(base+"/reception", ticks)
		if status != 422 || !strings.Contains(body, "署名がありません") || !strings.Contains(body, `value="pin" checked`) {
			t.Fatalf("no signature: %d", status)
		}
		bad := url.Values{"signature": {"data:image/png;base64,!!!"}}
		for k, v := range ticks {
			bad[k] = v
		}
		if status, _, body := clerk.post(base+"/reception", bad); status != 422 || !strings.Contains(body, "署名の画像を読み取れませんでした") {
			t.Fatalf("bad data URL: %d", status)
		}
		ticks.Set("signature", signatureDataURL(t))
		status, loc, _ := clerk.post(base+"/reception", ticks)
		if status != 303 || !strings.Contains(loc, "/reception?done=") {
			t.Fatalf("signed: %d %s", status, loc)
		}
		_, _, body = clerk.get(loc)
		if !strings.Contains(body, "確認票を受け付けました") || !strings.Contains(body, other.notice) {
			t.Error("after signing the tablet does not go on to the next person")
		}
		paperForm := url.Values{"person_id": {strconv.FormatInt(b.People[1].ID, 10)}, "mode": {"paper"}}
		if status, loc, _ := clerk.post(base+"/reception", paperForm); status != 303 {
			t.Fatalf("paper form: %d %s", status, loc)
		}
		if _, _, body := clerk.get(base + "/reception"); !strings.Contains(body, "全員の確認が終わりました") || !strings.Contains(body, "紙の確認票で受付済み") {
			t.Error("after both the tablet does not say it is done")
		}

		_, _, body = clerk.get(base + "/issue?person=" + person)
		sigPath := base + "/reception/" + person + "/signature.png"
		if !strings.Contains(body, "タブレットで署名済み") || !strings.Contains(body, `src="`+sigPath+`"`) ||
			!strings.Contains(body, `name="documents" value="パスポート" checked`) {
			t.Errorf("the handover page lacks the confirmation")
		}
		status, _, sig := viewer.get(sigPath)
		if status != 200 || !strings.HasPrefix(sig, "\x89PNG") {
			t.Fatalf("signature image: %d", status)
		}
		if status, _, _ := viewer.get("/staff/bookings/999/reception/" + person + "/signature.png"); status != 404 {
			t.Errorf("signature under another booking: %d", status)
		}
		_, _, body = viewer.get("/staff/cards/" + strconv.FormatInt(b.People[0].CardID, 10))
		if !strings.Contains(body, "交付受付確認票") || !strings.Contains(body, sigPath) {
			t.Error("the card page lacks the confirmation")
		}

		// The 外字 maps to 𠮷, which the form's font lacks: the clerk is told so.
		if status, _, body := viewer.get(base + "/reception.pdf"); status != 422 || !strings.Contains(body, "𠮷") {
			t.Errorf("PDF with a name the font lacks: %d", status)
		}
		status, _, pdf := viewer.get(base + "/reception.pdf?person=" + strconv.FormatInt(b.People[1].ID, 10))
		if status != 200 || !strings.HasPrefix(pdf, "%PDF") {
			t.Fatalf("PDF: %d\n%s", status, pdf)
		}
		path := filepath.Join(t.TempDir(), "r.pdf")
		os.WriteFile(path, []byte(pdf), 0o600)
		out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		flat := strings.Join(strings.Fields(string(out)), "")
		for _, want := range []string{"市役所", "有馬直美", other.notice, "暗証番号"} {
			if !strings.Contains(flat, want) {
				t.Errorf("PDF lacks %q:\n%s", want, out)
			}
		}
	})
}

// The API: staff record a confirmation with the signature in base64 and
// get 201; the list reads it back; refusals carry their codes; the PDF
// answers as a PDF.
func TestReceptionAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(jstTime(t, "2026-11-20 10:00"))
		h := newClockHarness(t, db, clk)
		seedCounterCards(t, db)
		c := counterCards()[2]
		b, _, err := h.srv.city.Reserve.Book(ctx, auth.Meta{IP: "198.51.100.7"}, reserve.CreateRequest{Service: "pickup", Place: "main",
			Start: jstTime(t, "2026-12-01 10:00").Format(time.RFC3339), Email: "arima@example.jp",
			People: []reserve.PersonInput{{NoticeNumber: c.notice, BirthDate: c.birth}}})
		if err != nil {
			t.Fatal(err)
		}
		base := "/api/v1/bookings/" + strconv.FormatInt(b.ID, 10) + "/reception"
		staff := h.login("staff1")
		person := strconv.FormatInt(b.People[0].ID, 10)
		sig := strings.TrimPrefix(signatureDataURL(t), "data:image/png;base64,")
		body := `{"person_id":` + person + `,"ticks":["details","identity","pin"],"brought":["運転免許証"],"signature_png":"` + sig + `"}`
		res := h.do("POST", base, staff, body)
		if v := decodeBody(t, res); res.StatusCode != 409 || errCode(v) != "reception_state" {
			t.Fatalf("before the booking's day: %d %v", res.StatusCode, v)
		}
		clk.Advance(jstTime(t, "2026-12-01 09:50").Sub(clk.Now()))
		res = h.do("POST", base, staff, `{"person_id":`+person+`,"ticks":["details","identity","pin"]}`)
		if v := decodeBody(t, res); res.StatusCode != 422 || errCode(v) != "reception_signature_missing" {
			t.Fatalf("no signature: %d %v", res.StatusCode, v)
		}
		res = h.do("POST", base, staff, body)
		if v := decodeBody(t, res); res.StatusCode != 201 || v["confirmation"].(map[string]any)["mode"] != "signed" {
			t.Fatalf("signed: %d %v", res.StatusCode, v)
		}
		res = h.do("GET", base, h.login("viewer1"), "")
		v := decodeBody(t, res)
		list, _ := v["confirmations"].([]any)
		if res.StatusCode != 200 || len(list) != 1 || list[0].(map[string]any)["brought"].([]any)[0] != "運転免許証" {
			t.Fatalf("list: %d %v", res.StatusCode, v)
		}
		res = h.do("GET", base+".pdf", staff, "")
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("pdf: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
	})
}

func errCode(v map[string]any) any {
	e, _ := v["error"].(map[string]any)
	return e["code"]
}
