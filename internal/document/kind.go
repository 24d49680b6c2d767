package document

// Kind is what a stored document is. Its value is stored and used in the
// API; Label is what staff read.
type Kind string

const (
	KindApplication Kind = "application"       // 申請書
	KindReceipt     Kind = "receipt"           // 交付受付確認票 (and Kofu's hand-over slip)
	KindProxy       Kind = "proxy"             // 委任状
	KindMedical     Kind = "medical"           // 診断書
	KindReturned    Kind = "returned_envelope" // 返戻封筒
	KindOther       Kind = "other"             // その他
)

var kindLabels = map[Kind]string{
	KindApplication: "申請書",
	KindReceipt:     "交付受付確認票",
	KindProxy:       "委任状",
	KindMedical:     "診断書",
	KindReturned:    "返戻封筒",
	KindOther:       "その他",
}

// Kinds lists the kinds in the order staff choose from.
func Kinds() []Kind {
	return []Kind{KindApplication, KindReceipt, KindProxy, KindMedical, KindReturned, KindOther}
}

// ParseKind reads a stored or submitted kind.
func ParseKind(s string) (Kind, bool) {
	_, ok := kindLabels[Kind(s)]
	return Kind(s), ok
}

// Label is the kind's Japanese name.
func (k Kind) Label() string {
	if l, ok := kindLabels[k]; ok {
		return l
	}
	return string(k)
}
