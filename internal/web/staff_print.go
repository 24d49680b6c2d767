package web

import (
	"net/http"
	"strconv"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
)

// printPages are A4 printouts for the browser's print, each marked 職員限り
// with who printed it and when. The disposal and returned-notice lists
// are printed by the workflow pages (/staff/disposals/print,
// /staff/returns/print); these add the day's issuance list and the
// hand-over slip of one resident.
type printPages struct {
	ui *UI
	wf *ledger.Workflows
}

// RegisterPrint adds the printouts; viewers may print them too.
func (ui *UI) RegisterPrint(rt *route.Router, wf *ledger.Workflows) {
	p := &printPages{ui: ui, wf: wf}
	rt.Handle("GET /staff/print/issued", route.AnyStaff, p.issued)
	rt.Handle("GET /staff/print/handover/{id}", route.AnyStaff, p.handover)
}

// printStamp is who printed a sheet and when, for its 職員限り mark.
type printStamp struct {
	PrintedBy string
	PrintedAt string
}

func (p *printPages) stamp(pr auth.Principal) printStamp {
	by := pr.Username
	if pr.DisplayName != "" {
		by = pr.DisplayName + "（" + pr.Username + "）"
	}
	return printStamp{PrintedBy: by, PrintedAt: p.wf.Today(p.wf.Location()).Format("2006-01-02 15:04")}
}

// issuedRow is a line of the issuance list.
type issuedRow struct {
	store.IssuedCard
	DisplayName string
	IssuedTime  string
}

// printIssuedView is the data of the issuance list.
type printIssuedView struct {
	printStamp
	Date string
	Rows []issuedRow
}

func (p *printPages) issued(w http.ResponseWriter, r *http.Request) {
	pr, _ := route.PrincipalOf(r)
	l, err := p.wf.IssuedOn(r.Context(), pr, route.MetaOf(r), r.URL.Query().Get("date"))
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	m, _ := p.ui.Gaiji.Map(r.Context())
	rows := make([]issuedRow, len(l.Cards))
	for i, c := range l.Cards {
		rows[i] = issuedRow{IssuedCard: c, DisplayName: moji.ApplyGaiji(c.Resident.Name, m),
			IssuedTime: c.IssuedAt.In(p.wf.Location()).Format("15:04")}
	}
	data := printIssuedView{printStamp: p.stamp(pr), Date: l.Date, Rows: rows}
	p.ui.render(w, r, http.StatusOK, "print_issued", view{Title: "交付者一覧", Data: data})
}

// handoverForm is the slip's form number, printed on it so that a filed
// slip can be told from other forms (staff guide, 交付引渡票).
const handoverForm = "様式 KOFU-01"

// printHandoverView is the data of a hand-over slip: one resident only.
type printHandoverView struct {
	printStamp
	ledger.HandoverSlip
	Office      string // the city's office, as the citizen site names it
	Form        string
	DisplayName string
	IssuedAt    string
	Attendance  string // who came, when the card was issued at a booking
	Under15     bool   // on the handover day: a legal representative signs
}

// ReasonLabel names a return reason.
func (printHandoverView) ReasonLabel(reason string) string {
	return ledger.ReturnReason(reason).Label()
}

func (p *printPages) handover(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	pr, _ := route.PrincipalOf(r)
	s, err := p.wf.Slip(r.Context(), pr, route.MetaOf(r), id)
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	m, _ := p.ui.Gaiji.Map(r.Context())
	data := printHandoverView{printStamp: p.stamp(pr), HandoverSlip: s, Office: p.ui.officeName(r), Form: handoverForm,
		DisplayName: moji.ApplyGaiji(s.Card.Resident.Name, m)}
	day := p.wf.Today(p.wf.Location())
	if !s.IssuedAt.IsZero() {
		day = s.IssuedAt.In(p.wf.Location())
		data.IssuedAt = day.Format("2006-01-02 15:04")
	}
	if s.HandedBack != nil && s.HandedBack.Attendance != "" {
		data.Attendance = reserve.Attendance(s.HandedBack.Attendance).Label()
	}
	for _, f := range ledger.Flags(s.Card, day) {
		data.Under15 = data.Under15 || f.Code == ledger.FlagUnder15
	}
	p.ui.render(w, r, http.StatusOK, "print_handover", view{Title: "交付引渡票", Data: data})
}

// officeName is the city's office as the citizen site names it
// (editable text help.office), e.g. 「三田市役所 市民課」.
func (ui *UI) officeName(r *http.Request) string {
	if ui.Texts == nil {
		return ""
	}
	set, err := ui.Texts.Texts(r.Context())
	if err != nil {
		return ""
	}
	name, _ := set.Get("help.office", "ja")
	return name
}
