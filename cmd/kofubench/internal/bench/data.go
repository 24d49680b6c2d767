package bench

import (
	"bytes"
	"fmt"
	"math/rand/v2"

	"golang.org/x/text/encoding/japanese"
)

// namePart is a piece of a generated name: kanji and its reading.
type namePart struct{ kanji, kana string }

// surnames mixes frequent surnames (a 2-character kanji search finds
// about one resident in a hundred) with rarer two-part ones.
func surnames() []namePart {
	return []namePart{{"佐藤", "サトウ"}, {"鈴木", "スズキ"}, {"高橋", "タカハシ"}, {"田中", "タナカ"},
		{"伊藤", "イトウ"}, {"渡辺", "ワタナベ"}, {"山本", "ヤマモト"}, {"中村", "ナカムラ"}, {"小林", "コバヤシ"},
		{"加藤", "カトウ"}, {"吉田", "ヨシダ"}, {"山田", "ヤマダ"}, {"三輪", "ミワ"}, {"北川", "キタガワ"}}
}

func surnameParts() []namePart {
	return []namePart{{"山", "ヤマ"}, {"川", "カワ"}, {"田", "タ"}, {"中", "ナカ"}, {"小", "コ"}, {"大", "オオ"},
		{"高", "タカ"}, {"石", "イシ"}, {"森", "モリ"}, {"松", "マツ"}, {"竹", "タケ"}, {"井", "イ"},
		{"上", "ウエ"}, {"村", "ムラ"}, {"本", "モト"}, {"木", "キ"}, {"野", "ノ"}, {"原", "ハラ"},
		{"西", "ニシ"}, {"東", "ヒガシ"}, {"岡", "オカ"}, {"藤", "フジ"}, {"島", "シマ"}, {"宮", "ミヤ"}}
}

func givenParts() ([]namePart, []namePart) {
	first := []namePart{{"一", "イチ"}, {"健", "ケン"}, {"直", "ナオ"}, {"美", "ミ"}, {"花", "ハナ"}, {"和", "カズ"},
		{"真", "マ"}, {"智", "トモ"}, {"浩", "ヒロ"}, {"幸", "ユキ"}, {"雅", "マサ"}, {"明", "アキ"}}
	second := []namePart{{"子", "コ"}, {"美", "ミ"}, {"郎", "ロウ"}, {"太", "タ"}, {"夫", "オ"}, {"也", "ヤ"},
		{"樹", "キ"}, {"人", "ト"}, {"香", "カ"}, {"菜", "ナ"}, {"彦", "ヒコ"}, {"介", "スケ"}}
	return first, second
}

// Resident is one generated row of a delivery list.
type Resident struct {
	AppID, Notice, Number, Name, Kana, Birth, Sex, Address, Delivery, Box string
}

// residents generates reproducible residents: row i is always the same.
type residents struct {
	common, parts, first, second []namePart
}

func newResidents() *residents {
	f, s := givenParts()
	return &residents{common: surnames(), parts: surnameParts(), first: f, second: s}
}

// row returns resident i (0-based).
func (g *residents) row(i int) Resident {
	rnd := rand.New(rand.NewPCG(uint64(i), 7))
	var sur namePart
	if n := rnd.IntN(100); n < 2*len(g.common) {
		sur = g.common[n/2]
	} else {
		a, b := g.parts[rnd.IntN(len(g.parts))], g.parts[rnd.IntN(len(g.parts))]
		sur = namePart{a.kanji + b.kanji, a.kana + b.kana}
	}
	a, b := g.first[rnd.IntN(len(g.first))], g.second[rnd.IntN(len(g.second))]
	sex := "男"
	if i%2 == 1 {
		sex = "女"
	}
	return Resident{AppID: fmt.Sprintf("%023d", i+1), Notice: fmt.Sprintf("K%02d-%06d", i/1_000_000, i%1_000_000),
		Number: fmt.Sprintf("%d", 10_000_000+i), Name: sur.kanji + "　" + a.kanji + b.kanji,
		Kana: sur.kana + "　" + a.kana + b.kana, Birth: fmt.Sprintf("19%02d%02d%02d", 30+rnd.IntN(60), 1+rnd.IntN(12), 1+rnd.IntN(28)),
		Sex: sex, Address: fmt.Sprintf("兵庫県三田市三輪%d丁目%d番", i%9+1, i%40+1),
		Delivery: fmt.Sprintf("2026/10/%d", 1+i%28), Box: fmt.Sprintf("B%04d", i/500)}
}

// deliveryHeader is the header of a J-LIS delivery list.
const deliveryHeader = "申請書ID,交付通知書番号,宛名番号,氏名,氏名カナ,生年月日,性別,郵便番号,住所,納品日,箱番号\r\n"

// deliveryFile returns rows from..to-1 as a CP932 delivery list.
func (g *residents) deliveryFile(from, to int) []byte {
	var b bytes.Buffer
	b.WriteString(deliveryHeader)
	for i := from; i < to; i++ {
		r := g.row(i)
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s,669-1595,%s,%s,%s\r\n",
			r.AppID, r.Notice, r.Number, r.Name, r.Kana, r.Birth, r.Sex, r.Address, r.Delivery, r.Box)
	}
	out, err := japanese.ShiftJIS.NewEncoder().Bytes(b.Bytes())
	if err != nil {
		panic(err) // the generator only uses characters CP932 holds
	}
	return out
}
