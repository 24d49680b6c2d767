package jlis

// MaxWarnings is how many warnings a reader keeps one by one: a file of a
// million blank lines keeps the first thousand and counts the rest, so a
// reader's memory does not grow with what it warns about.
const MaxWarnings = 1000

// WarningList keeps the first MaxWarnings warnings in the order they came
// and counts all of them by kind.
type WarningList struct {
	listed []Warning
	byKind map[string]int
}

// Add records a warning.
func (l *WarningList) Add(w Warning) {
	if l.byKind == nil {
		l.byKind = map[string]int{}
	}
	l.byKind[w.Kind]++
	if len(l.listed) < MaxWarnings {
		l.listed = append(l.listed, w)
	}
}

// Listed returns the warnings kept (the first MaxWarnings).
func (l *WarningList) Listed() []Warning { return l.listed }

// Counts returns how many warnings of each kind were added, kept or not.
func (l *WarningList) Counts() map[string]int { return l.byKind }
