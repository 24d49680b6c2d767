package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/route"
)

type listFn func(ctx context.Context, p auth.Principal, m auth.Meta, q ledger.ListQuery) (ledger.ItemList, error)

// showList renders one page of a workflow list.
func (p *workflowPages) showList(w http.ResponseWriter, r *http.Request, page, title, path string, fn listFn, v view, res *ledger.BatchResult) {
	pr, _ := route.PrincipalOf(r)
	l, err := fn(r.Context(), pr, route.MetaOf(r), pageQuery(r))
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	data := p.listView(r, path, l)
	data.Result = res
	v.Title, v.Data = title, data
	status := http.StatusOK
	if v.Error != "" && res == nil {
		status = http.StatusUnprocessableEntity
	}
	p.ui.render(w, r, status, page, v)
}

func (p *workflowPages) notices(w http.ResponseWriter, r *http.Request) {
	p.showList(w, r, "notices", "通知書の発送", "/staff/notices", p.wf.NoticeCandidates, view{Notice: doneNotice(r)}, nil)
}

func (p *workflowPages) returns(w http.ResponseWriter, r *http.Request) {
	p.showList(w, r, "returns", "返戻の一覧", "/staff/returns", p.wf.Returns, view{}, nil)
}

func (p *workflowPages) renotices(w http.ResponseWriter, r *http.Request) {
	p.showList(w, r, "renotices", "再通知の対象", "/staff/renotices", p.wf.RenoticesDue, view{Notice: doneNotice(r)}, nil)
}

// doneNotice tells how many cards a batch recorded (after its redirect).
func doneNotice(r *http.Request) string {
	if n := r.URL.Query().Get("done"); n != "" {
		return n + "枚のカードについて記録しました。"
	}
	return ""
}

type batchFn func(ctx context.Context, p auth.Principal, m auth.Meta, ids []int64, date string) (ledger.BatchResult, error)

// batch records a step for the ticked cards. When all went through the
// list is shown again after a redirect; refusals are shown in place, card
// by card, so nothing is lost.
func (p *workflowPages) batch(w http.ResponseWriter, r *http.Request, page, title, path string, list listFn, fn batchFn) {
	pr, _ := route.PrincipalOf(r)
	res, err := fn(r.Context(), pr, route.MetaOf(r), chosenCards(r), r.PostFormValue("date"))
	switch {
	case err != nil:
		p.showList(w, r, page, title, path, list, withError(view{}, err), nil)
	case len(res.Failed) > 0:
		v := view{Error: fmt.Sprintf("%d枚は記録できませんでした（%d枚は記録しました）。", len(res.Failed), len(res.Done))}
		p.showList(w, r, page, title, path, list, v, &res)
	default:
		http.Redirect(w, r, fmt.Sprintf("%s?done=%d", path, len(res.Done)), http.StatusSeeOther)
	}
}

func (p *workflowPages) sendNotices(w http.ResponseWriter, r *http.Request) {
	p.batch(w, r, "notices", "通知書の発送", "/staff/notices", p.wf.NoticeCandidates, p.wf.SendNotices)
}

func (p *workflowPages) sendRenotices(w http.ResponseWriter, r *http.Request) {
	p.batch(w, r, "renotices", "再通知の対象", "/staff/renotices", p.wf.RenoticesDue, p.wf.SendRenotices)
}

// wfDisposals is the disposal page: what is due, what waits for a second
// staff member, and what a hold keeps back.
type wfDisposals struct {
	Due     wfList
	Pending []wfRow
	Held    []wfRow
}

func (p *workflowPages) disposals(w http.ResponseWriter, r *http.Request) {
	pr, _ := route.PrincipalOf(r)
	ctx, m := r.Context(), route.MetaOf(r)
	due, err := p.wf.DisposalsDue(ctx, pr, m, pageQuery(r))
	var pending, held ledger.ItemList
	if err == nil {
		pending, err = p.wf.DisposalsPending(ctx, pr, m, ledger.ListQuery{Limit: ledger.MaxLimit})
	}
	if err == nil {
		held, err = p.wf.DisposalsHeld(ctx, pr, m, ledger.ListQuery{Limit: ledger.MaxLimit})
	}
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	data := wfDisposals{Due: p.listView(r, "/staff/disposals", due), Pending: p.rows(r, pending.Items), Held: p.rows(r, held.Items)}
	p.ui.render(w, r, http.StatusOK, "disposals", view{Title: "廃棄の対象", Data: data})
}

// export downloads a whole due list as CSV for Excel.
func (p *workflowPages) export(list string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		enc, ok := export.ParseEncoding(r.URL.Query().Get("encoding"))
		if !ok {
			enc = export.UTF8
		}
		export.SetHeaders(w.Header(), list+".csv", enc)
		pr, _ := route.PrincipalOf(r)
		if err := p.wf.ExportList(r.Context(), pr, route.MetaOf(r), list, enc, w); err != nil {
			p.ui.ErrorPage(w, r, err)
		}
	}
}

// wfPrint is a list laid out for an A4 printout marked 職員限り with who
// printed it and when: printouts of residents must never reach a resident.
type wfPrint struct {
	List      string
	Heading   string
	Rows      []wfRow
	Total     int
	Today     string
	PrintedBy string
	PrintedAt string
}

// print shows the whole list for the browser's print, recorded as printed.
func (p *workflowPages) print(list string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pr, _ := route.PrincipalOf(r)
		fn, heading := p.wf.PrintDisposals, "廃棄の対象"
		switch list {
		case ledger.ListRenotices:
			fn, heading = p.wf.PrintRenotices, "再通知の対象"
		case ledger.ListReturns:
			fn, heading = p.wf.PrintReturns, "返戻された通知書"
		}
		l, err := fn(r.Context(), pr, route.MetaOf(r))
		if err != nil {
			p.ui.ErrorPage(w, r, err)
			return
		}
		by := pr.Username
		if pr.DisplayName != "" {
			by = pr.DisplayName + "（" + pr.Username + "）"
		}
		data := wfPrint{List: list, Heading: heading, Rows: p.rows(r, l.Items), Total: l.Total, Today: l.Today,
			PrintedBy: by, PrintedAt: p.printedAt()}
		p.ui.render(w, r, http.StatusOK, "workflow_print", view{Title: heading + "（印刷用）", Data: data})
	}
}
