package paper

import (
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/apperr"
)

func TestDefaultTemplatesAreValid(t *testing.T) {
	for kind, tpl := range DefaultTemplates {
		if err := tpl.Validate(); err != nil {
			t.Errorf("%s: %v", kind, err)
		}
	}
}

func TestTemplateValidateNamesTheField(t *testing.T) {
	for _, c := range []struct {
		t            Template
		field, words string
	}{
		{Template{Title: "案内", Body: "{{氏名}} 様 {{生年月日}}"}, "body", "{{生年月日}}"},
		{Template{Title: "{{name}}", Body: "本文"}, "title", "{{name}}"},
		{Template{Title: "案内", Body: "{{氏名 様"}, "body", "閉じられていません"},
		{Template{Title: "案内", Body: "氏名}} 様"}, "body", "「}}」"},
		{Template{Title: "案内", Body: "𠮷"}, "body", "「𠮷」"},
		{Template{Title: " ", Body: "本文"}, "title", "表題"},
	} {
		err := c.t.Validate()
		if apperr.CodeOf(err) != ErrCode {
			t.Errorf("%+v: %v", c.t, err)
			continue
		}
		fs := apperr.FieldsOf(err)
		if len(fs) == 0 || fs[0].Field != c.field || !strings.Contains(fs[0].Message, c.words) {
			t.Errorf("%+v: fields %+v", c.t, fs)
		}
	}
}
