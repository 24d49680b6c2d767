package postal

import "testing"

// manual holds the worked examples of Japan Post's 郵便番号・バーコード
// マニュアル: the address and postal code of its 抜き出し例 pages, the
// 住所表示番号 it extracts and the symbols of the whole code.
var manual = []struct {
	postal, address, number, code string
}{
	// 処理概要 and チェックデジットの生成例.
	{"100-0013", "東京都千代田区霞が関1丁目3番2号　郵便プラザ503室", "1-3-2-503",
		"STC 1 0 0 0 0 1 3 1 - 3 - 2 - 5 0 3 CC4 CC4 CC4 CC4 9 SPC"},
	// 抜き出し例.
	{"263-0023", "千葉市稲毛区緑町3丁目30-8　郵便ビル403号", "3-30-8-403",
		"STC 2 6 3 0 0 2 3 3 - 3 0 - 8 - 4 0 3 CC4 CC4 CC4 5 SPC"},
	{"014-0113", "秋田県大仙市堀見内　南田茂木　添60-1", "60-1",
		"STC 0 1 4 0 1 1 3 6 0 - 1 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC8 SPC"},
	{"110-0016", "東京都台東区台東5-6-3　ABCビル10F", "5-6-3-10",
		"STC 1 1 0 0 0 1 6 5 - 6 - 3 - 1 0 CC4 CC4 CC4 CC4 CC4 9 SPC"},
	{"060-0906", "北海道札幌市東区北六条東4丁目　郵便センター6号館", "4-6",
		"STC 0 6 0 0 9 0 6 4 - 6 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 9 SPC"},
	{"065-0006", "北海道札幌市東区北六条東8丁目　郵便センター10号館", "8-10",
		"STC 0 6 5 0 0 0 6 8 - 1 0 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 9 SPC"},
	{"407-0033", "山梨県韮崎市龍岡町下條南割　韮崎400", "400",
		"STC 4 0 7 0 0 3 3 4 0 0 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 - SPC"},
	{"273-0102", "千葉県鎌ケ谷市右京塚　東3丁目-20-5　郵便・A&bコーポB604号", "3-20-5B604",
		"STC 2 7 3 0 1 0 2 3 - 2 0 - 5 CC1 1 6 0 4 CC4 CC4 0 SPC"},
	{"198-0036", "東京都青梅市河辺町十一丁目六番地一号　郵便タワー601", "11-6-1-601",
		"STC 1 9 8 0 0 3 6 1 1 - 6 - 1 - 6 0 1 CC4 CC4 CC4 CC8 SPC"},
	{"027-0203", "岩手県宮古市大字津軽石第二十一地割大淵川480", "21-480",
		"STC 0 2 7 0 2 0 3 2 1 - 4 8 0 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC5 SPC"},
	{"590-0016", "大阪府堺市堺区中田出井町四丁六番十九号", "4-6-19",
		"STC 5 9 0 0 0 1 6 4 - 6 - 1 9 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC2 SPC"},
	{"080-0831", "北海道帯広市稲田町南七線　西28", "7-28",
		"STC 0 8 0 0 8 3 1 7 - 2 8 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC7 SPC"},
	{"317-0055", "茨城県日立市宮田町6丁目7-14　ABCビル2F", "6-7-14-2",
		"STC 3 1 7 0 0 5 5 6 - 7 - 1 4 - 2 CC4 CC4 CC4 CC4 CC4 CC1 SPC"},
	{"650-0046", "神戸市中央区港島中町9丁目7-6　郵便シティA棟1F1号", "9-7-6A1-1",
		"STC 6 5 0 0 0 4 6 9 - 7 - 6 CC1 0 1 - 1 CC4 CC4 CC4 5 SPC"},
	{"623-0011", "京都府綾部市青野町綾部6-7　LプラザB106", "6-7LB106",
		"STC 6 2 3 0 0 1 1 6 - 7 CC2 1 CC1 1 1 0 6 CC4 CC4 CC4 4 SPC"},
	// Past 13 characters the rest is left out.
	{"064-0804", "札幌市中央区南四条西29丁目1524-23　第2郵便ハウス501", "29-1524-23-2-501",
		"STC 0 6 4 0 8 0 4 2 9 - 1 5 2 4 - 2 3 - 2 - 3 SPC"},
	// A letter whose control code is the 13th character keeps only that.
	{"910-0067", "福井県福井市新田塚3丁目80-25　J1ビル2-B", "3-80-25J1-2B",
		"STC 9 1 0 0 0 6 7 3 - 8 0 - 2 5 CC1 9 1 - 2 CC1 9 SPC"},
}

func TestManualExamples(t *testing.T) {
	for _, m := range manual {
		if got := AddressNumber(m.address); got != m.number {
			t.Errorf("AddressNumber(%s) = %q, want %q", m.address, got, m.number)
		}
		c, err := Encode(m.postal, m.address)
		if err != nil {
			t.Fatalf("%s: %v", m.address, err)
		}
		if got := c.String(); got != m.code {
			t.Errorf("Encode(%s, %s)\n got %s\nwant %s", m.postal, m.address, got, m.code)
		}
	}
}

func TestAddressNumberForms(t *testing.T) {
	for in, want := range map[string]string{
		"三田市駅前町１２－３４":       "12-34",  // full-width digits and hyphen
		"三田市けやき台1ー2ー3":      "1-2-3",  // a long vowel mark typed for a hyphen
		"三田市屋敷町五の三":         "5",      // 三 ends the address: no word follows it
		"三田市屋敷町五の三番地":       "5-3",    // 五 before の, 三 before 番地
		"三田市ゆりのき台2丁目1番地の10": "2-1-10", // の between numbers is a hyphen
		"三田市天神一〇五番地":        "105",    // kanji digits written one by one
		"三田市天神百二番":          "102",
		"三田市弥生が丘1-2 b棟3f":   "1-2B3", // letters are upper-cased; F after a number is a floor
		"三田市加茂":             "",      // no number at all
	} {
		if got := AddressNumber(in); got != want {
			t.Errorf("AddressNumber(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestPostalCodeForms(t *testing.T) {
	for _, p := range []string{"669-1535", "6691535", "６６９－１５３５"} {
		c, err := Encode(p, "三田市南が丘1-2")
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if got, want := c.String(), "STC 6 6 9 1 5 3 5 1 - 2 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 2 SPC"; got != want {
			t.Errorf("%s: %s", p, got)
		}
	}
	for _, p := range []string{"", "669-153", "669-15355", "66a-1535"} {
		if _, err := Encode(p, "三田市南が丘1-2"); err != ErrPostalCode {
			t.Errorf("Encode(%q) = %v, want ErrPostalCode", p, err)
		}
	}
}

func TestCheckDigitMakesSumOfNineteen(t *testing.T) {
	for _, m := range manual {
		c, _ := Encode(m.postal, m.address)
		sum := 0
		for _, s := range c[1 : Len-1] {
			sum += int(s)
		}
		if sum%19 != 0 {
			t.Errorf("%s: the check numbers sum to %d", m.address, sum)
		}
	}
}

// TestBarsReadBack reads the bars of every example back into symbols:
// 67 bars, start and stop in place, and no two symbols drawn alike.
func TestBarsReadBack(t *testing.T) {
	byBars := map[[3]Bar]Symbol{}
	for s, bars := range barTable {
		if prev, dup := byBars[bars]; dup {
			t.Fatalf("%s and %s have the same bars", prev, Symbol(s))
		}
		byBars[bars] = Symbol(s)
	}
	for _, m := range manual {
		c, _ := Encode(m.postal, m.address)
		bars := c.Bars()
		if len(bars) != 67 {
			t.Fatalf("%d bars, want 67", len(bars))
		}
		if bars[0] != Long || bars[1] != Down || bars[65] != Down || bars[66] != Long {
			t.Errorf("%s: start or stop code wrong: %v", m.address, bars)
		}
		for i := 1; i < Len-1; i++ {
			var three [3]Bar
			copy(three[:], bars[2+3*(i-1):])
			if got := byBars[three]; got != c[i] {
				t.Errorf("%s: symbol %d reads %s, want %s", m.address, i, got, c[i])
			}
		}
	}
}

func TestSize(t *testing.T) {
	d := Size(10)
	if d.Pitch != 1.2 || d.Width != 0.6 || d.Row != 1.2 {
		t.Errorf("10 pt: %+v", d)
	}
	if got := Size(20); got != Size(11.5) {
		t.Errorf("sizes above 11.5 pt are clamped: %+v", got)
	}
	if l := d.Length(); l < 79 || l > 80 {
		t.Errorf("a 10 pt code is %.1f mm long, want 79.8", l)
	}
}
