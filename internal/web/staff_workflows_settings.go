package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/route"
)

// wfSettings is the disposal rules form: the stored (or typed) values.
type wfSettings struct {
	ledger.DisposalRules
}

func (p *workflowPages) settingsPage(w http.ResponseWriter, r *http.Request) {
	rules, err := p.wf.Rules(r.Context())
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	v := view{Title: "廃棄の設定", Data: wfSettings{rules}}
	if r.URL.Query().Get("done") == "saved" {
		v.Notice = "設定を保存しました。"
	}
	p.ui.render(w, r, http.StatusOK, "disposal_settings", v)
}

func (p *workflowPages) saveSettings(w http.ResponseWriter, r *http.Request) {
	rules, fields := settingsForm(r)
	var err error
	if len(fields) > 0 {
		err = apperr.WithFields("廃棄の設定に誤りがあります。", fields)
	} else {
		pr, _ := route.PrincipalOf(r)
		err = p.wf.SaveRules(r.Context(), pr, route.MetaOf(r), rules)
	}
	if err != nil {
		p.ui.render(w, r, statusFor(err), "disposal_settings", withError(view{Title: "廃棄の設定", Data: wfSettings{rules}}, err))
		return
	}
	http.Redirect(w, r, "/staff/settings/disposal?done=saved", http.StatusSeeOther)
}

// settingsForm reads the form; a number that is not one is reported on
// its field rather than saved as 0.
func settingsForm(r *http.Request) (ledger.DisposalRules, []apperr.FieldError) {
	rules := ledger.DisposalRules{DisposalFrom: r.PostFormValue("disposal_from")}
	var fields apperr.Fields
	for _, f := range []struct {
		name string
		dst  *int
	}{{"notice_valid_days", &rules.NoticeValidDays}, {"renotice_after_days", &rules.RenoticeAfterDays},
		{"renotice_valid_days", &rules.RenoticeValidDays}, {"disposal_months", &rules.DisposalMonths},
		{"returned_months", &rules.ReturnedMonths}} {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(f.name)))
		if err != nil {
			fields.Add(f.name, "半角の整数で入力してください。")
		}
		*f.dst = n
	}
	return rules, fields
}
