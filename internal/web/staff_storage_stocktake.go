package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/scan"
	"github.com/kofu-oss/kofu/internal/storage"
	"github.com/kofu-oss/kofu/internal/store"
)

func (p storagePages) registerStocktakes(rt *route.Router) {
	rt.Handle("POST /staff/storage/stocktakes", route.Staff, p.startStocktake)
	rt.Handle("GET /staff/storage/stocktakes/{id}", route.AnyStaff, p.stocktake)
	rt.Handle("POST /staff/storage/stocktakes/{id}/scan", route.Staff, p.stocktakeScan)
	rt.Handle("POST /staff/storage/stocktakes/{id}/close", route.Staff, p.closeStocktake)
	rt.Handle("GET /staff/storage/stocktakes/{id}/report", route.AnyStaff, p.stocktakeReport)
	rt.Handle("GET /staff/storage/stocktakes/{id}/report.csv", route.AnyStaff, p.stocktakeCSV)
}

func storageStocktakeID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "棚卸が見つかりません。")
	}
	return id, nil
}

func storageStocktakeURL(id int64) string {
	return "/staff/storage/stocktakes/" + strconv.FormatInt(id, 10)
}

func (p storagePages) startStocktake(w http.ResponseWriter, r *http.Request) {
	place, _ := strconv.ParseInt(r.PostFormValue("place_id"), 10, 64)
	pr, _ := route.PrincipalOf(r)
	st, _, err := p.svc.StartStocktake(r.Context(), pr, route.MetaOf(r), place)
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	http.Redirect(w, r, storageStocktakeURL(st.ID), http.StatusSeeOther)
}

type stocktakeView struct {
	Stocktake store.Stocktake
	Open      bool
	IsStaff   bool
	Last      *scanResult
	Log       []scanResult
}

func (p storagePages) stocktake(w http.ResponseWriter, r *http.Request) {
	notice := map[string]string{"closed": "棚卸を終了しました。"}[r.URL.Query().Get("done")]
	p.renderStocktake(w, r, view{Notice: notice}, nil, nil)
}

func (p storagePages) renderStocktake(w http.ResponseWriter, r *http.Request, v view, last *scanResult, log []scanResult) {
	id, err := storageStocktakeID(r)
	var st store.Stocktake
	if err == nil {
		st, err = p.svc.Stocktake(r.Context(), id)
	}
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	data := stocktakeView{Stocktake: st, Open: st.Status == store.StocktakeOpen, Last: last, Log: log}
	data.IsStaff, _ = storageRoles(r)
	v.Title, v.Data = "棚卸 "+st.PlacePath, data
	p.ui.render(w, r, http.StatusOK, "storage_stocktake", v)
}

// stocktakeScan records one scan and shows the session again with the
// scan field focused; an unreadable or unknown number is a line of the
// log, never the end of the session.
func (p storagePages) stocktakeScan(w http.ResponseWriter, r *http.Request) {
	id, err := storageStocktakeID(r)
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	pr, _ := route.PrincipalOf(r)
	raw := r.PostFormValue("code")
	res, err := p.svc.Scan(r.Context(), pr, route.MetaOf(r), id, raw)
	line := stocktakeScanLine(raw, res, err)
	log := append([]scanResult{line}, parseLog(r.PostForm["log"])...)
	if len(log) > scanLogSize {
		log = log[:scanLogSize]
	}
	p.renderStocktake(w, r, view{}, &line, log)
}

func stocktakeScanLine(raw string, res storage.ScanResult, err error) scanResult {
	if err != nil {
		return scanResult{Text: strings.TrimSpace(scan.NoticeNumber(raw) + " " + apperr.MessageOf(err))}
	}
	text := res.Notice + " " + storage.FindingLabel(res.Outcome)
	switch res.Outcome {
	case storage.FindingMisplaced:
		text += "：台帳の保管場所は「" + storageOrNone(res.Location) + "」です。"
	case storage.FindingNotOnHand:
		text += "：台帳の状態は「" + res.Status.Label() + "」です。"
	}
	return scanResult{OK: res.Outcome == storage.ScanOK || res.Outcome == storage.ScanDuplicate, Text: text}
}

func storageOrNone(s string) string {
	if s == "" {
		return "未設定"
	}
	return s
}

func (p storagePages) closeStocktake(w http.ResponseWriter, r *http.Request) {
	id, err := storageStocktakeID(r)
	if err == nil {
		pr, _ := route.PrincipalOf(r)
		err = p.svc.CloseStocktake(r.Context(), pr, route.MetaOf(r), id)
	}
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	http.Redirect(w, r, storageStocktakeURL(id)+"/report", http.StatusSeeOther)
}

// stocktakeFindingRow is a finding with the city's 外字 table applied to the name.
type stocktakeFindingRow struct {
	storage.Finding
	Label       string
	DisplayName string
}

type stocktakeReportView struct {
	Report   storage.Report
	Findings []stocktakeFindingRow
	Open     bool
}

func (p storagePages) stocktakeReport(w http.ResponseWriter, r *http.Request) {
	id, err := storageStocktakeID(r)
	var rep storage.Report
	if err == nil {
		pr, _ := route.PrincipalOf(r)
		rep, err = p.svc.Report(r.Context(), pr, route.MetaOf(r), id)
	}
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	table, _ := p.ui.Gaiji.Map(r.Context())
	rows := make([]stocktakeFindingRow, len(rep.Findings))
	for i, f := range rep.Findings {
		rows[i] = stocktakeFindingRow{Finding: f, Label: storage.FindingLabel(f.Kind), DisplayName: moji.ApplyGaiji(f.Name, table)}
	}
	data := stocktakeReportView{Report: rep, Findings: rows, Open: rep.Stocktake.Status == store.StocktakeOpen}
	p.ui.render(w, r, http.StatusOK, "storage_report", view{Title: "棚卸の結果 " + rep.Stocktake.PlacePath, Data: data})
}

func (p storagePages) stocktakeCSV(w http.ResponseWriter, r *http.Request) {
	id, err := storageStocktakeID(r)
	if err == nil {
		_, err = p.svc.Stocktake(r.Context(), id)
	}
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	enc, ok := export.ParseEncoding(r.URL.Query().Get("encoding"))
	if !ok {
		enc = export.UTF8
	}
	export.SetHeaders(w.Header(), "stocktake-"+strconv.FormatInt(id, 10)+".csv", enc)
	pr, _ := route.PrincipalOf(r)
	if err := p.svc.ExportReport(r.Context(), pr, route.MetaOf(r), id, enc, w); err != nil {
		p.ui.ErrorPage(w, r, err)
	}
}
