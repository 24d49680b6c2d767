// Package moji handles the characters of Japanese resident data, shared by
// import, search and export: CP932 with its user-defined area (外字), encoding
// detection, kana and name search keys, and CP932 output for Excel users.
//
// The guiding rule is that no character is ever lost silently: bytes that
// cannot be decoded are an error, 外字 become Private Use Area code points,
// and characters that cannot be written are reported.
package moji

// Private Use Area range that Windows uses for the CP932 user-defined area
// (lead bytes 0xF0-0xF9): 10 lead bytes × 188 trail bytes = 1,880 code points.
const (
	puaFirst rune = 0xE000
	puaLast  rune = 0xE757

	udaLeadFirst  = 0xF0
	udaLeadLast   = 0xF9
	trailsPerLead = 188
)

// geta is 〓 (U+3013), the traditional mark for a character that cannot be
// printed; it exists in CP932 (0x81AC).
const geta = '\u3013'
