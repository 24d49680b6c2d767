package reissue

// Reasons a card is reissued.
const (
	ReasonLost        = "lost"         // 紛失
	ReasonStolen      = "stolen"       // 盗難
	ReasonDamaged     = "damaged"      // 破損・汚損
	ReasonMarginFull  = "margin_full"  // 券面記載事項の変更で追記欄の余白不足
	ReasonCertRevoked = "cert_revoked" // 電子証明書の失効
	ReasonCardDefect  = "card_defect"  // カードの不具合（IC チップの故障など）
	ReasonOther       = "other"        // その他（内容を記入）
)

// Reason is a reason for reissue with what it usually costs. FreeBy is the
// free reason the form suggests when a reissue for this reason is usually
// free ("" when it is usually chargeable); staff decide case by case, as
// the city's ordinance says.
type Reason struct {
	Code   string
	Label  string
	FreeBy string
}

// Reasons lists the reasons in form order.
func Reasons() []Reason {
	return []Reason{
		{ReasonLost, "紛失", ""},
		{ReasonStolen, "盗難", ""},
		{ReasonDamaged, "破損・汚損", ""},
		{ReasonMarginFull, "券面記載事項の変更で追記欄の余白不足", FreeMarginFull},
		{ReasonCertRevoked, "電子証明書の失効", ""},
		{ReasonCardDefect, "カードの不具合（IC チップの故障など）", FreeCardDefect},
		{ReasonOther, "その他", ""},
	}
}

// Why a reissue is free.
const (
	FreeMarginFull = "margin_full"      // 追記欄の余白がない
	FreeCardDefect = "card_defect"      // カードの不具合（本人の責によらない）
	FreeCityFault  = "city_fault"       // 市の責任（事務の誤りなど）
	FreeNotHolder  = "not_holder_fault" // 本人の責によらない紛失・盗難（災害など）
	FreeExpiryNear = "expiry_near"      // 有効期限まで3か月以内
	FreeOrdinance  = "ordinance"        // 条例で免除（内容を記入）
)

// FreeReason is a ground for not charging a fee.
type FreeReason struct{ Code, Label string }

// FreeReasons lists the grounds for a free reissue in form order.
func FreeReasons() []FreeReason {
	return []FreeReason{
		{FreeMarginFull, "追記欄の余白がない"},
		{FreeCardDefect, "カードの不具合（本人の責によらない）"},
		{FreeCityFault, "市の責任（事務の誤りなど）"},
		{FreeNotHolder, "本人の責によらない紛失・盗難・災害"},
		{FreeExpiryNear, "有効期限まで3か月以内"},
		{FreeOrdinance, "その他、条例による免除"},
	}
}

// ReasonLabel is the Japanese name of a reason ("" when unknown).
func ReasonLabel(code string) string {
	for _, r := range Reasons() {
		if r.Code == code {
			return r.Label
		}
	}
	return ""
}

// FreeReasonLabel is the Japanese name of a free reason ("" when unknown).
func FreeReasonLabel(code string) string {
	for _, r := range FreeReasons() {
		if r.Code == code {
			return r.Label
		}
	}
	return ""
}
