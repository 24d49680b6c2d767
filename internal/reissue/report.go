package reissue

import (
	"context"
	"io"
	"strconv"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/store"
)

// Line is one fee type of the daily report: what was received that day,
// what was voided that day (whatever day it was received) and the net.
type Line struct {
	FeeType               string
	Label                 string
	Count                 int
	CardAmount            int
	CertificateAmount     int
	Amount                int
	VoidCount             int
	VoidCardAmount        int
	VoidCertificateAmount int
	VoidAmount            int
	NetCount              int
	NetCardAmount         int
	NetCertificateAmount  int
	Net                   int
}

func (l *Line) receive(x store.Reissue) {
	l.Count++
	l.CardAmount += x.CardAmount
	l.CertificateAmount += x.CertificateAmount
	l.Amount += x.Amount
}

func (l *Line) void(x store.Reissue) {
	l.VoidCount++
	l.VoidCardAmount += x.CardAmount
	l.VoidCertificateAmount += x.CertificateAmount
	l.VoidAmount += x.Amount
}

func (l *Line) add(o Line) {
	l.Count += o.Count
	l.CardAmount += o.CardAmount
	l.CertificateAmount += o.CertificateAmount
	l.Amount += o.Amount
	l.VoidCount += o.VoidCount
	l.VoidCardAmount += o.VoidCardAmount
	l.VoidCertificateAmount += o.VoidCertificateAmount
	l.VoidAmount += o.VoidAmount
}

func (l *Line) settle() {
	l.NetCount, l.Net = l.Count-l.VoidCount, l.Amount-l.VoidAmount
	l.NetCardAmount, l.NetCertificateAmount = l.CardAmount-l.VoidCardAmount, l.CertificateAmount-l.VoidCertificateAmount
}

// Report is the daily fee report (手数料日計表) of one date. Received holds
// every reissue registered that day, including ones voided later; Voids
// holds every void made that day. So the net of a day is what the cash
// drawer should hold for reissues, and the nets of all days add up to the
// fees of the receipts still valid.
type Report struct {
	Date     string
	Received []store.Reissue
	Voids    []store.Reissue
	Lines    []Line // one per fee type, in FeeTypes order
	Total    Line
}

func buildReport(date string, received, voids []store.Reissue) Report {
	rep := Report{Date: date, Received: received, Voids: voids}
	lines := map[string]*Line{}
	for _, t := range FeeTypes() {
		lines[t] = &Line{FeeType: t, Label: FeeTypeLabel(t)}
	}
	for _, x := range received {
		lines[x.FeeType].receive(x)
	}
	for _, x := range voids {
		lines[x.FeeType].void(x)
	}
	rep.Total.Label = "合計"
	for _, t := range FeeTypes() {
		l := lines[t]
		l.settle()
		rep.Lines = append(rep.Lines, *l)
		rep.Total.add(*l)
	}
	rep.Total.settle()
	return rep
}

// Report returns the daily report of date (YYYY-MM-DD; "" is today) and
// records the read.
func (s *Service) Report(ctx context.Context, p auth.Principal, m auth.Meta, date string) (Report, error) {
	rep, err := s.report(ctx, date)
	if err != nil {
		return rep, err
	}
	return rep, s.logRead(ctx, p, m, "reissue.report_viewed", "reissues", map[string]any{"date": rep.Date})
}

func (s *Service) report(ctx context.Context, date string) (Report, error) {
	if date == "" {
		date = s.Today()
	}
	if !validDate(date) {
		return Report{Date: date}, apperr.WithFields("日付に誤りがあります。",
			[]apperr.FieldError{{Field: "date", Message: "日付は YYYY-MM-DD で入力してください。"}})
	}
	var received, voids []store.Reissue
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		if received, err = tx.Reissues(ctx, store.ReissueFilter{From: date, To: date}); err != nil {
			return err
		}
		voids, err = tx.Reissues(ctx, store.ReissueFilter{VoidedOn: date})
		return err
	})
	return buildReport(date, received, voids), err
}

// reportColumns are the CSV columns. A void row carries negative amounts,
// so each amount column adds up to the day's net.
var reportColumns = []string{"区分", "領収番号", "受付日", "宛名番号", "氏名", "交付通知書番号", "再交付の理由",
	"手数料の区分", "カード分", "電子証明書分", "金額", "無料の理由", "受付職員", "取消日", "取消理由", "取消職員"}

// ExportReport writes the daily report as CSV (detail rows, then one row
// per fee type and the total), with the city's 外字 table applied to names.
// The export is recorded before the first row is written.
func (s *Service) ExportReport(ctx context.Context, p auth.Principal, m auth.Meta, date string, enc export.Encoding, w io.Writer) error {
	rep, err := s.report(ctx, date)
	if err != nil {
		return err
	}
	var table map[rune]string
	if err := s.db.View(ctx, func(tx *store.Tx) (err error) { table, err = tx.GaijiMap(ctx); return err }); err != nil {
		return err
	}
	if err := s.logRead(ctx, p, m, "reissue.report_exported", "reissues", map[string]any{"date": rep.Date, "encoding": enc}); err != nil {
		return err
	}
	out := export.NewWriter(w, enc)
	if err := out.Header(reportColumns); err != nil {
		return err
	}
	for _, row := range reportRows(rep, table) {
		if err := out.Row(row); err != nil {
			return err
		}
	}
	return nil
}

func reportRows(rep Report, table map[rune]string) [][]string {
	var rows [][]string
	for _, x := range rep.Received {
		rows = append(rows, detailRow("受付", x, 1, table))
	}
	for _, x := range rep.Voids {
		rows = append(rows, detailRow("取消", x, -1, table))
	}
	for _, l := range append(rep.Lines, rep.Total) {
		rows = append(rows, []string{"集計（差引 " + strconv.Itoa(l.NetCount) + " 件）", "", rep.Date, "", "", "", "",
			l.Label, strconv.Itoa(l.NetCardAmount), strconv.Itoa(l.NetCertificateAmount), strconv.Itoa(l.Net),
			"", "", "", "", ""})
	}
	return rows
}

func detailRow(kind string, x store.Reissue, sign int, table map[rune]string) []string {
	free := ""
	if !x.Chargeable {
		free = FreeReasonLabel(x.FreeReason)
		if x.FreeDetail != "" {
			free += "（" + x.FreeDetail + "）"
		}
	}
	reason := ReasonLabel(x.Reason)
	if x.ReasonDetail != "" {
		reason += "（" + x.ReasonDetail + "）"
	}
	voidedOn, voidReason, voider := "", "", ""
	if x.Voided {
		voidedOn, voidReason, voider = x.VoidedOn, x.VoidReason, x.Voider
	}
	return []string{kind, x.ReceiptNumber, x.ReceivedOn, x.ResidentNumber, moji.ApplyGaiji(x.Name, table), x.NoticeNumber,
		reason, FeeTypeLabel(x.FeeType), strconv.Itoa(sign * x.CardAmount), strconv.Itoa(sign * x.CertificateAmount),
		strconv.Itoa(sign * x.Amount), free, x.Actor, voidedOn, voidReason, voider}
}
