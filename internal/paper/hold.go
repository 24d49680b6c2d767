package paper

import (
	"strings"

	"github.com/kofu-oss/kofu/internal/paper/font"
	"github.com/kofu-oss/kofu/internal/postal"
)

// CheckAddressee tells why a resident's notice cannot go on paper as it
// is, or "" when it can: no postal code or address, a postal code the
// customer barcode cannot carry, an unmapped 外字 or a character the font
// lacks in the name or address. A batch uses it to hold cards out when it
// is made, with the same reasons the renderers give.
func CheckAddressee(gaiji Gaiji, postalCode, address, name string) string {
	switch {
	case strings.TrimSpace(postalCode) == "":
		return "郵便番号がありません。"
	case strings.TrimSpace(address) == "":
		return "住所がありません。"
	case strings.TrimSpace(name) == "":
		return "氏名がありません。"
	}
	f, err := font.Gothic()
	if err != nil {
		return "印刷用の書体を読み込めません。"
	}
	texts, reason := printable(f, gaiji, field{"郵便番号", postalCode}, field{"住所", address}, field{"氏名", name})
	if reason != "" {
		return reason
	}
	if _, err := postal.Encode(texts[0], texts[1]); err != nil {
		return "郵便番号が 7 桁の数字ではないため、カスタマバーコードを作れません。"
	}
	return ""
}
