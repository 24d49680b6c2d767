package municipality

import (
	"testing"

	"github.com/kofu-oss/kofu/internal/apperr"
)

func TestParseCode(t *testing.T) {
	// Real codes with their published check digits: 三田市, 北海道札幌市,
	// 東京都千代田区, 大阪府堺市, 沖縄県那覇市, 福井県鯖江市.
	for _, ok := range []string{"282197", "011002", "131016", "271403", "472018", "182079", "２８２１９７", " 282197 "} {
		if c, err := ParseCode(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		} else if len(c) != 6 {
			t.Errorf("%q read as %q", ok, c)
		}
	}
	for _, bad := range []string{"", "28219", "2821970", "282198", "28219x", "000001", "482196", "28-219"} {
		if _, err := ParseCode(bad); !apperr.Is(err, CodeBadCode) {
			t.Errorf("%q: want %s, got %v", bad, CodeBadCode, err)
		}
	}
}

// TestCheckDigitCoversEveryRemainder checks the two remainders whose
// 11-minus has two digits (0 → 1, 1 → 0) as well as an ordinary one.
func TestCheckDigitCoversEveryRemainder(t *testing.T) {
	for five, want := range map[string]byte{"28219": '7', "00000": '1', "00006": '0', "10000": '5'} {
		if got := CheckDigit(five); got != want {
			t.Errorf("CheckDigit(%s) = %c, want %c", five, got, want)
		}
	}
}

func TestParseSlug(t *testing.T) {
	for _, ok := range []string{"sanda", "sabae-city", "a12"} {
		if _, err := ParseSlug(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "ab", "Sanda", "三田", "1sanda", "sanda-", "san--da", "staff", "api", "a/b", "sanda city"} {
		if _, err := ParseSlug(bad); !apperr.Is(err, CodeBadSlug) {
			t.Errorf("%q: want %s, got %v", bad, CodeBadSlug, err)
		}
	}
}

func TestParseHost(t *testing.T) {
	for in, want := range map[string]string{"sanda.example.lg.jp": "sanda.example.lg.jp", "Sanda.Localhost.": "sanda.localhost"} {
		if got, err := ParseHost(in); err != nil || got != want {
			t.Errorf("%q: %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "sanda", "sanda..jp", "-sanda.jp", "sanda.jp:8080", "三田.jp", "san_da.jp"} {
		if _, err := ParseHost(bad); !apperr.Is(err, CodeBadHost) {
			t.Errorf("%q: want %s, got %v", bad, CodeBadHost, err)
		}
	}
}
