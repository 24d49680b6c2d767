package card

// Flags mark what staff should notice about a card wherever it appears.
const (
	FlagGaiji = "gaiji" // the name holds 外字
)

var flagLabels = map[string]string{
	FlagGaiji: "外字あり",
}

// FlagLabel is the plain Japanese word for a flag.
func FlagLabel(f string) string {
	if l, ok := flagLabels[f]; ok {
		return l
	}
	return f
}
