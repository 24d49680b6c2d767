package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/challenge"
	"github.com/kofu-oss/kofu/internal/route"
)

// RegisterChallenge adds the admins' page for the booking form's check
// under load.
func (ui *UI) RegisterChallenge(rt *route.Router) {
	rt.Handle("GET /staff/settings/challenge", route.Admin, ui.challengePage)
	rt.Handle("POST /staff/settings/challenge", route.Admin, ui.saveChallenge)
}

const challengeTitle = "混雑時の確認（予約フォーム）"

func (ui *UI) challengePage(w http.ResponseWriter, r *http.Request) {
	st, err := ui.Challenge.Settings(r.Context())
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	v := view{Title: challengeTitle, Data: st}
	if r.URL.Query().Get("done") == "saved" {
		v.Notice = "設定を保存しました。"
	}
	ui.render(w, r, http.StatusOK, "challenge", v)
}

func (ui *UI) saveChallenge(w http.ResponseWriter, r *http.Request) {
	st := challenge.Settings{Mode: r.PostFormValue("mode")}
	var fields apperr.Fields
	for _, f := range []struct {
		name string
		dst  *int
	}{{"submits_per_minute", &st.SubmitsPerMinute}, {"pressure_percent", &st.PressurePercent}, {"bits", &st.Bits}, {"wait_seconds", &st.WaitSeconds}} {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(f.name)))
		if err != nil {
			fields.Add(f.name, "半角の整数で入力してください。")
		}
		*f.dst = n
	}
	var err error
	if len(fields) > 0 {
		err = apperr.WithFields("混雑時の確認の設定に誤りがあります。", fields)
	} else {
		pr, _ := route.PrincipalOf(r)
		_, err = ui.Challenge.Save(r.Context(), pr, route.MetaOf(r), st)
	}
	if err != nil {
		ui.render(w, r, statusFor(err), "challenge", withError(view{Title: challengeTitle, Data: st}, err))
		return
	}
	http.Redirect(w, r, "/staff/settings/challenge?done=saved", http.StatusSeeOther)
}
