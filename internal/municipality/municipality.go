// Package municipality identifies the cities a platform serves: the
// 全国地方公共団体コード (six digits, the last a check digit, JIS X 0402)
// and the short name a city's sites answer under (/{slug}/).
package municipality

import (
	"regexp"
	"slices"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// Stable codes of the errors below.
const (
	CodeBadCode = "city_code_invalid"
	CodeBadSlug = "city_slug_invalid"
)

// Code is a validated 地方公共団体コード with its check digit, e.g. "282197"
// (三田市).
type Code string

// CheckDigit is the check digit of a five-digit code: the digits weighted
// 6, 5, 4, 3, 2 from the left, their sum modulo 11 subtracted from 11, and
// the last digit of that.
func CheckDigit(five string) byte {
	sum := 0
	for i := range 5 {
		sum += int(five[i]-'0') * (6 - i)
	}
	return byte('0' + (11-sum%11)%10)
}

// ParseCode validates a six-digit code (full-width digits and spaces are
// read too).
func ParseCode(s string) (Code, error) {
	s = strings.Map(halfWidthDigit, strings.TrimSpace(s))
	if len(s) != 6 || strings.Trim(s, "0123456789") != "" {
		return "", apperr.New(CodeBadCode, "地方公共団体コードは 6 桁の数字で入力してください (例: 三田市は 282197)。")
	}
	if s[5] != CheckDigit(s[:5]) {
		return "", apperr.New(CodeBadCode, "地方公共団体コード "+s+" の検査数字 (6 桁目) が合いません。番号を確かめてください。")
	}
	if s[:2] == "00" || s[:2] > "47" {
		return "", apperr.New(CodeBadCode, "地方公共団体コード "+s+" の都道府県コード (上 2 桁) は 01〜47 です。")
	}
	return Code(s), nil
}

func halfWidthDigit(r rune) rune {
	if r >= '０' && r <= '９' {
		return '0' + (r - '０')
	}
	return r
}

// Prefecture is the code's prefecture number, "28" for 兵庫県.
func (c Code) Prefecture() string { return string(c[:2]) }

var slugPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{1,30}[a-z0-9]$`)

// reserved are the first path segments the platform itself answers.
var reserved = []string{"api", "static", "staff", "healthz", "readyz", "metrics", "platform", "operator", "admin", "wait", "www"}

// ParseSlug validates the short name a city's sites answer under: 3 to 32
// lower-case letters, digits and hyphens, starting with a letter.
func ParseSlug(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !slugPattern.MatchString(s) || strings.Contains(s, "--") {
		return "", apperr.New(CodeBadSlug, "URL 用の短い名前は、英小文字で始まる 3〜32 文字の英小文字・数字・ハイフンで入力してください (例: sanda)。")
	}
	if slices.Contains(reserved, s) {
		return "", apperr.New(CodeBadSlug, "「"+s+"」はシステムが使う名前のため、URL 用の短い名前にできません。")
	}
	return s, nil
}

// CodeBadHost is the stable code of a host name that cannot be one.
const CodeBadHost = "city_host_invalid"

var hostLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// ParseHost validates a city's own host name (sanda.example.lg.jp), read
// in lower case and without a port.
func ParseHost(s string) (string, error) {
	s = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), "."))
	labels := strings.Split(s, ".")
	ok := len(s) <= 253 && len(labels) >= 2
	for _, l := range labels {
		ok = ok && hostLabel.MatchString(l)
	}
	if !ok {
		return "", apperr.New(CodeBadHost, "ホスト名は、英小文字・数字・ハイフンの区切りを「.」でつないだ名前で入力してください (例: sanda.example.lg.jp)。")
	}
	return s, nil
}
