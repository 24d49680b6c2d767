package jlis

// The value rules of a delivery list, shared with other importers of card
// data (package legacy reads the city's Excel ledger), so that one notice
// number, postal code or 個人番号 is recognised the same way everywhere.
// The checks of a row's fields, with their codes and messages, are in
// check.go.

// NormalizeCode is NFKC (full-width digits and letters become ASCII),
// trimmed.
func NormalizeCode(s string) string { return normalizeCode(s) }

// TrimValue removes leading and trailing spaces, half- and full-width.
func TrimValue(s string) string { return trimValue(s) }

// LooksLikePersonalNumber tells whether v is twelve digits with a valid
// My Number check digit.
func LooksLikePersonalNumber(v string) bool { return looksLikePersonalNumber(v) }

// IsPersonalNumberHeader tells whether a normalised header names a 個人番号
// column.
func IsPersonalNumberHeader(h string) bool { return isPersonalNumberHeader(h) }

// AllDigits reports whether s is non-empty and only ASCII digits.
func AllDigits(s string) bool { return allDigits(s) }
