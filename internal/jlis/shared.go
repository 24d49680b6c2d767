package jlis

// The value rules of a delivery list, shared with other importers of card
// data (package legacy reads the city's Excel ledger), so that one notice
// number, postal code or 個人番号 is recognised the same way everywhere.

// NormalizeCode is NFKC (full-width digits and letters become ASCII),
// trimmed.
func NormalizeCode(s string) string { return normalizeCode(s) }

// TrimValue removes leading and trailing spaces, half- and full-width.
func TrimValue(s string) string { return trimValue(s) }

// NormalizeNotice brings a notice number to the printed form A1B-123456.
func NormalizeNotice(s string) string { return normalizeNotice(s) }

// ValidNotice checks the form [0-9A-Z]{3}-[0-9]{6}.
func ValidNotice(v string) bool { return validNotice(v) }

// NormalizePostal brings a postal code to 669-1595; ok is false if the
// value is not seven digits.
func NormalizePostal(s string) (string, bool) { return normalizePostal(s) }

// ParseSex reads 男/女 or 1/2 into SexMale/SexFemale ("" when unknown).
func ParseSex(s string) (string, bool) { return parseSex(s) }

// ParseCertificate reads 有/無, あり/なし, 1/0; empty is nil.
func ParseCertificate(s string) (*bool, bool) { return parseCertificate(s) }

// ParseMethod reads 交付時来庁 / 申請時来庁; empty is the counter method.
func ParseMethod(s string) (string, bool) { return parseMethod(s) }

// LooksLikePersonalNumber tells whether v is twelve digits with a valid
// My Number check digit.
func LooksLikePersonalNumber(v string) bool { return looksLikePersonalNumber(v) }

// IsPersonalNumberHeader tells whether a normalised header names a 個人番号
// column.
func IsPersonalNumberHeader(h string) bool { return isPersonalNumberHeader(h) }

// AllDigits reports whether s is non-empty and only ASCII digits.
func AllDigits(s string) bool { return allDigits(s) }
