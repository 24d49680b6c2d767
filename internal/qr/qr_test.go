package qr

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// zbar decodes the QR codes of a PNG file with zbarimg, the reader the
// project checks its paper and pages with.
func zbar(t *testing.T, path string) []string {
	t.Helper()
	out, err := exec.Command("zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", path).Output()
	if err != nil {
		t.Fatalf("zbarimg %s: %v", path, err)
	}
	return strings.Split(strings.TrimRight(string(out), "\n"), "\n")
}

func TestPNGReadsBack(t *testing.T) {
	for _, text := range []string{"ABC-DEF-GHJ", "https://yoyaku.example.jp/booking/start?notice=A1B-123456", "交付通知書 A1B-123456"} {
		c, err := Encode(text, Medium)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "qr.png")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.WritePNG(f, 4); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if got := zbar(t, path); len(got) != 1 || got[0] != text {
			t.Errorf("zbarimg read %q, want %q", got, text)
		}
	}
}

// TestRunsDrawTheCode paints only the runs, as the PDF does, and reads the
// picture back.
func TestRunsDrawTheCode(t *testing.T) {
	const text = "HTTPS://YOYAKU.EXAMPLE.JP/N/Z9Q-000417"
	c, err := Encode(text, Medium)
	if err != nil {
		t.Fatal(err)
	}
	const scale = 5
	side := (c.Size() + 2*QuietZone) * scale
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	dark := 0
	c.Runs(func(x, y, n int) {
		for i := 0; i < n; i++ {
			if !c.Dark(x+i, y) {
				t.Fatalf("run covers light module %d,%d", x+i, y)
			}
			dark++
		}
		for py := (y + QuietZone) * scale; py < (y+QuietZone+1)*scale; py++ {
			for px := (x + QuietZone) * scale; px < (x+QuietZone+n)*scale; px++ {
				img.SetGray(px, py, color.Gray{})
			}
		}
	})
	want := 0
	for y := 0; y < c.Size(); y++ {
		for x := 0; x < c.Size(); x++ {
			if c.Dark(x, y) {
				want++
			}
		}
	}
	if dark != want {
		t.Fatalf("runs cover %d dark modules, the code has %d", dark, want)
	}
	path := filepath.Join(t.TempDir(), "runs.png")
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := zbar(t, path); len(got) != 1 || got[0] != text {
		t.Errorf("zbarimg read %q, want %q", got, text)
	}
}

// TestUpperCaseTailIsCompact: a notice URL in upper case packs as
// alphanumeric, so the code has fewer modules and prints larger ones.
func TestUpperCaseTailIsCompact(t *testing.T) {
	lower, err := Encode("https://yoyaku.example.jp/booking/start?service=pickup&notice=a1b-123456", Medium)
	if err != nil {
		t.Fatal(err)
	}
	upper, err := Encode("HTTPS://YOYAKU.EXAMPLE.JP/N/A1B-123456", Medium)
	if err != nil {
		t.Fatal(err)
	}
	if upper.Size() >= lower.Size() {
		t.Errorf("upper-case URL has %d modules a side, the long lower-case one %d", upper.Size(), lower.Size())
	}
}

func TestSVG(t *testing.T) {
	c, err := Encode("R7K-2Q9-XM4", Medium)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := c.WriteSVG(&buf); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ViewBox string `xml:"viewBox,attr"`
		Paths   []struct {
			D string `xml:"d,attr"`
		} `xml:"path"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("SVG is not well-formed: %v\n%s", err, buf.String())
	}
	side := c.Size() + 2*QuietZone
	if want := fmt.Sprintf("0 0 %d %d", side, side); doc.ViewBox != want {
		t.Errorf("viewBox %q, want %q", doc.ViewBox, want)
	}
	if len(doc.Paths) == 0 || doc.Paths[0].D == "" {
		t.Error("SVG draws no modules")
	}
}

func TestTooLong(t *testing.T) {
	if _, err := Encode(strings.Repeat("漢", 3000), High); err == nil {
		t.Error("a text beyond version 40 was encoded")
	}
}
