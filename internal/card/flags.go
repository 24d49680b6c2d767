package card

// Flags mark what staff should notice about a card wherever it appears.
const (
	FlagGaiji          = "gaiji"           // the name holds 外字
	FlagSurfacePending = "surface_pending" // a 券面更新 was reported and is not yet written on the card
)

var flagLabels = map[string]string{
	FlagGaiji:          "外字あり",
	FlagSurfacePending: "券面更新待ち",
}

// FlagLabel is the plain Japanese word for a flag.
func FlagLabel(f string) string {
	if l, ok := flagLabels[f]; ok {
		return l
	}
	return f
}
