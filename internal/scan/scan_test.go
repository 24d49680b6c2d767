package scan

import "testing"

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		kind Kind
		want string
	}{
		{"A1B-123456", Notice, "A1B-123456"},
		{"a1b123456", Notice, "A1B-123456"},
		{"  ＱＵ９－００４８１６ ", Notice, "QU9-004816"},
		{"https://yoyaku.example.lg.jp/N/QU9-004816", Notice, "QU9-004816"},
		{"https://example.lg.jp/n/qu9-004816", Notice, "QU9-004816"},
		{"/booking/start?service=pickup&notice=A1B-123456", Notice, "A1B-123456"},
		{"RWDS-Y5YH", Booking, "RWDSY5YH"},
		{"RWDSY5YH", Booking, "RWDSY5YH"},
		{"rwds-y5yh", Booking, "RWDSY5YH"},
		{"ＲＷＤＳ－Ｙ５ＹＨ", Booking, "RWDSY5YH"},
		{"https://yoyaku.example.lg.jp/booking/manage?code=RWDS-Y5YH&token=abc", Booking, "RWDSY5YH"},
		{"https://yoyaku.example.lg.jp/booking/qr?code=RWDSY5YH", Booking, "RWDSY5YH"},
		{"通知書 A1B-123456 です", Notice, "A1B-123456"},
		// 0, O, 1, I, L and V are not in the code alphabet.
		{"RWDS-Y0YH", Unknown, ""},
		{"RWDS-Y5Y", Unknown, ""},
		{"", Unknown, ""},
		{"https://example.lg.jp/booking/manage?code=nonsense", Unknown, ""},
		{"https://example.lg.jp/other/path", Unknown, ""},
		// A notice number inside a longer run is no notice number.
		{"XA1B1234567", Unknown, ""},
	} {
		kind, got := Parse(c.in)
		if kind != c.kind || got != c.want {
			t.Errorf("Parse(%q) = %q %q, want %q %q", c.in, kind, got, c.kind, c.want)
		}
	}
}
