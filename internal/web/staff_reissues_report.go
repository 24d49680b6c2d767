package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/reissue"
	"github.com/kofu-oss/kofu/internal/route"
)

// reportLine is a line of the daily report with its amounts in yen.
type reportLine struct {
	reissue.Line
	CardYen, CertificateYen, AmountYen, VoidYen, NetYen string
}

func reportLineOf(l reissue.Line) reportLine {
	return reportLine{Line: l, CardYen: reissue.Yen(l.CardAmount), CertificateYen: reissue.Yen(l.CertificateAmount),
		AmountYen: reissue.Yen(l.Amount), VoidYen: reissue.Yen(-l.VoidAmount), NetYen: reissue.Yen(l.Net)}
}

type reissueReportView struct {
	Date     string
	Received []reissueRow
	Voids    []reissueRow
	Lines    []reportLine
	Total    reportLine
}

func (p reissuePages) report(w http.ResponseWriter, r *http.Request) {
	date := r.URL.Query().Get("date")
	pr, _ := route.PrincipalOf(r)
	rep, err := p.svc.Report(r.Context(), pr, route.MetaOf(r), date)
	v := reissueReportView{Date: rep.Date}
	if err != nil {
		p.ui.render(w, r, statusFor(err), "reissue_report", withError(view{Title: "手数料日計表", Data: v}, err))
		return
	}
	v.Received, v.Voids = p.ui.reissueRows(r, rep.Received), p.ui.reissueRows(r, rep.Voids)
	for _, l := range rep.Lines {
		v.Lines = append(v.Lines, reportLineOf(l))
	}
	v.Total = reportLineOf(rep.Total)
	p.ui.render(w, r, http.StatusOK, "reissue_report", view{Title: "手数料日計表 " + rep.Date, Data: v})
}

// reportCSV downloads the daily report for Excel (UTF-8 with BOM, or
// Shift_JIS with encoding=cp932).
func (p reissuePages) reportCSV(w http.ResponseWriter, r *http.Request) {
	enc, ok := export.ParseEncoding(r.URL.Query().Get("encoding"))
	if !ok {
		enc = export.UTF8
	}
	date := r.URL.Query().Get("date")
	if date == "" {
		date = p.svc.Today()
	}
	export.SetHeaders(w.Header(), "reissue-fees-"+date+".csv", enc)
	pr, _ := route.PrincipalOf(r)
	if err := p.svc.ExportReport(r.Context(), pr, route.MetaOf(r), date, enc, w); err != nil {
		w.Header().Del("Content-Disposition")
		p.ui.ErrorPage(w, r, err)
	}
}

type feeSettingsView struct{ reissue.Fees }

func (p reissuePages) settings(w http.ResponseWriter, r *http.Request) {
	f, err := p.svc.Fees(r.Context())
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	v := view{Title: "再交付手数料の設定", Data: feeSettingsView{f}}
	if r.URL.Query().Get("done") == "saved" {
		v.Notice = "設定を保存しました。これから登録する再交付に適用されます（登録済みの領収は変わりません）。"
	}
	p.ui.render(w, r, http.StatusOK, "reissue_fees", v)
}

func (p reissuePages) saveSettings(w http.ResponseWriter, r *http.Request) {
	f, fields := feeForm(r)
	var err error
	if len(fields) > 0 {
		err = apperr.WithFields("手数料の設定に誤りがあります。", fields)
	} else {
		pr, _ := route.PrincipalOf(r)
		err = p.svc.SaveFees(r.Context(), pr, route.MetaOf(r), f)
	}
	if err != nil {
		p.ui.render(w, r, statusFor(err), "reissue_fees", withError(view{Title: "再交付手数料の設定", Data: feeSettingsView{f}}, err))
		return
	}
	http.Redirect(w, r, "/staff/settings/reissue-fees?done=saved", http.StatusSeeOther)
}

// feeForm reads the amounts; one that is not a whole number is reported
// on its field rather than saved as 0 (which would be a valid fee).
func feeForm(r *http.Request) (reissue.Fees, []apperr.FieldError) {
	var f reissue.Fees
	var fields apperr.Fields
	for _, a := range []struct {
		name string
		dst  *int
	}{{"card", &f.Card}, {"certificate", &f.Certificate}, {"fast_track", &f.FastTrack},
		{"fast_track_without_certificate", &f.FastTrackNoCert}} {
		v := strings.NewReplacer(",", "", "，", "", "円", "", "¥", "").Replace(strings.TrimSpace(r.PostFormValue(a.name)))
		n, err := strconv.Atoi(v)
		if err != nil {
			fields.Add(a.name, "半角の整数（円）で入力してください。")
		}
		*a.dst = n
	}
	return f, fields
}
