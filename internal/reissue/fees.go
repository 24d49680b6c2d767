// Package reissue is the reissue of a card (再交付) and the fee received for
// it: the reasons, whether the reissue is chargeable and why not, the fee
// amounts the city sets by ordinance (a settings document), receipt
// numbers without gaps per fiscal year, voids (取消) and the daily fee
// report. The fee is computed from the settings when a reissue is
// registered and stored with it, so a later change to the settings never
// changes a past receipt. The package holds no SQL and no HTTP.
package reissue

import (
	"fmt"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// SettingsKey is where the fee settings are stored.
const SettingsKey = "reissue_fees"

// Fees are the amounts (yen) the city charges for a reissue, set by its
// ordinance. The fast-track amounts are totals; the certificate part of a
// fast-track reissue is FastTrack - FastTrackNoCert.
type Fees struct {
	Card            int `json:"card"`                           // the card (カード再交付手数料)
	Certificate     int `json:"certificate"`                    // the electronic certificate (電子証明書発行手数料)
	FastTrack       int `json:"fast_track"`                     // 特急発行, with the certificate
	FastTrackNoCert int `json:"fast_track_without_certificate"` // 特急発行, without the certificate
}

// DefaultFees are the national amounts (2024): ¥800 + ¥200, fast track
// ¥2,000 (¥1,800 without the certificate).
func DefaultFees() Fees {
	return Fees{Card: 800, Certificate: 200, FastTrack: 2000, FastTrackNoCert: 1800}
}

const maxFee = 100000

// Validate reports every amount out of range, in Japanese.
func (f Fees) Validate() error {
	var fe apperr.Fields
	for _, a := range []struct {
		field string
		v     int
	}{{"card", f.Card}, {"certificate", f.Certificate}, {"fast_track", f.FastTrack},
		{"fast_track_without_certificate", f.FastTrackNoCert}} {
		if a.v < 0 || a.v > maxFee {
			fe.Add(a.field, "0 以上 100000 以下の金額（円）で指定してください。")
		}
	}
	if len(fe) == 0 && f.FastTrackNoCert > f.FastTrack {
		fe = append(fe, apperr.FieldError{Field: "fast_track_without_certificate",
			Message: "電子証明書なしの特急発行の手数料は、電子証明書ありの額以下にしてください。"})
	}
	if len(fe) == 0 {
		return nil
	}
	return apperr.WithFields("手数料の設定に誤りがあります。", fe)
}

// Fee types: how a reissue was charged. The daily report adds up by type.
const (
	FeeStandard       = "standard"
	FeeStandardNoCert = "standard_no_cert"
	FeeFastTrack      = "fast_track"
	FeeFastTrackNo    = "fast_track_no_cert"
	FeeFree           = "free"
)

// FeeTypes lists the fee types in report order.
func FeeTypes() []string {
	return []string{FeeStandard, FeeStandardNoCert, FeeFastTrack, FeeFastTrackNo, FeeFree}
}

// FeeTypeLabel is the Japanese name of a fee type.
func FeeTypeLabel(t string) string {
	return map[string]string{
		FeeStandard:       "通常（カード＋電子証明書）",
		FeeStandardNoCert: "通常（カードのみ）",
		FeeFastTrack:      "特急発行（電子証明書あり）",
		FeeFastTrackNo:    "特急発行（電子証明書なし）",
		FeeFree:           "無料",
	}[t]
}

// Charge is the fee of one reissue.
type Charge struct {
	FeeType           string
	CardAmount        int
	CertificateAmount int
	Amount            int
}

// Compute returns the fee of a reissue under the fees f.
func (f Fees) Compute(chargeable, certificate, fastTrack bool) Charge {
	switch {
	case !chargeable:
		return Charge{FeeType: FeeFree}
	case fastTrack && certificate:
		cert := f.FastTrack - f.FastTrackNoCert
		return Charge{FeeType: FeeFastTrack, CardAmount: f.FastTrack - cert, CertificateAmount: cert, Amount: f.FastTrack}
	case fastTrack:
		return Charge{FeeType: FeeFastTrackNo, CardAmount: f.FastTrackNoCert, Amount: f.FastTrackNoCert}
	case certificate:
		return Charge{FeeType: FeeStandard, CardAmount: f.Card, CertificateAmount: f.Certificate, Amount: f.Card + f.Certificate}
	}
	return Charge{FeeType: FeeStandardNoCert, CardAmount: f.Card, Amount: f.Card}
}

// FiscalYear is the Japanese fiscal year (April to March) of a date.
func FiscalYear(t time.Time) int {
	if t.Month() < time.April {
		return t.Year() - 1
	}
	return t.Year()
}

// ReceiptNumber formats the n-th receipt of a fiscal year: R2026-000123.
func ReceiptNumber(fiscalYear, n int) string { return fmt.Sprintf("R%d-%06d", fiscalYear, n) }

// Yen formats an amount for people: ¥1,000.
func Yen(n int) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + "¥" + s
}
