package paper

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

const site = "https://yoyaku.example.jp"

// bookingURL is the URL shape proposed for the prefill: upper case so the
// QR packs it as alphanumeric.
func bookingURL(notice string) string { return "HTTPS://YOYAKU.EXAMPLE.JP/N/" + notice }

func batch(paperKind string) LetterBatch {
	l := DefaultLetterLayout
	l.Paper = paperKind
	return LetterBatch{
		Layout: l, Template: DefaultTemplates[KindGuide],
		City: "三田市", Contact: "市民課 マイナンバーカード担当 079-559-0000（平日 8:30〜17:15）",
		Deadline: "令和9年3月31日", Items: []string{"交付通知書", "本人確認書類（運転免許証など）", "通知カード・住民基本台帳カード（お持ちの方）"},
		SiteURL: site, Gaiji: GaijiTable(map[rune]string{0xE000: "髙", 0xE001: "葛\U000E0100"}),
	}
}

func person(name, notice string) Person {
	return Person{Name: name, NoticeNumber: notice, BookingURL: bookingURL(notice)}
}

// letters is a small batch: single residents, a household, and cards that
// must be held.
func letters() []Letter {
	return []Letter{
		{Key: "1", PostalCode: "669-1535", Address: "兵庫県三田市南が丘1丁目2-3", Persons: []Person{person("三田 一郎", "A1B-100001")}},
		{Key: "2", PostalCode: "669-1321", Address: "兵庫県三田市けやき台3丁目45-6 けやきハイツ201号", Persons: []Person{
			person("\uE000橋 花子", "A1B-100002"), person("\uE000橋 太郎", "A1B-100003"), person("\uE000橋 次郎", "A1B-100004")}},
		{Key: "3", PostalCode: "669-1337", Address: "兵庫県三田市学園2丁目1", Persons: []Person{person("\uE001城 美咲", "C7Z-000123")}},
		{Key: "held-gaiji", PostalCode: "669-1535", Address: "兵庫県三田市南が丘2丁目1", Persons: []Person{person("\uE0FF田 守", "A1B-100005")}},
		{Key: "held-font", PostalCode: "669-1535", Address: "兵庫県三田市南が丘2丁目2", Persons: []Person{person("𠮷田 稔", "A1B-100006")}},
		{Key: "held-postal", Address: "兵庫県三田市南が丘2丁目3", Persons: []Person{person("北野 遥", "A1B-100007")}},
		{Key: "held-address", PostalCode: "669-1535", Persons: []Person{person("西村 蓮", "A1B-100008")}},
	}
}

func render(t *testing.T, b LetterBatch, ls []Letter) (string, Result) {
	t.Helper()
	var buf bytes.Buffer
	res, err := RenderLetters(&buf, b, slices.Values(ls))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "letters.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, res
}

func tool(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return string(out)
}

// qrTexts rasterises the PDF's pages and decodes every QR code on them.
func qrTexts(t *testing.T, path string) []string {
	dir := t.TempDir()
	tool(t, "pdftoppm", "-r", "150", "-gray", "-png", path, filepath.Join(dir, "page"))
	pages, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	var out []string
	for _, p := range pages {
		text, err := exec.Command("zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", p).Output()
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 4 {
			continue // a page without a code: the address side of a はがき
		} else if err != nil {
			t.Fatalf("zbarimg %s: %v", p, err)
		}
		out = append(out, strings.Fields(string(text))...)
	}
	sort.Strings(out)
	return out
}

// TestLettersReadBack renders a batch, extracts the text with pdftotext
// and decodes every QR code from the rendered pages, and finds each
// printed resident's name, notice number and booking URL; the cards that
// cannot be printed are held with their reasons.
func TestLettersReadBack(t *testing.T) {
	for _, kind := range []string{PaperA4, PaperHagaki} {
		t.Run(kind, func(t *testing.T) {
			path, res := render(t, batch(kind), letters())
			pages := 3
			if kind == PaperHagaki {
				pages = 6
			}
			if res.Pages != pages || res.Printed != 3 {
				t.Logf("held %+v", res.Held)
				t.Fatalf("%d pages, %d printed, want 3", res.Pages, res.Printed)
			}
			text := tool(t, "pdftotext", "-enc", "UTF-8", path, "-")
			var urls []string
			for _, name := range []string{"三田 一郎", "髙橋 花子", "髙橋 太郎", "髙橋 次郎", "葛\U000E0100城 美咲"} {
				if !strings.Contains(text, name+" 様") {
					t.Errorf("%q not in the text", name)
				}
			}
			for _, n := range []string{"A1B-100001", "A1B-100002", "A1B-100003", "A1B-100004", "C7Z-000123"} {
				if !strings.Contains(text, n) {
					t.Errorf("notice %s not in the text", n)
				}
				urls = append(urls, bookingURL(n))
			}
			for _, s := range []string{site, "〒669-1321", "201", "令和9年3月31日", "079-559-0000"} {
				if !strings.Contains(text, s) {
					t.Errorf("%q not in the text", s)
				}
			}
			if strings.Contains(text, "\uE0FF") || strings.Contains(text, "𠮷") || strings.Contains(text, "北野") || strings.Contains(text, "西村") {
				t.Error("a held card was printed")
			}
			if got := qrTexts(t, path); !slices.Equal(got, urls) {
				t.Errorf("QR codes read %q, want %q", got, urls)
			}
			want := map[string]string{
				"held-gaiji":   "氏名に外字表にない外字 U+E0FF があります。",
				"held-font":    "氏名の「𠮷」は印刷用の書体にない文字です。",
				"held-postal":  "郵便番号がありません。",
				"held-address": "住所がありません。",
			}
			if len(res.Held) != len(want) {
				t.Fatalf("held %+v", res.Held)
			}
			for _, h := range res.Held {
				if want[h.Key] != h.Reason {
					t.Errorf("held %s: %q, want %q", h.Key, h.Reason, want[h.Key])
				}
			}
		})
	}
}

func TestLetterThatDoesNotFitIsHeld(t *testing.T) {
	var family []Person
	for i := range 12 {
		family = append(family, person(fmt.Sprintf("大家族 %d郎", i+1), fmt.Sprintf("A1B-2000%02d", i)))
	}
	long := strings.Repeat("兵庫県三田市南が丘一丁目", 12)
	_, res := render(t, batch(PaperA4), []Letter{
		{Key: "family", PostalCode: "669-1535", Address: "兵庫県三田市南が丘1丁目2-3", Persons: family},
		{Key: "long", PostalCode: "669-1535", Address: long, Persons: family[:1]},
	})
	if res.Printed != 0 || len(res.Held) != 2 {
		t.Fatalf("%+v", res)
	}
	if !strings.Contains(res.Held[0].Reason, "1 枚に収まりません") || !strings.Contains(res.Held[1].Reason, "窓") {
		t.Errorf("%+v", res.Held)
	}
}

func TestBadBatchWritesNothing(t *testing.T) {
	b := batch(PaperA4)
	b.Template.Body = "{{氏名}} 様 {{生年月日}}"
	var buf bytes.Buffer
	if _, err := RenderLetters(&buf, b, slices.Values(letters())); err == nil || buf.Len() != 0 {
		t.Errorf("err %v, %d bytes written", err, buf.Len())
	}
	b = batch(PaperA4)
	b.Contact = "担当 \uE123"
	if _, err := RenderLetters(&buf, b, slices.Values(letters())); err == nil || buf.Len() != 0 {
		t.Errorf("err %v, %d bytes written", err, buf.Len())
	}
}
