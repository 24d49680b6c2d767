package backup

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestRowsRoundTripEveryKind(t *testing.T) {
	cols := []Column{{"i", KindInt}, {"f", KindFloat}, {"s", KindText}, {"b", KindBool}, {"x", KindBytes}, {"n", KindText}}
	var control strings.Builder
	for c := range rune(0x20) {
		control.WriteRune(c)
	}
	rows := [][]any{
		{int64(math.MaxInt64), 0.1, "見本\u3000太郎 😀 \ue000 葛\U000E0100", true, []byte{0, 1, 0xff}, nil},
		{int64(math.MinInt64), -1e300, control.String() + `"\/` + "\u2028", false, []byte{}, "x"},
		{nil, nil, "", nil, nil, nil},
	}
	for _, want := range rows {
		line, err := appendRow(nil, cols, want)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(line) || line[len(line)-1] != '\n' || strings.Count(string(line), "\n") != 1 {
			t.Fatalf("not one JSON line: %q", line)
		}
		got, err := decodeRow(line, cols)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %#v\nwant %#v", got, want)
		}
	}
}

func TestDriverValuesBecomeTheColumnsKind(t *testing.T) {
	cases := []struct {
		kind Kind
		in   any
		want string
	}{
		{KindBool, int64(1), "true"}, // SQLite's booleans
		{KindBool, int64(0), "false"},
		{KindBool, true, "true"},
		{KindBytes, "abc", `"YWJj"`}, // SQLite may return text from a BLOB column
		{KindText, []byte("abc"), `"abc"`},
		{KindFloat, int64(3), "3"},
	}
	for _, c := range cases {
		got, err := appendValue(nil, c.kind, c.in)
		if err != nil || string(got) != c.want {
			t.Errorf("%s %#v: %s, %v", c.kind, c.in, got, err)
		}
	}
	refused := []struct {
		kind Kind
		in   any
	}{{KindBool, int64(2)}, {KindInt, "12"}, {KindInt, 1.5}, {KindText, "\xff"}, {KindFloat, math.NaN()}, {KindFloat, math.Inf(1)}}
	for _, c := range refused {
		if _, err := appendValue(nil, c.kind, c.in); err == nil {
			t.Errorf("%s %#v accepted", c.kind, c.in)
		}
	}
}

func TestDecodeRefusesMalformedRows(t *testing.T) {
	cols := []Column{{"i", KindInt}, {"b", KindBool}}
	for _, line := range []string{`[1]`, `[1,true,3]`, `["1",true]`, `[1,1]`, `[1.5,true]`, `{"i":1}`, `[1,true`} {
		if _, err := decodeRow([]byte(line), cols); err == nil {
			t.Errorf("%s accepted", line)
		}
	}
}

func TestKindsOfBothEnginesTypes(t *testing.T) {
	for typ, want := range map[string]Kind{
		"INTEGER": KindInt, "BIGINT": KindInt, "bigint": KindInt, "integer": KindInt, "smallint": KindInt,
		"TEXT": KindText, "text": KindText, "character varying": KindText, "BOOLEAN": KindBool, "boolean": KindBool,
		"BLOB": KindBytes, "bytea": KindBytes, "REAL": KindFloat, "double precision": KindFloat,
	} {
		if got, err := kindOf(typ); err != nil || got != want {
			t.Errorf("%s: %s, %v", typ, got, err)
		}
	}
	for _, typ := range []string{"", "NUMERIC", "timestamp with time zone", "jsonb", "DATE"} {
		if _, err := kindOf(typ); err == nil {
			t.Errorf("%q accepted: a new type must be handled on purpose", typ)
		}
	}
}

func TestTablesComeAfterTheTablesTheyReference(t *testing.T) {
	c := catalog{
		columns: map[string][]Column{"cards": nil, "applications": nil, "residents": nil, "card_events": nil, "users": nil},
		parents: map[string][]string{"cards": {"applications"}, "applications": {"residents"}, "card_events": {"cards", "external"}},
	}
	got, err := c.order()
	want := []string{"residents", "users", "applications", "cards", "card_events"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("order %v, %v", got, err)
	}
	c.parents["residents"] = []string{"card_events"}
	if _, err := c.order(); err == nil {
		t.Error("a cycle was ordered")
	}
}
