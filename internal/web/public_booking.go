package web

import (
	"net/http"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/calendar"
	"github.com/kofu-oss/kofu/internal/challenge"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/route"
)

// receiptCookie carries the new booking's code and manage token from the
// confirm step to the done page (POST, redirect, GET).
const receiptCookie = "kofu_booking_done"

func (s *pubSite) registerBooking(rt *route.Router) {
	rt.Handle("GET /booking/start", route.Public, s.start)
	rt.Handle("POST /booking/identify", route.Public, s.stepHandler((*pubStep).identify))
	rt.Handle("POST /booking/place", route.Public, s.stepHandler((*pubStep).place))
	rt.Handle("POST /booking/date", route.Public, s.stepHandler((*pubStep).pickDate))
	rt.Handle("POST /booking/time", route.Public, s.stepHandler((*pubStep).pickTime))
	rt.Handle("POST /booking/questions", route.Public, s.stepHandler((*pubStep).questions))
	rt.Handle("POST /booking/checklist", route.Public, s.stepHandler((*pubStep).pubChecklist))
	rt.Handle("POST /booking/contact", route.Public, s.stepHandler((*pubStep).contact))
	rt.Handle("POST /booking/confirm", route.Public, s.stepHandler((*pubStep).confirm))
	rt.Handle("GET /booking/done", route.Public, s.done)
	rt.Handle("GET /booking/qr", route.Public, s.qr)
}

// start shows the service choice, or the first step of the service given
// in ?service=.
func (s *pubSite) start(w http.ResponseWriter, r *http.Request) {
	st, err := s.ui.Reserve.PublicSettings(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, ok := st.Service(r.URL.Query().Get("service")); !ok {
		v := s.viewWith(r, "start.title", st)
		v.Data = pubTopData{Services: st.Services}
		s.renderShared(w, r, servicesKey(st.Services), "start", v)
		return
	}
	c := &pubStep{s: s, w: w, r: r, v: s.viewWith(r, "site.name", st), at: s.now(), f: pubFlow{Service: r.URL.Query().Get("service")}}
	if c.key, err = s.keys.get(r.Context()); err == nil {
		err = c.load()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c.identifyPage(http.StatusOK, []pubPersonRow{{Notice: prefilledNotice(r)}})
}

// pubPersonRow is one person's fields on the first step, as typed.
type pubPersonRow struct {
	I                     int
	Notice, Name, Kana    string
	Year, Month, Day      int
	NoticeID, BirthID     string
	NameID, KanaID, Label string
}

// pubYearOption is one year of the birth-date select: "1970（昭和45）".
type pubYearOption struct {
	Year  int
	Label string
}

type pubIdentifyData struct {
	Card    bool
	Service string
	People  []pubPersonRow
	CanAdd  bool
	Max     int
	Years   []pubYearOption
	Months  []int
	Days    []int
	// Challenge is the proof of work asked for past a number's attempts.
	Challenge *challenge.Offer
}

func (c *pubStep) identifyPage(status int, rows []pubPersonRow) {
	for i := range rows {
		rows[i].I = i
		rows[i].NoticeID, rows[i].BirthID = "notice"+strconv.Itoa(i), "by"+strconv.Itoa(i)
		rows[i].NameID, rows[i].KanaID = "name"+strconv.Itoa(i), "kana"+strconv.Itoa(i)
		rows[i].Label = c.v.T("person.n", i+1)
	}
	d := pubIdentifyData{Card: c.svc.RequiresCard, Service: c.svc.Name, People: rows,
		CanAdd: len(rows) < c.st.MaxPeoplePerBooking, Max: c.st.MaxPeoplePerBooking, Years: c.years(),
		Challenge: c.offer}
	d.Months, d.Days = pubDayNumbers()
	c.show(status, "identify", "identify.title", d)
}

// years lists birth years from this year back 120 years, with the era.
func (c *pubStep) years() []pubYearOption { return pubYears(c.v, c.at.In(c.loc).Year()) }

// pubYears lists the years of a birth-date select, from this year back.
func pubYears(v pview, this int) []pubYearOption {
	out := make([]pubYearOption, 0, 121)
	for y := this; y >= this-120; y-- {
		out = append(out, pubYearOption{Year: y, Label: v.T("year.option", y, pubEraYear(v.Lang, y))})
	}
	return out
}

// pubDayNumbers are the months and days of a birth-date select.
func pubDayNumbers() (months, days []int) {
	for i := 1; i <= 31; i++ {
		if i <= 12 {
			months = append(months, i)
		}
		days = append(days, i)
	}
	return months, days
}

// rows reads the people typed on the first step.
func (c *pubStep) rows() []pubPersonRow {
	n, _ := strconv.Atoi(c.r.PostFormValue("n"))
	n = max(1, min(n, c.st.MaxPeoplePerBooking))
	rows := make([]pubPersonRow, n)
	for i := range rows {
		k := strconv.Itoa(i)
		rows[i] = pubPersonRow{Notice: c.r.PostFormValue("notice" + k), Name: c.r.PostFormValue("name" + k),
			Kana: c.r.PostFormValue("kana" + k)}
		rows[i].Year, _ = strconv.Atoi(c.r.PostFormValue("by" + k))
		rows[i].Month, _ = strconv.Atoi(c.r.PostFormValue("bm" + k))
		rows[i].Day, _ = strconv.Atoi(c.r.PostFormValue("bd" + k))
	}
	return rows
}

// pubRowsOf turns the checked people back into form rows (a "back" button).
func pubRowsOf(people []pubFlowPerson) []pubPersonRow {
	rows := make([]pubPersonRow, 0, len(people))
	for _, p := range people {
		row := pubPersonRow{Notice: p.Notice, Name: p.Name, Kana: p.Kana}
		if d, err := calendar.ParseDate(p.Birth); err == nil {
			row.Year, row.Month, row.Day = d.Year, int(d.Month), d.Day
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		rows = append(rows, pubPersonRow{})
	}
	return rows
}

func (c *pubStep) identify() {
	rows := c.rows()
	if c.r.PostFormValue("show") != "" && c.r.PostFormValue("n") == "" {
		rows = pubRowsOf(c.f.People)
	}
	switch {
	case c.r.PostFormValue("add") != "":
		if len(rows) < c.st.MaxPeoplePerBooking {
			rows = append(rows, pubPersonRow{})
		}
		c.identifyPage(http.StatusOK, rows)
		return
	case c.r.PostFormValue("remove") != "":
		if i, err := strconv.Atoi(c.r.PostFormValue("remove")); err == nil && i > 0 && i < len(rows) {
			rows = append(rows[:i], rows[i+1:]...)
		}
		c.identifyPage(http.StatusOK, rows)
		return
	case c.redisplay():
		c.identifyPage(http.StatusOK, rows)
		return
	}
	people := c.checkRows(rows)
	if len(c.v.Errors) > 0 {
		c.identifyPage(http.StatusUnprocessableEntity, rows)
		return
	}
	if !c.checkIdentity(people, rows) {
		return
	}
	c.setPeople(people)
}

// checkIdentity asks the engine, on this page rather than after the last
// one, whether the people are known with these birth dates and can be
// booked, with the limits the booking has. Past a number's attempts it
// asks for a proof of work bound to the typed values (as the manage form
// does), so that a guesser cannot lock the resident out. It shows the
// page again and answers false when something is wrong.
func (c *pubStep) checkIdentity(people []pubFlowPerson, rows []pubPersonRow) bool {
	ip := route.MetaOf(c.r).IP
	bind := challenge.Bind(people)
	proved := false
	if sealed := c.r.PostFormValue("pow"); sealed != "" && c.s.ui.Challenge != nil {
		ok, offer, err := c.s.ui.Challenge.Gate(c.r.Context(), ip, sealed, c.r.PostFormValue("pow_n"), bind)
		if err != nil {
			if offer == nil { // the challenge could not be checked
				c.s.fail(c.w, c.r, err)
				return false
			}
			c.v.Errors = append(c.v.Errors, pubError{Message: c.s.challengeText(c.v, err, offer)})
			c.offer = offer
			c.identifyPage(http.StatusTooManyRequests, rows)
			return false
		}
		proved = ok
	}
	req := reserve.IdentifyRequest{Service: c.f.Service, Proved: proved}
	for _, p := range people {
		req.People = append(req.People, reserve.PersonInput{NoticeNumber: p.Notice, Name: p.Name, NameKana: p.Kana, BirthDate: p.Birth})
	}
	err := c.s.ui.Reserve.Identify(c.r.Context(), route.MetaOf(c.r), req)
	switch {
	case err == nil:
		return true
	case pubProvable(err) && c.s.ui.Challenge != nil:
		c.addError("", "err.challenge_notice")
		c.offer = c.s.ui.Challenge.Require(c.r.Context(), ip, bind)
		c.identifyPage(http.StatusTooManyRequests, rows)
	case statusFor(err) >= http.StatusInternalServerError:
		c.s.fail(c.w, c.r, err)
	default:
		c.problem(err)
		c.linkPeopleErrors(err)
		c.identifyPage(statusFor(err), rows)
	}
	return false
}

// setPeople keeps the checked people and goes on: straight back to the
// confirm page when only the people's details were corrected there.
func (c *pubStep) setPeople(people []pubFlowPerson) {
	if len(people) != len(c.f.People) {
		c.releaseHold()
		c.f.Answers = nil
	}
	c.f.People = people
	if c.f.Hold != "" && c.f.hasContact() && len(c.f.Answers) == len(people) {
		c.confirmPage(http.StatusOK)
		return
	}
	places := c.offeredPlaces()
	if len(places) == 1 {
		c.f.Place = places[0].ID
		c.datePage(http.StatusOK)
		return
	}
	c.placePage(http.StatusOK)
}

// checkRows checks the typed people, adding an error for each problem.
func (c *pubStep) checkRows(rows []pubPersonRow) []pubFlowPerson {
	out := make([]pubFlowPerson, len(rows))
	seen := map[string]bool{}
	for i, row := range rows {
		k := strconv.Itoa(i)
		label := c.v.T("person.n", i+1)
		// In the order of the fields, so that the summary reads as the form.
		var p pubFlowPerson
		if c.svc.RequiresCard {
			p.Notice = c.checkNotice(row.Notice, k, label)
			if p.Notice != "" && seen[p.Notice] {
				c.addError("notice"+k, "err.duplicate", label)
			}
			seen[p.Notice] = true
		} else {
			p.Name = c.required(row.Name, "name"+k, "err.name_required", label)
			p.Kana = c.required(row.Kana, "kana"+k, "err.kana_required", label)
		}
		p.Birth = c.checkBirth(row, k, label)
		out[i] = p
	}
	return out
}

func (c *pubStep) checkNotice(v, k, label string) string {
	if strings.TrimSpace(v) == "" {
		c.addError("notice"+k, "err.notice_required", label)
		return ""
	}
	n, err := ledger.NormalizeNoticeNumber(v)
	if err != nil {
		c.addError("notice"+k, "err.notice_format", label)
	}
	return n
}

func (c *pubStep) checkBirth(row pubPersonRow, k, label string) string {
	if row.Year == 0 || row.Month == 0 || row.Day == 0 {
		c.addError("by"+k, "err.birth_required", label)
		return ""
	}
	d := calendar.NewDate(row.Year, time.Month(row.Month), row.Day)
	if d.Year != row.Year || int(d.Month) != row.Month || d.Day != row.Day || d.After(calendar.DateOf(c.at.In(c.loc))) {
		c.addError("by"+k, "err.birth_invalid", label)
		return ""
	}
	return d.String()
}

func (c *pubStep) required(v, id, key, label string) string {
	s := strings.TrimSpace(norm.NFC.String(v))
	if s == "" {
		c.addError(id, key, label)
	}
	return s
}

type pubPlaceData struct {
	Places []pubPlaceOption
}

type pubPlaceOption struct {
	ID, Name string
	Checked  bool
}

func (c *pubStep) placePage(status int) {
	var d pubPlaceData
	for _, p := range c.offeredPlaces() {
		d.Places = append(d.Places, pubPlaceOption{ID: p.ID, Name: p.Name, Checked: p.ID == c.f.Place})
	}
	c.show(status, "place", "place.title", d)
}

func (c *pubStep) place() {
	if c.redisplay() {
		c.placePage(http.StatusOK)
		return
	}
	id := c.r.PostFormValue("place")
	for _, p := range c.offeredPlaces() {
		if p.ID == id {
			if c.f.Place != id {
				c.releaseHold()
			}
			c.f.Place = id
			c.datePage(http.StatusOK)
			return
		}
	}
	c.addError("place0", "err.place_required")
	c.placePage(http.StatusUnprocessableEntity)
}

// releaseHold gives the flow's hold back (another time is being chosen).
func (c *pubStep) releaseHold() {
	if c.f.Hold != "" {
		// A failure only means the hold expires on its own a little later.
		_ = c.s.ui.Reserve.ReleaseHold(c.r.Context(), route.MetaOf(c.r), c.f.Hold)
	}
	c.f.Hold, c.f.HoldUntil, c.f.Start, c.f.End = "", 0, "", ""
}

type pubQuestionRow struct {
	I                 int
	Label             string
	Who               string
	Notice, Juki      bool
	WhoID, WhoErrorID string
	Minor             bool // under 15 on the day: comes with the legal representative
}

type pubQuestionsData struct {
	Card   bool
	People []pubQuestionRow
}

func (c *pubStep) questionsPage(status int, answers []pubAnswer) {
	d := pubQuestionsData{Card: c.svc.RequiresCard}
	for i := range c.f.People {
		row := pubQuestionRow{I: i, Label: c.personLabel(i), WhoID: "who" + strconv.Itoa(i), Minor: c.minor(i)}
		if i < len(answers) {
			row.Who, row.Notice, row.Juki = answers[i].Who, answers[i].Notice, answers[i].Juki
		}
		d.People = append(d.People, row)
	}
	c.show(status, "questions", "questions.title", d)
}

// minor reports whether the i-th person is under 15 on the booked day
// (today before a time is chosen), from the birth date checked at the
// first step.
func (c *pubStep) minor(i int) bool {
	day := calendar.DateOf(c.at.In(c.loc))
	if start, err := time.Parse(time.RFC3339, c.f.Start); err == nil {
		day = calendar.DateOf(start.In(c.loc))
	}
	age := pubAge(c.f.People[i].Birth, day)
	return age >= 0 && age < pubMinorAge
}

// whoChoices are the answers offered for the i-th person: an under-15
// comes with the legal representative, anyone else themself; either may
// send a proxy.
func (c *pubStep) whoChoices(i int) []string {
	if c.minor(i) {
		return []string{whoMinor, whoProxy}
	}
	return []string{whoSelf, whoProxy}
}

func (c *pubStep) readAnswers() []pubAnswer {
	out := make([]pubAnswer, len(c.f.People))
	for i := range out {
		k := strconv.Itoa(i)
		out[i] = pubAnswer{Who: c.r.PostFormValue("who" + k), Notice: c.r.PostFormValue("nc"+k) != "",
			Juki: c.r.PostFormValue("jk"+k) != ""}
	}
	return out
}

func (c *pubStep) questions() {
	if c.r.PostFormValue("show") != "" {
		c.questionsPage(http.StatusOK, c.f.Answers)
		return
	}
	answers := c.readAnswers()
	if c.r.PostFormValue("lang") != "" {
		c.questionsPage(http.StatusOK, answers)
		return
	}
	for i, a := range answers {
		if !slices.Contains(c.whoChoices(i), a.Who) {
			c.addError("who"+strconv.Itoa(i), "err.who_required", c.personLabel(i))
		}
	}
	if len(c.v.Errors) > 0 {
		c.questionsPage(http.StatusUnprocessableEntity, answers)
		return
	}
	c.f.Answers = answers
	c.checklistPage(http.StatusOK, nil)
}

type pubChecklistData struct {
	Groups []pubCheckGroupView
	Family bool
	Proxy  bool
	Card   bool // the service hands over a card: each person sets a PIN
}

// pubCheckGroupView is one person's items with their ticks.
type pubCheckGroupView struct {
	Title string
	Items []pubCheckItem
}

type pubCheckItem struct {
	I       int
	ID      string
	Text    string
	Checked bool
}

// checklist is the flow's checklist, one list per person.
func (c *pubStep) checklist() []pubCheckGroup {
	titles := make([]string, len(c.f.People))
	for i := range titles {
		titles[i] = c.personLabel(i)
	}
	return pubChecklist(c.v, c.svc, c.f.Answers, titles)
}

func (c *pubStep) checklistPage(status int, ticked map[int]bool) {
	d := pubChecklistData{Family: len(c.f.People) > 1, Card: c.svc.RequiresCard}
	i := 0
	for _, g := range c.checklist() {
		gv := pubCheckGroupView{Title: g.Title}
		for _, text := range g.Items {
			gv.Items = append(gv.Items, pubCheckItem{I: i, ID: "tick" + strconv.Itoa(i), Text: text, Checked: ticked[i]})
			i++
		}
		d.Groups = append(d.Groups, gv)
	}
	for _, a := range c.f.Answers {
		d.Proxy = d.Proxy || a.Who == whoProxy
	}
	c.show(status, "checklist", "checklist.title", d)
}

func (c *pubStep) pubChecklist() {
	ticked := map[int]bool{}
	for _, v := range c.r.PostForm["tick"] {
		if i, err := strconv.Atoi(v); err == nil {
			ticked[i] = true
		}
	}
	if c.redisplay() {
		c.checklistPage(http.StatusOK, ticked)
		return
	}
	items := pubFlatItems(c.checklist())
	if len(c.f.Answers) != len(c.f.People) {
		c.questionsPage(http.StatusOK, c.f.Answers)
		return
	}
	for i := range items {
		if !ticked[i] {
			c.addError("tick"+strconv.Itoa(i), "err.tick_all")
			c.checklistPage(http.StatusUnprocessableEntity, ticked)
			return
		}
	}
	c.contactPage(http.StatusOK, c.f.Email, c.f.Phone)
}

type pubContactData struct {
	Email, Phone string
	MailOn       bool // booking mails are sent: the page may promise one
}

func (c *pubStep) contactPage(status int, email, phone string) {
	c.show(status, "contact", "contact.title", pubContactData{Email: email, Phone: phone, MailOn: c.s.mailOn(c.r)})
}

func (c *pubStep) contact() {
	email := strings.TrimSpace(norm.NFKC.String(c.r.PostFormValue("email")))
	phone := strings.TrimSpace(norm.NFKC.String(c.r.PostFormValue("phone")))
	if c.r.PostFormValue("show") != "" {
		email, phone = c.f.Email, c.f.Phone
	}
	if c.redisplay() {
		c.contactPage(http.StatusOK, email, phone)
		return
	}
	// Either will do, as the booking engine asks: the code is shown on
	// the done page, so a resident without e-mail can book too.
	switch {
	case email == "" && phone == "":
		c.addError("email", "err.contact_required")
	case email != "" && !pubValidEmail(email):
		c.addError("email", "err.email_format")
	}
	if phone != "" && !pubValidPhone(phone) {
		c.addError("phone", "err.phone_format")
	}
	if len(c.v.Errors) > 0 {
		c.contactPage(http.StatusUnprocessableEntity, email, phone)
		return
	}
	c.f.Email, c.f.Phone = email, phone
	c.confirmPage(http.StatusOK)
}

// pubValidEmail accepts a plain address with a dot in its domain, as the
// booking engine does.
func pubValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndex(s, "@"):], ".")
}

// pubValidPhone accepts 6 to 15 digits with hyphens, spaces, + and brackets,
// as the booking engine does.
func pubValidPhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("-+() ", r):
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 15
}

type pubConfirmData struct {
	Service, Place, Slot string
	People               []string
	Email, Phone         string
	Groups               []pubCheckGroup
	HoldUntil            string
	Challenge            *challenge.Offer // the proof of work asked for under load
}

func (c *pubStep) confirmPage(status int) { c.challengePage(status, c.offerChallenge()) }

// challengePage shows the confirm page with the challenge (nil: none).
func (c *pubStep) challengePage(status int, ch *challenge.Offer) {
	d := pubConfirmData{Service: c.svc.Name, Place: c.placeName(), Slot: c.slotText(), Email: c.f.Email, Phone: c.f.Phone,
		Groups: c.checklist(), Challenge: ch}
	for i, p := range c.f.People {
		line := c.v.T("person.n", i+1) + " "
		if p.Notice != "" {
			line += p.Notice
		} else {
			line += p.Name + c.v.T("paren", p.Kana)
		}
		if d, err := calendar.ParseDate(p.Birth); err == nil {
			line += " " + c.v.T("born", pubDayLabel(c.v.Lang, d))
		}
		d.People = append(d.People, line)
	}
	if c.f.HoldUntil > 0 {
		d.HoldUntil = time.Unix(c.f.HoldUntil, 0).In(c.loc).Format("15:04")
	}
	c.show(status, "confirm", "confirm.title", d)
}

func (c *pubStep) confirm() {
	if c.redisplay() {
		c.confirmPage(http.StatusOK)
		return
	}
	if c.f.Start == "" || !c.f.hasContact() || len(c.f.People) == 0 {
		c.s.expired(c.w, c.r)
		return
	}
	proved, ok := c.passChallenge()
	if !ok {
		return
	}
	req := reserve.CreateRequest{Service: c.f.Service, Place: c.f.Place, Start: c.f.Start, Email: c.f.Email,
		Phone: c.f.Phone, Lang: c.v.Lang, Hold: c.f.Hold, Proved: proved}
	for i, p := range c.f.People {
		req.People = append(req.People, reserve.PersonInput{NoticeNumber: p.Notice, Name: p.Name, NameKana: p.Kana, BirthDate: p.Birth,
			Comes: pubComes(c.f.Answers, i)})
	}
	b, token, err := c.s.ui.Reserve.Book(c.r.Context(), route.MetaOf(c.r), req)
	if err != nil {
		c.bookFailed(err)
		return
	}
	receipt, err := pubSeal(c.key, sealReceipt, pubReceiptData{Code: b.Code, Token: token, Answers: c.f.Answers}, receiptTTL, c.at)
	if err != nil {
		c.s.fail(c.w, c.r, err)
		return
	}
	http.SetCookie(c.w, &http.Cookie{Name: receiptCookie, Value: receipt, Path: "/booking/", MaxAge: int(receiptTTL.Seconds()),
		HttpOnly: true, Secure: pubSecureRequest(c.r), SameSite: http.SameSiteLaxMode})
	http.Redirect(c.w, c.r, c.v.Href("/booking/done"), http.StatusSeeOther)
}

// bookFailed sends the resident to the step that can fix the problem.
func (c *pubStep) bookFailed(err error) {
	if c.askProof(err) {
		return
	}
	c.problem(err)
	switch code := apperr.CodeOf(err); {
	case code == reserve.CodeSlotFull || code == reserve.CodeHoldExpired || code == reserve.CodeOutsideWindow:
		c.releaseHold()
		c.timePage(http.StatusConflict)
	case code == reserve.CodeNotMatched || code == reserve.CodeAlreadyBooked || code == reserve.CodeNotBookable:
		c.linkPeopleErrors(err)
		c.identifyPage(http.StatusUnprocessableEntity, pubRowsOf(c.f.People))
	case code == apperr.Invalid && pubHasField(err, "email", "phone"):
		c.contactPage(http.StatusUnprocessableEntity, c.f.Email, c.f.Phone)
	case code == apperr.Invalid:
		c.linkPeopleErrors(err)
		c.identifyPage(http.StatusUnprocessableEntity, pubRowsOf(c.f.People))
	case code == apperr.RateLimited:
		c.confirmPage(http.StatusTooManyRequests)
	default:
		c.s.fail(c.w, c.r, err)
	}
}

// linkPeopleErrors points the summary's first entry at the person the
// engine named ("people[1]..." is the second person's notice number).
func (c *pubStep) linkPeopleErrors(err error) {
	for _, f := range apperr.FieldsOf(err) {
		rest, ok := strings.CutPrefix(f.Field, "people[")
		if !ok {
			continue
		}
		i, _ := strconv.Atoi(rest[:max(0, strings.IndexByte(rest, ']'))])
		id := "notice" + strconv.Itoa(i)
		if !c.svc.RequiresCard {
			id = "name" + strconv.Itoa(i)
		}
		c.v.Errors[0].ID = id
		return
	}
}

func pubHasField(err error, names ...string) bool {
	for _, f := range apperr.FieldsOf(err) {
		for _, n := range names {
			if f.Field == n {
				return true
			}
		}
	}
	return false
}

// pubReceiptData is what the done page needs: the booking's code and manage
// token, and the answers that tailor the checklist.
type pubReceiptData struct {
	Code    string      `json:"c"`
	Token   string      `json:"t"`
	Answers []pubAnswer `json:"a,omitempty"`
}

type pubDoneData struct {
	Code, Service, Place, Slot string
	People                     int
	Groups                     []pubCheckGroup
	Card                       bool // a card is handed over: each person sets a PIN
	Deadline                   string
	ManageURL                  string
	Changeable                 bool
	Mailed                     bool // a confirmation mail is on its way
}

func (s *pubSite) done(w http.ResponseWriter, r *http.Request) {
	var rc pubReceiptData
	key, err := s.keys.get(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ck, cerr := r.Cookie(receiptCookie)
	if cerr != nil || pubUnseal(key, sealReceipt, ck.Value, &rc, s.now()) != nil {
		http.Redirect(w, r, "/booking/manage", http.StatusSeeOther)
		return
	}
	b, err := s.ui.Reserve.Get(r.Context(), route.MetaOf(r), rc.Code, rc.Token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "done.title")
	svc, _ := s.serviceOf(r, b.Service)
	d := pubDoneData{Code: reserve.FormatCode(b.Code), Service: b.ServiceName, Place: b.PlaceName,
		Slot: pubSlotLabel(v.Lang, b.Start.In(b.Location), b.End.In(b.Location)), People: len(b.People),
		Groups: pubChecklist(v, svc, rc.Answers, pubPeopleLabels(v, b)), Card: svc.RequiresCard, Changeable: b.Changeable,
		ManageURL: pubManageLink(b.Code, rc.Token), Mailed: b.Email != "" && s.mailOn(r)}
	d.Deadline = pubChangeDeadline(v, b)
	v.Data = d
	s.render(w, r, http.StatusOK, "done", v)
}

// pubPeopleLabels names the booking's people as the steps did:
// "1人目（ABC-123456）".
func pubPeopleLabels(v pview, b reserve.Booking) []string {
	out := make([]string, len(b.People))
	for i, p := range b.People {
		who := p.NoticeNumber
		if who == "" {
			who = p.Name
		}
		out[i] = v.T("person.n", i+1) + v.T("paren", who)
	}
	return out
}
