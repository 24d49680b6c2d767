package web

import (
	"net/http"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/scan"
)

// scanLogSize bounds the results a scan batch carries from page to page.
const scanLogSize = 50

// scanActions are what a batch of scans can do to each card.
var scanActions = []struct{ Value, Label string }{
	{string(card.StatusSetupDone), "交付前設定済にする"},
	{string(card.StatusNoticeSent), "通知書発送済にする"},
	{string(card.StatusDefective), "不良にする"},
	{string(card.StatusReturnedToJLIS), "J-LIS返送にする"},
	{"storage", "保管場所を設定する"},
	{"view", "確認のみ（変更しない）"},
}

func (ui *UI) registerScanMode(rt *route.Router) {
	rt.Handle("GET /staff/scan-mode", route.Staff, ui.scanModePage)
	rt.Handle("POST /staff/scan-mode", route.Staff, ui.scanModeScan)
}

// scanResult is one line of a batch; it travels in hidden fields, so the
// batch needs no server-side state.
type scanResult struct {
	OK   bool
	Text string
}

type scanModeView struct {
	Actions  []struct{ Value, Label string }
	Action   string
	Location string
	Last     *scanResult
	Log      []scanResult
}

func (ui *UI) scanModePage(w http.ResponseWriter, r *http.Request) {
	v := scanModeView{Actions: scanActions, Action: r.URL.Query().Get("action")}
	ui.render(w, r, http.StatusOK, "scan_mode", view{Title: "連続スキャン", Data: v})
}

func (ui *UI) scanModeScan(w http.ResponseWriter, r *http.Request) {
	v := scanModeView{Actions: scanActions, Action: r.PostFormValue("action"), Location: r.PostFormValue("location")}
	res := ui.applyScan(r, v.Action, v.Location, r.PostFormValue("code"))
	v.Last = &res
	v.Log = append([]scanResult{res}, parseLog(r.PostForm["log"])...)
	if len(v.Log) > scanLogSize {
		v.Log = v.Log[:scanLogSize]
	}
	ui.render(w, r, http.StatusOK, "scan_mode", view{Title: "連続スキャン", Data: v})
}

// applyScan carries out the action on the scanned card and describes the
// outcome; an error becomes a result line, never the end of the batch.
func (ui *UI) applyScan(r *http.Request, action, location, raw string) scanResult {
	code := scan.NoticeNumber(raw)
	if code == "" {
		return scanResult{Text: "読み取れませんでした: " + strings.TrimSpace(raw)}
	}
	p, _ := route.PrincipalOf(r)
	m := route.MetaOf(r)
	found, err := ui.Ledger.Search(r.Context(), p, m, ledger.Query{NoticeNumber: code})
	if err == nil && len(found.Cards) == 0 {
		err = apperr.New(apperr.NotFound, "台帳にありません")
	}
	if err != nil {
		return scanResult{Text: code + " " + apperr.MessageOf(err)}
	}
	c := found.Cards[0]
	table, _ := ui.Gaiji.Map(r.Context())
	who := code + " " + moji.ApplyGaiji(c.Resident.Name, table)
	var d ledger.Detail
	switch action {
	case "view":
		d, err = ui.Ledger.Get(r.Context(), p, m, c.ID)
	case "storage":
		d, err = ui.Ledger.SetStorageLocation(r.Context(), p, m, c.ID, 0, location)
	default:
		d, err = ui.Ledger.Transition(r.Context(), p, m, c.ID, card.Status(action), "連続スキャン", "")
	}
	if err != nil {
		return scanResult{Text: who + ": " + apperr.MessageOf(err)}
	}
	return scanResult{OK: true, Text: who + ": " + d.Card.Status.Label() + " " + d.Card.StorageLocation}
}

// parseLog reads the carried results ("1|text" or "0|text").
func parseLog(lines []string) []scanResult {
	out := make([]scanResult, 0, len(lines))
	for _, l := range lines {
		ok, text, found := strings.Cut(l, "|")
		if found {
			out = append(out, scanResult{OK: ok == "1", Text: text})
		}
	}
	return out
}
