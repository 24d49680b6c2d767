package jlis

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// benchFile builds an n-row delivery list in CP932, in the reference
// layout, with half-width kana, era dates and some 外字.
func benchFile(tb testing.TB, n int) []byte {
	tb.Helper()
	var b bytes.Buffer
	b.Write(mustCP932(tb, "申請書ID,交付通知書番号,宛名番号,氏名,氏名カナ,生年月日,性別,郵便番号,住所,発行日,有効期限,電子証明書,交付方式,納品日,箱番号\r\n"))
	births := []string{"昭和45年3月1日", "S52.7.28", "19590828", "1934/8/10", "H23.4.18", "令和2年2月3日"}
	for i := range n {
		fmt.Fprintf(&b, "%023d,A%02d-%06d,%010d,", i+1, i%100, i%1000000, i)
		if i%50 == 0 {
			b.Write([]byte{0xF0, 0x40}) // 外字
		}
		b.Write(mustCP932(tb, fmt.Sprintf("髙橋　幸子,ﾀｶﾊｼ ｻﾁｺ,%s,女,669-1580,兵庫県三田市東本庄5丁目13番6号,令和8年10月14日,20310126,有,交付時来庁,2026/10/19,261019-04\r\n",
			births[i%len(births)])))
	}
	return b.Bytes()
}

func BenchmarkReader100k(b *testing.B) {
	const rows = 100_000
	data := benchFile(b, rows)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		rd, err := NewReader(bytes.NewReader(data), Options{Today: Date{2026, 12, 31}})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			row, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if len(row.Problems) > 0 {
				b.Fatalf("line %d: %+v", row.Line, row.Problems)
			}
			n++
		}
		if n != rows {
			b.Fatalf("%d rows, want %d", n, rows)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
