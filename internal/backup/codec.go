package backup

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// appendRow appends one row as a JSON array and a new line.
func appendRow(b []byte, cols []Column, vals []any) ([]byte, error) {
	b = append(b, '[')
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendValue(b, cols[i].Kind, v); err != nil {
			return b, fmt.Errorf("列 %s: %w", cols[i].Name, err)
		}
	}
	return append(b, ']', '\n'), nil
}

// appendValue writes v, as the driver returned it, in the column's kind.
// SQLite hands back booleans as 0/1 and may hand back text for bytes; both
// engines' values end up in one form.
func appendValue(b []byte, k Kind, v any) ([]byte, error) {
	if v == nil {
		return append(b, "null"...), nil
	}
	switch x := v.(type) {
	case int64:
		switch {
		case k == KindInt:
			return strconv.AppendInt(b, x, 10), nil
		case k == KindBool && (x == 0 || x == 1):
			return strconv.AppendBool(b, x == 1), nil
		case k == KindFloat:
			return strconv.AppendInt(b, x, 10), nil
		}
	case bool:
		if k == KindBool {
			return strconv.AppendBool(b, x), nil
		}
	case float64:
		if k == KindFloat && !math.IsNaN(x) && !math.IsInf(x, 0) {
			return strconv.AppendFloat(b, x, 'g', -1, 64), nil
		}
	case string:
		return appendStringValue(b, k, x)
	case []byte:
		if k == KindBytes {
			return appendBase64(b, x), nil
		}
		return appendStringValue(b, k, string(x))
	}
	return b, fmt.Errorf("値 %T を %s として保存できません", v, k)
}

func appendStringValue(b []byte, k Kind, s string) ([]byte, error) {
	switch k {
	case KindText:
		if !utf8.ValidString(s) {
			return b, fmt.Errorf("UTF-8 として正しくない文字列です")
		}
		return appendJSONString(b, s), nil
	case KindBytes:
		return appendBase64(b, []byte(s)), nil
	}
	return b, fmt.Errorf("文字列を %s として保存できません", k)
}

func appendBase64(b []byte, p []byte) []byte {
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, p)
	return append(b, '"')
}

// appendJSONString quotes valid UTF-8 as a JSON string, escaping only what
// JSON requires, so Japanese text stays as it is (and compresses well).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// decodeRow turns one line back into values ready to bind on either
// engine: int64, float64, string, bool, []byte or nil.
func decodeRow(line []byte, cols []Column) ([]any, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil {
		return nil, err
	}
	if len(raw) != len(cols) {
		return nil, fmt.Errorf("列の数が違います (%d 列、期待値 %d 列)", len(raw), len(cols))
	}
	vals := make([]any, len(cols))
	for i, r := range raw {
		v, err := decodeValue(r, cols[i].Kind)
		if err != nil {
			return nil, fmt.Errorf("列 %s: %w", cols[i].Name, err)
		}
		vals[i] = v
	}
	return vals, nil
}

func decodeValue(r json.RawMessage, k Kind) (any, error) {
	if string(r) == "null" {
		return nil, nil
	}
	switch k {
	case KindInt:
		return strconv.ParseInt(string(r), 10, 64)
	case KindFloat:
		return strconv.ParseFloat(string(r), 64)
	case KindBool:
		switch string(r) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("真偽値ではありません: %s", r)
	case KindText:
		return decodeString(r)
	case KindBytes:
		s, err := decodeString(r)
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.DecodeString(s)
	}
	return nil, fmt.Errorf("不明な型です: %q", k)
}

// decodeString skips encoding/json for the common string without escapes.
func decodeString(r json.RawMessage) (string, error) {
	if len(r) >= 2 && r[0] == '"' && r[len(r)-1] == '"' && bytes.IndexByte(r, '\\') < 0 {
		return string(r[1 : len(r)-1]), nil
	}
	var s string
	err := json.Unmarshal(r, &s)
	return s, err
}
