// Package postal builds Japan Post's カスタマバーコード (customer barcode)
// from a postal code and an address, as the 郵便番号・バーコードマニュアル
// specifies: start code, the 7 digits of the postal code, 13 characters of
// 住所表示番号 (padded with CC4), a check digit and a stop code, each drawn
// as three of four kinds of bar. Bulk mail that carries it is discounted.
package postal

import (
	"errors"
	"strings"
)

// Symbol is one character of the barcode. Its value, 0-18, is also its
// check number: digits are themselves, then the hyphen and CC1-CC8.
type Symbol byte

// The symbols that are not digits.
const (
	Hyphen Symbol = 10 + iota
	CC1
	CC2
	CC3
	CC4
	CC5
	CC6
	CC7
	CC8
	Start
	Stop
)

// String writes the symbol as the manual does: 0-9, -, CC1-CC8, STC, SPC.
func (s Symbol) String() string {
	switch {
	case s <= 9:
		return string(rune('0' + s))
	case s == Hyphen:
		return "-"
	case s <= CC8:
		return "CC" + string(rune('1'+s-CC1))
	case s == Start:
		return "STC"
	case s == Stop:
		return "SPC"
	}
	return "?"
}

// Lengths of the parts of a code, in symbols.
const (
	postalLen  = 7
	addressLen = 13
	// Len is the number of symbols of a code, start and stop included.
	Len = 1 + postalLen + addressLen + 1 + 1
)

// Code is the symbol sequence of one customer barcode.
type Code [Len]Symbol

// String writes the symbols separated by spaces, as the manual's examples
// do: "STC 1 0 0 0 0 1 3 1 - 3 - 2 - 5 0 3 CC4 CC4 CC4 CC4 9 SPC".
func (c Code) String() string {
	parts := make([]string, len(c))
	for i, s := range c {
		parts[i] = s.String()
	}
	return strings.Join(parts, " ")
}

// ErrPostalCode is returned for a postal code that is not 7 digits.
var ErrPostalCode = errors.New("郵便番号が 7 桁の数字ではありません")

// Encode returns the customer barcode of a postal code ("100-0013",
// "1000013", full-width digits too) and an address (see AddressNumber for
// which part of it).
func Encode(postalCode, address string) (Code, error) {
	var c Code
	digits := clean(postalCode)
	digits = strings.ReplaceAll(digits, "-", "")
	if len(digits) != postalLen || strings.Trim(digits, "0123456789") != "" {
		return c, ErrPostalCode
	}
	c[0] = Start
	i := 1
	for _, d := range digits {
		c[i] = Symbol(d - '0')
		i++
	}
	data := dataSymbols(AddressNumber(address))
	for k := 0; k < addressLen; k++ {
		if k < len(data) {
			c[i] = data[k]
		} else {
			c[i] = CC4
		}
		i++
	}
	c[i] = checkDigit(c[1:i])
	c[i+1] = Stop
	return c, nil
}

// dataSymbols writes a 住所表示番号 as symbols: digits and hyphens as
// themselves, a letter as a control code and a digit (A-J: CC1 0-9, K-T:
// CC2 0-9, U-Z: CC3 0-5). Past 13 symbols the rest is left out; a letter
// whose control code is the 13th keeps only its control code, as the
// manual says.
func dataSymbols(number string) []Symbol {
	var out []Symbol
	for _, r := range number {
		switch {
		case r >= '0' && r <= '9':
			out = append(out, Symbol(r-'0'))
		case r == '-':
			out = append(out, Hyphen)
		case r >= 'A' && r <= 'Z':
			n := int(r - 'A')
			out = append(out, CC1+Symbol(n/10), Symbol(n%10))
		}
	}
	if len(out) > addressLen {
		out = out[:addressLen]
	}
	return out
}

// checkDigit makes the sum of the check numbers of the postal code, the
// address part and itself a multiple of 19.
func checkDigit(symbols []Symbol) Symbol {
	sum := 0
	for _, s := range symbols {
		sum += int(s)
	}
	return Symbol((19 - sum%19) % 19)
}
