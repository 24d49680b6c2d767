package notice

import (
	"context"
	"fmt"
	"io"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/paper"
	"github.com/kofu-oss/kofu/internal/postal"
	"github.com/kofu-oss/kofu/internal/store"
)

// QRPath is the short path of the citizen site that opens the booking
// with a notice number filled in: /N/A1B-123456.
const QRPath = "/N/"

// BookingURL is the text of a notice's QR code: the booking site with the
// notice number, scheme and host in upper case so that a plain host packs
// into the QR code's small alphanumeric mode (a path is kept as it is).
func BookingURL(site, notice string) string {
	u, err := url.Parse(strings.TrimRight(site, "/"))
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.ToUpper(u.Scheme+"://"+u.Host) + u.EscapedPath() + QRPath + notice
}

// siteURL is the booking site's address printed on letters.
func (s *Service) siteURL(st Settings) (string, error) {
	site := st.SiteURL
	if site == "" {
		site = s.baseURL
	}
	if BookingURL(site, "A1B-123456") == "" {
		return "", apperr.WithFields("予約サイトの URL が設定されていません。通知書の設定で入力してください。",
			[]apperr.FieldError{{Field: "site_url", Message: "予約サイトの URL を入力してください。"}})
	}
	return strings.TrimRight(site, "/"), nil
}

// printJob is what every rendering of a batch needs.
type printJob struct {
	batch Batch
	st    Settings
	site  string
	gaiji paper.Gaiji
}

// prepare loads a batch for printing and records the print in the audit
// log: a PDF of residents' names is a read of their data, so the entry is
// written before the first page. Printing changes nothing else.
func (s *Service) prepare(ctx context.Context, p auth.Principal, m auth.Meta, id int64, what string) (printJob, error) {
	var j printJob
	var err error
	if j.st, err = s.Settings(ctx); err != nil {
		return j, err
	}
	if j.site, err = s.siteURL(j.st); err != nil {
		return j, err
	}
	table, err := s.gaiji(ctx)
	if err != nil {
		return j, err
	}
	j.gaiji = paper.GaijiTable(table)
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if j.batch, err = batchIn(ctx, tx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "notice_batch."+what, batchTarget(id), map[string]any{"cards": j.batch.Cards})
	})
	return j, err
}

// deadline is the pickup deadline printed on the letters: the settings'
// days after the mailing (or after today, before it is confirmed).
func (j printJob) deadline(today string) string {
	from := j.batch.SentDate
	if from == "" {
		from = today
	}
	d, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return ""
	}
	return Wareki(d.AddDate(0, 0, j.st.DeadlineDays))
}

// Wareki writes a date as a Japanese era date: 令和9年3月31日.
func Wareki(d time.Time) string {
	y, m, day := d.Date()
	if d.Before(time.Date(2019, 5, 1, 0, 0, 0, 0, d.Location())) {
		return fmt.Sprintf("%d年%d月%d日", y, m, day)
	}
	era := strconv.Itoa(y - 2018)
	if y == 2019 {
		era = "元"
	}
	return fmt.Sprintf("令和%s年%d月%d日", era, m, day)
}

// records streams the printable cards of a batch from the database; the
// error, if any, is in *err once the sequence ends.
func (s *Service) records(ctx context.Context, id int64, errp *error) iter.Seq[store.CardRecord] {
	return func(yield func(store.CardRecord) bool) {
		stop := fmt.Errorf("stop")
		err := s.db.View(ctx, func(tx *store.Tx) error {
			return tx.EachNoticeBatchCard(ctx, id, func(rec store.CardRecord) error {
				if !yield(rec) {
					return stop
				}
				return nil
			})
		})
		if err != nil && err != stop {
			*errp = err
		}
	}
}

// Letters writes the batch's letters as a PDF to w, page by page as the
// cards stream from the database: one per resident, or one per address
// listing each person when the city sends one envelope per household.
func (s *Service) Letters(ctx context.Context, p auth.Principal, m auth.Meta, id int64, w io.Writer) (paper.Result, error) {
	j, err := s.prepare(ctx, p, m, id, "letters_printed")
	if err != nil {
		return paper.Result{}, err
	}
	lb := paper.LetterBatch{Layout: j.st.Layout(), Template: j.st.Template(j.batch.Kind), City: j.st.City,
		Contact: j.st.Contact, Deadline: j.deadline(s.today()), Items: j.st.Items, SiteURL: j.site, Gaiji: j.gaiji}
	var readErr error
	res, err := paper.RenderLetters(w, lb, letters(s.records(ctx, id, &readErr), j.site, j.st.Household))
	if err == nil {
		err = readErr
	}
	return res, err
}

// letters turns card records into letters, one per card or, for
// households, one per run of cards at the same address.
func letters(recs iter.Seq[store.CardRecord], site string, household bool) iter.Seq[paper.Letter] {
	return func(yield func(paper.Letter) bool) {
		var cur *paper.Letter
		key := ""
		for rec := range recs {
			r := rec.Resident
			person := paper.Person{Name: r.Name, NoticeNumber: rec.NoticeNumber, BookingURL: BookingURL(site, rec.NoticeNumber)}
			if household && cur != nil && key == householdKey(rec) {
				cur.Persons = append(cur.Persons, person)
				cur.Key += "," + strconv.FormatInt(rec.ID, 10)
				continue
			}
			if cur != nil && !yield(*cur) {
				return
			}
			cur = &paper.Letter{Key: strconv.FormatInt(rec.ID, 10), PostalCode: r.PostalCode, Address: r.Address, Persons: []paper.Person{person}}
			key = householdKey(rec)
		}
		if cur != nil {
			yield(*cur)
		}
	}
}

// Labels writes the batch's address labels as a PDF to w, a sheet at a
// time: one per card, or one per household.
func (s *Service) Labels(ctx context.Context, p auth.Principal, m auth.Meta, id int64, w io.Writer) (paper.Result, error) {
	j, err := s.prepare(ctx, p, m, id, "labels_printed")
	if err != nil {
		return paper.Result{}, err
	}
	var readErr error
	ls := labels(letters(s.records(ctx, id, &readErr), j.site, j.st.Household))
	res, err := paper.RenderLabels(w, j.st.Sheet(), j.gaiji, ls)
	if err == nil {
		err = readErr
	}
	return res, err
}

func labels(ls iter.Seq[paper.Letter]) iter.Seq[paper.Label] {
	return func(yield func(paper.Label) bool) {
		for l := range ls {
			names := make([]string, len(l.Persons))
			for i, p := range l.Persons {
				names[i] = p.Name
			}
			if !yield(paper.Label{Key: l.Key, PostalCode: l.PostalCode, Address: l.Address, Name: strings.Join(names, " 様、")}) {
				return
			}
		}
	}
}

// CSVColumns are the columns of the mail-merge file.
var CSVColumns = []string{"発送分", "カードID", "交付通知書番号", "氏名", "郵便番号", "住所", "カスタマバーコード", "予約URL", "二次元コード", "受取期限", "印刷できない理由"}

// CSV writes the batch for a print shop's mail merge: one row per card,
// names and addresses with the city's 外字 table applied, in UTF-8 with a
// BOM or in CP932 with a column naming the characters CP932 cannot hold.
// A card that cannot be printed as it is has its reason and no address.
func (s *Service) CSV(ctx context.Context, p auth.Principal, m auth.Meta, id int64, enc export.Encoding, w io.Writer) error {
	j, err := s.prepare(ctx, p, m, id, "csv_exported")
	if err != nil {
		return err
	}
	x := export.NewWriter(w, enc)
	if err := x.Header(CSVColumns); err != nil {
		return err
	}
	table, err := s.gaiji(ctx)
	if err != nil {
		return err
	}
	deadline := j.deadline(s.today())
	var readErr error
	for rec := range s.records(ctx, id, &readErr) {
		if err := x.Row(csvRow(j, table, rec, deadline)); err != nil {
			return err
		}
	}
	return readErr
}

func csvRow(j printJob, table map[rune]string, rec store.CardRecord, deadline string) []string {
	r := rec.Resident
	row := []string{strconv.FormatInt(j.batch.ID, 10), strconv.FormatInt(rec.ID, 10), rec.NoticeNumber}
	if reason := paper.CheckAddressee(j.gaiji, r.PostalCode, r.Address, r.Name); reason != "" {
		return append(row, "", "", "", "", "", "", "", reason)
	}
	name, address := moji.ApplyGaiji(r.Name, table), moji.ApplyGaiji(r.Address, table)
	bars := ""
	if c, err := postal.Encode(r.PostalCode, address); err == nil {
		bars = c.String()
	}
	return append(row, name, r.PostalCode, address, bars, j.site, BookingURL(j.site, rec.NoticeNumber), deadline, "")
}

// Preview draws a sample letter of kind from settings as typed (not yet
// saved), with a fictional resident, so the city sees its template on
// paper before saving it.
func (s *Service) Preview(ctx context.Context, st Settings, kind string, w io.Writer) error {
	if err := st.Validate(); err != nil {
		return err
	}
	site, err := s.siteURL(st)
	if err != nil {
		return err
	}
	j := printJob{st: st, site: site}
	lb := paper.LetterBatch{Layout: st.Layout(), Template: st.Template(kind), City: st.City, Contact: st.Contact,
		Deadline: j.deadline(s.today()), Items: st.Items, SiteURL: site}
	persons := []paper.Person{{Name: "見本 太郎", NoticeNumber: "A1B-123456", BookingURL: BookingURL(site, "A1B-123456")}}
	if st.Household {
		persons = append(persons, paper.Person{Name: "見本 花子", NoticeNumber: "A1B-123457", BookingURL: BookingURL(site, "A1B-123457")})
	}
	sample := paper.Letter{Key: "preview", PostalCode: "669-1595", Address: "兵庫県三田市三輪2丁目1番1号", Persons: persons}
	_, err = paper.RenderLetters(w, lb, func(yield func(paper.Letter) bool) { yield(sample) })
	return err
}
