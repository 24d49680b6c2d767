package postal

// Bar is one bar of the barcode, by the rows of the three it covers.
type Bar byte

// The four bars: long (all three rows), semi-long up (top and middle),
// semi-long down (middle and bottom), and timing (middle only).
const (
	Long Bar = iota + 1
	Up
	Down
	Timing
)

// barTable gives the three bars of each symbol, by its value (0-9, -,
// CC1-CC8), as in the manual's table of characters.
var barTable = [19][3]Bar{
	{Long, Timing, Timing}, // 0
	{Long, Long, Timing},   // 1
	{Long, Down, Up},       // 2
	{Down, Long, Up},       // 3
	{Long, Up, Down},       // 4
	{Long, Timing, Long},   // 5
	{Down, Up, Long},       // 6
	{Up, Long, Down},       // 7
	{Up, Down, Long},       // 8
	{Timing, Long, Long},   // 9
	{Timing, Long, Timing}, // -
	{Down, Up, Timing},     // CC1
	{Down, Timing, Up},     // CC2
	{Up, Down, Timing},     // CC3
	{Timing, Down, Up},     // CC4
	{Up, Timing, Down},     // CC5
	{Timing, Up, Down},     // CC6
	{Timing, Timing, Long}, // CC7
	{Long, Long, Long},     // CC8
}

// Bars returns the 67 bars of the code, left to right: two for the start
// code, three for each of the 21 characters, two for the stop code.
func (c Code) Bars() []Bar {
	out := make([]Bar, 0, 2+3*(Len-2)+2)
	for _, s := range c {
		switch s {
		case Start:
			out = append(out, Long, Down)
		case Stop:
			out = append(out, Down, Long)
		default:
			out = append(out, barTable[s][:]...)
		}
	}
	return out
}

// Dimensions are the sizes of a printed code, in millimetres.
type Dimensions struct {
	Pitch float64 // from one bar's left edge to the next
	Width float64 // of a bar
	Row   float64 // a third of a long bar: the timing bar's length
}

// Size returns the dimensions at a point size from 8 to 11.5 (10 is the
// manual's reference: bars 0.6 mm wide at a 1.2 mm pitch, long bars
// 3.6 mm); it is clamped to that range.
func Size(point float64) Dimensions {
	a := min(max(point, 8), 11.5) / 10
	return Dimensions{Pitch: 1.2 * a, Width: 0.6 * a, Row: 1.2 * a}
}

// Length is the length of the whole code at these dimensions.
func (d Dimensions) Length() float64 { return float64(2+3*(Len-2)+2-1)*d.Pitch + d.Width }

// Span returns the top and bottom of a bar, in rows from the top of the
// code (0 to 3).
func (b Bar) Span() (top, bottom float64) {
	switch b {
	case Long:
		return 0, 3
	case Up:
		return 0, 2
	case Down:
		return 1, 3
	}
	return 1, 2
}
