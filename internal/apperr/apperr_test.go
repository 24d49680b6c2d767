package apperr

import (
	"errors"
	"fmt"
	"testing"
)

func TestDefineRefusesACodeWithoutAKind(t *testing.T) {
	for name, f := range map[string]func(){
		"no kind":     func() { Define("test_no_kind", 0) },
		"bad kind":    func() { Define("test_bad_kind", kindEnd) },
		"malformed":   func() { Define("Test-Code", KindInvalid) },
		"taken":       func() { Define("slot_taken_twice", KindConflict); Define("slot_taken_twice", KindInvalid) },
		"generic one": func() { Define("invalid", KindInvalid) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("Define did not panic")
				}
			}()
			f()
		})
	}
}

func TestCodesCarryTheirKind(t *testing.T) {
	if c, ok := Lookup("not_found"); !ok || c != NotFound || c.Kind() != KindNotFound {
		t.Fatalf("Lookup(not_found) = %v %v", c, ok)
	}
	err := fmt.Errorf("loading: %w", Wrap(Unavailable, "今は使えません。", errors.New("dial tcp: connection refused")))
	if CodeOf(err) != Unavailable || KindOf(err) != KindUnavailable || !Fault(err) || MessageOf(err) != "今は使えません。" {
		t.Fatalf("code %s kind %s fault %v message %q", CodeOf(err), KindOf(err), Fault(err), MessageOf(err))
	}
	if CodeOf(errors.New("bug")) != Internal || !Fault(errors.New("bug")) || Fault(nil) || Fault(New(Conflict, "x")) {
		t.Fatal("an uncoded error is internal and a fault; a refusal is not")
	}
	if (&Error{Message: "x"}).Code() != Internal {
		t.Fatal("an error without a code is internal")
	}
	if b, _ := Conflict.MarshalText(); string(b) != "conflict" || fmt.Sprintf("%v %q", Conflict, Conflict) != `conflict "conflict"` {
		t.Fatalf("Conflict reads %s", b)
	}
	for _, k := range Kinds() {
		if k.String() == "" || k.String()[0] == 'K' {
			t.Errorf("kind %d has no name", k)
		}
	}
}

func TestFieldsBuildOneInvalidError(t *testing.T) {
	var f Fields
	if f.Err("入力内容を確認してください。") != nil {
		t.Fatal("no problem, no error")
	}
	f.Add("name", "名前を入力してください。")
	f.Addf("people[1]", "%d 人までです。", 5)
	err := f.Err("入力内容を確認してください。")
	fs := FieldsOf(err)
	if CodeOf(err) != Invalid || len(fs) != 2 || fs[1] != (FieldError{"people[1]", "5 人までです。"}) || !f.Has("name") || f.Has("email") {
		t.Fatalf("err %v fields %v", err, fs)
	}
	if e := Field("email", "形式が正しくありません。"); e.Message != "形式が正しくありません。" || e.Fields[0].Field != "email" {
		t.Fatalf("Field: %+v", e)
	}
}
