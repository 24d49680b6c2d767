package legacy

import (
	"fmt"
	"testing"

	"github.com/kofu-oss/kofu/internal/legacy/legacytest"
)

// BenchmarkRead10k reads a 10,000-row ledger with Excel dates in five
// columns (each date cell's type is looked up).
func BenchmarkRead10k(b *testing.B) {
	header := []string{"申請書ID", "氏名", "生年月日", "納品日", "通知書発送日", "交付日", "状態", "保管場所", "備考"}
	rows := make([][]any, 10000)
	for i := range rows {
		rows[i] = []any{fmt.Sprintf("%023d", i+1), "山田\u3000太郎", 20000.0 + float64(i%9000), 46300.0, 46305.0, 46320.0,
			"交付済", fmt.Sprintf("キャビネット%d-%d段", i%4+1, i%20+1), ""}
	}
	file := legacytest.Build(b, header, rows...)
	b.ResetTimer()
	for range b.N {
		l, err := Read(file, Options{Today: today})
		if err != nil || len(l.Rows) != 10000 {
			b.Fatalf("%v %d", err, len(l.Rows))
		}
	}
}
