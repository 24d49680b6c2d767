package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/route"
)

// The booking settings are edited in forms, one per part (the rules, a
// place, its calendar, a service). Each form changes a copy of the saved
// settings, which the booking service validates and saves whole, exactly
// as the JSON document and the API are; a refused form comes back as
// typed, with each problem beside its field.

// bookingForm is one form of the page as shown: its values by input name
// and, after a refused save, its problems by input name ("" for the
// problems no single input owns).
type bookingForm struct {
	Values   map[string]string
	Problems map[string][]string
}

// Value, Problem, Checked, Has (a value among several, one per line) and
// General (problems no input owns) are what the template reads.
func (f bookingForm) Value(name string) string     { return f.Values[name] }
func (f bookingForm) Problem(name string) []string { return f.Problems[name] }
func (f bookingForm) Checked(name string) bool     { return f.Values[name] != "" }
func (f bookingForm) Has(name, value string) bool {
	return slices.Contains(strings.Split(f.Values[name], "\n"), value)
}
func (f bookingForm) General() []string         { return f.Problems[""] }
func (f *bookingForm) add(name, message string) { f.Problems[name] = append(f.Problems[name], message) }
func newBookingForm() bookingForm {
	return bookingForm{Values: map[string]string{}, Problems: map[string][]string{}}
}
func (f bookingForm) failed() bool                  { return len(f.Problems) > 0 }
func (f bookingForm) set(name, value string)        { f.Values[name] = value }
func (f bookingForm) setInt(name string, value int) { f.Values[name] = strconv.Itoa(value) }

// ruleField is one input of the rules form, tied to the setting it edits.
type ruleField struct {
	Key, Label, Hint, Kind string // Kind: number, time, tel, text or check
	num                    *int
	text                   *string
	flag                   *bool
}

func ruleFields(st *booking.Settings) []ruleField {
	n := func(key, label, hint string, p *int) ruleField {
		return ruleField{Key: key, Label: label, Hint: hint, Kind: "number", num: p}
	}
	return []ruleField{
		n("min_days_ahead", "受付の開始", "何日後の予約から受け付けるか（0 は当日）", &st.MinDaysAhead),
		n("max_days_ahead", "受付の終わり", "何日後の予約まで受け付けるか", &st.MaxDaysAhead),
		{Key: "same_day_closing", Label: "受付の締切時刻", Kind: "time", text: &st.SameDayClosing,
			Hint: "「受付の開始」の日数前のこの時刻で、その日の受付を締め切ります（空欄は 0 時）"},
		n("change_cutoff_days", "変更・取消を締め切る日数", "予約日の前のこの日数と当日は、インターネットで変更・取消できません", &st.ChangeCutoffDays),
		n("max_people_per_booking", "1 件の予約の人数の上限", "", &st.MaxPeoplePerBooking),
		n("hold_minutes", "仮押さえの時間（分）", "入力中の住民のために枠を押さえる時間（0 は 10 分）", &st.HoldMinutes),
		n("public_rate_limit_per_minute", "1 分あたりの要求の上限", "住民向けサイト、接続元ごと", &st.PublicRateLimitPerMinute),
		n("notice_attempts_per_hour", "同じ通知書番号で 1 時間に試せる回数", "生年月日の総当たりを防ぎます（0 は 10 回）", &st.NoticeAttemptsPerHour),
		n("max_holds_per_ip", "同じ接続元からの仮押さえの上限", "0 は 3 件", &st.MaxHoldsPerIP),
		{Key: "year_end_open", Label: "年末年始（12/29〜1/3）も開庁する", Kind: "check", flag: &st.YearEndOpen},
		{Key: "contact_phone", Label: "問い合わせ電話番号", Kind: "tel", text: &st.ContactPhone,
			Hint: "締切後の変更・取消の案内に載ります（例 079-559-5000）"},
		{Key: "timezone", Label: "タイムゾーン", Kind: "text", text: &st.Timezone, Hint: "通常は Asia/Tokyo"},
	}
}

func rulesFormOf(st booking.Settings) bookingForm {
	f := newBookingForm()
	for _, fd := range ruleFields(&st) {
		switch {
		case fd.num != nil:
			f.setInt(fd.Key, *fd.num)
		case fd.text != nil:
			f.set(fd.Key, *fd.text)
		case *fd.flag:
			f.set(fd.Key, "1")
		}
	}
	return f
}

// readRules applies the rules form to st.
func readRules(r *http.Request, st *booking.Settings, f *bookingForm) {
	for _, fd := range ruleFields(st) {
		v := strings.TrimSpace(r.PostFormValue(fd.Key))
		f.set(fd.Key, v)
		switch {
		case fd.num != nil:
			readInt(f, fd.Key, v, fd.num)
		case fd.text != nil:
			*fd.text = v
		default:
			*fd.flag = v != ""
		}
	}
}

// readInt parses a whole number typed in a form; blank is refused.
func readInt(f *bookingForm, name, v string, into *int) {
	n, err := strconv.Atoi(v)
	if err != nil {
		f.add(name, "半角数字で入力してください。")
		return
	}
	*into = n
}

// weekdays are the keys of Place.Hours with their names, Monday first.
var weekdays = []fact{{"mon", "月曜日"}, {"tue", "火曜日"}, {"wed", "水曜日"}, {"thu", "木曜日"}, {"fri", "金曜日"},
	{"sat", "土曜日"}, {"sun", "日曜日"}}

// channels are the booking channels with their names, as the place form
// asks for the seats kept for each.
var channels = []booking.Channel{booking.ChannelWeb, booking.ChannelPhone, booking.ChannelCounter}

// rangesText shows a day's ranges as typed in the form; splitRanges
// reads them back (「、」, commas or spaces between ranges).
func rangesText(ranges []string) string { return strings.Join(ranges, "、") }

func splitRanges(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("、,，　 ", r) })
}

func placeFormOf(pl booking.Place) bookingForm {
	f := newBookingForm()
	f.set("name", pl.Name)
	f.set("name_en", pl.NameEN)
	f.setInt("slot_minutes", pl.SlotMinutes)
	f.setInt("capacity", pl.Capacity)
	for _, ch := range channels {
		if n, ok := pl.ChannelCapacity[ch]; ok {
			f.setInt("cap_"+string(ch), n)
		}
	}
	for _, d := range weekdays {
		f.set("hours_"+d.Label, rangesText(pl.Hours[d.Label]))
	}
	return f
}

// readPlace applies a place's form to pl.
func readPlace(r *http.Request, pl *booking.Place, f *bookingForm) {
	pl.Name = strings.TrimSpace(r.PostFormValue("name"))
	pl.NameEN = strings.TrimSpace(r.PostFormValue("name_en"))
	f.set("name", pl.Name)
	f.set("name_en", pl.NameEN)
	for name, into := range map[string]*int{"slot_minutes": &pl.SlotMinutes, "capacity": &pl.Capacity} {
		v := strings.TrimSpace(r.PostFormValue(name))
		f.set(name, v)
		readInt(f, name, v, into)
	}
	pl.ChannelCapacity = nil
	for _, ch := range channels {
		name := "cap_" + string(ch)
		v := strings.TrimSpace(r.PostFormValue(name))
		f.set(name, v)
		if v == "" {
			continue
		}
		var n int
		readInt(f, name, v, &n)
		if pl.ChannelCapacity == nil {
			pl.ChannelCapacity = map[booking.Channel]int{}
		}
		pl.ChannelCapacity[ch] = n
	}
	pl.Hours = map[string][]string{}
	for _, d := range weekdays {
		v := r.PostFormValue("hours_" + d.Label)
		f.set("hours_"+d.Label, strings.TrimSpace(v))
		pl.Hours[d.Label] = splitRanges(v)
	}
}

func serviceFormOf(sv booking.Service) bookingForm {
	f := newBookingForm()
	f.set("name", sv.Name)
	f.set("name_en", sv.NameEN)
	if sv.RequiresCard {
		f.set("requires_card", "1")
	}
	f.set("places", strings.Join(sv.Places, "\n"))
	f.setInt("slots", sv.SlotCount())
	f.set("items", strings.Join(sv.ItemsToBring, "\n"))
	return f
}

// readService applies a service's form to sv.
func readService(r *http.Request, sv *booking.Service, f *bookingForm) {
	sv.Name = strings.TrimSpace(r.PostFormValue("name"))
	sv.NameEN = strings.TrimSpace(r.PostFormValue("name_en"))
	sv.RequiresCard = r.PostFormValue("requires_card") != ""
	sv.Places = slices.Clone(r.PostForm["places"])
	v := strings.TrimSpace(r.PostFormValue("slots"))
	readInt(f, "slots", v, &sv.Slots)
	sv.ItemsToBring = nil
	for line := range strings.Lines(r.PostFormValue("items")) {
		if line = strings.TrimSpace(line); line != "" {
			sv.ItemsToBring = append(sv.ItemsToBring, line)
		}
	}
	f.set("name", sv.Name)
	f.set("name_en", sv.NameEN)
	f.set("places", strings.Join(sv.Places, "\n"))
	f.set("slots", v)
	f.set("items", strings.Join(sv.ItemsToBring, "\n"))
	if sv.RequiresCard {
		f.set("requires_card", "1")
	}
}

// formKey is the form input a validation problem of the part at prefix
// ("places[0]", "services[1]" or "" for the rules) belongs to, and false
// for a problem of another part.
func formKey(prefix, field string) (string, bool) {
	if prefix != "" {
		rest, ok := strings.CutPrefix(field, prefix)
		if !ok || (rest != "" && rest[0] != '.') {
			return "", false
		}
		field = strings.TrimPrefix(rest, ".")
	}
	field, _, _ = strings.Cut(field, "[")
	switch {
	case strings.HasPrefix(field, "hours."):
		return "hours_" + strings.TrimPrefix(field, "hours."), true
	case strings.HasPrefix(field, "channel_capacity."):
		return "cap_" + strings.TrimPrefix(field, "channel_capacity."), true
	case field == "items_to_bring":
		return "items", true
	case strings.HasPrefix(field, "open_dates"):
		return "open_hours", true // the calendar's form that opens a day
	case prefix == "" && (strings.HasPrefix(field, "places") || strings.HasPrefix(field, "services")):
		return "", false
	}
	return field, true
}

// sortProblems sorts a refused save's problems: those of the form's own
// part go beside its inputs, the others above the page.
func sortProblems(err error, prefix string, f *bookingForm) []apperr.FieldError {
	var others []apperr.FieldError
	for _, fe := range apperr.FieldsOf(err) {
		key, ok := formKey(prefix, fe.Field)
		if !ok {
			others = append(others, fe)
			continue
		}
		if _, known := f.Values[key]; !known {
			key = ""
		}
		f.add(key, fe.Message)
	}
	return others
}

// settingsEdit is the form being edited when a save was refused.
type settingsEdit struct {
	Part string // "rules", "place:ID", "calendar:ID", "service:ID", "new-place" or "new-service"
	Form bookingForm
}

// editSettings runs one form's change on a copy of the saved settings and
// saves it; prefix tells which part's problems belong to the form. On
// success it goes back to the page at anchor.
func (ui *UI) editSettings(w http.ResponseWriter, r *http.Request, part, anchor string,
	change func(st *booking.Settings, f *bookingForm) (prefix string, err error)) {
	parseSettingsForm(w, r)
	st, err := ui.Reserve.Settings(r.Context())
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	st = st.Clone()
	f := newBookingForm()
	prefix, err := change(&st, &f)
	if err == nil && !f.failed() {
		p, _ := route.PrincipalOf(r)
		if err = ui.Reserve.SaveSettings(r.Context(), p, route.MetaOf(r), st); err == nil {
			http.Redirect(w, r, "/staff/settings/booking?done=saved"+anchor, http.StatusSeeOther)
			return
		}
	}
	if err == nil {
		err = apperr.New(apperr.Invalid, "入力に誤りがあります。")
	}
	others := sortProblems(err, prefix, &f)
	v := view{Error: apperr.MessageOf(err)}
	ui.renderSettingsPage(w, r, statusFor(err), v, settingsState{Edit: &settingsEdit{Part: part, Form: f}, Problems: others})
}

// parseSettingsForm reads a settings form, bounded as the document is;
// once read, it is not read again.
func parseSettingsForm(w http.ResponseWriter, r *http.Request) {
	if r.PostForm == nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxSettingsBytes)
		r.ParseForm()
	}
}

func placeIndex(st *booking.Settings, id string) (int, error) {
	i := slices.IndexFunc(st.Places, func(p booking.Place) bool { return p.ID == id })
	if i < 0 {
		return 0, apperr.New(apperr.NotFound, fmt.Sprintf("窓口「%s」はありません。", id))
	}
	return i, nil
}

func serviceIndex(st *booking.Settings, id string) (int, error) {
	i := slices.IndexFunc(st.Services, func(s booking.Service) bool { return s.ID == id })
	if i < 0 {
		return 0, apperr.New(apperr.NotFound, fmt.Sprintf("サービス「%s」はありません。", id))
	}
	return i, nil
}

func (ui *UI) saveRules(w http.ResponseWriter, r *http.Request) {
	ui.editSettings(w, r, "rules", "#rules", func(st *booking.Settings, f *bookingForm) (string, error) {
		readRules(r, st, f)
		return "", nil
	})
}

func (ui *UI) savePlace(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ui.editSettings(w, r, "place:"+id, "#place-"+id, func(st *booking.Settings, f *bookingForm) (string, error) {
		i, err := placeIndex(st, id)
		if err != nil {
			return "", err
		}
		readPlace(r, &st.Places[i], f)
		return fmt.Sprintf("places[%d]", i), nil
	})
}

// addPlace adds a place open on weekday mornings, to be adjusted in its
// own form.
func (ui *UI) addPlace(w http.ResponseWriter, r *http.Request) {
	ui.addPart(w, r, "places", func(st *booking.Settings, id, name string) int {
		day := []string{"09:00-12:00"}
		st.Places = append(st.Places, booking.Place{ID: id, Name: name, SlotMinutes: 30, Capacity: 1,
			Hours: map[string][]string{"mon": day, "tue": day, "wed": day, "thu": day, "fri": day}})
		return len(st.Places) - 1
	})
}

// addPart adds a place or a service (list "places" or "services") with
// the form's ID and name; add returns its index. The settings' validation
// checks the new ID.
func (ui *UI) addPart(w http.ResponseWriter, r *http.Request, list string, add func(st *booking.Settings, id, name string) int) {
	parseSettingsForm(w, r)
	id, name := strings.TrimSpace(r.PostFormValue("id")), strings.TrimSpace(r.PostFormValue("name"))
	kind := strings.TrimSuffix(list, "s")
	ui.editSettings(w, r, "new-"+kind, "#"+kind+"-"+id, func(st *booking.Settings, f *bookingForm) (string, error) {
		f.set("id", id)
		f.set("name", name)
		return fmt.Sprintf("%s[%d]", list, add(st, id, name)), nil
	})
}

// deletePlace removes a place and takes it off the services' lists; a
// service left without a place is refused by the validation.
func (ui *UI) deletePlace(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ui.editSettings(w, r, "place:"+id, "#places", func(st *booking.Settings, f *bookingForm) (string, error) {
		i, err := placeIndex(st, id)
		if err != nil {
			return "", err
		}
		st.Places = slices.Delete(st.Places, i, i+1)
		for j := range st.Services {
			st.Services[j].Places = slices.DeleteFunc(st.Services[j].Places, func(p string) bool { return p == id })
		}
		return "-", nil
	})
}

func (ui *UI) saveService(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ui.editSettings(w, r, "service:"+id, "#service-"+id, func(st *booking.Settings, f *bookingForm) (string, error) {
		i, err := serviceIndex(st, id)
		if err != nil {
			return "", err
		}
		readService(r, &st.Services[i], f)
		return fmt.Sprintf("services[%d]", i), nil
	})
}

// addService adds a service at every place, to be adjusted in its form.
func (ui *UI) addService(w http.ResponseWriter, r *http.Request) {
	ui.addPart(w, r, "services", func(st *booking.Settings, id, name string) int {
		sv := booking.Service{ID: id, Name: name, Slots: 1}
		for _, pl := range st.Places {
			sv.Places = append(sv.Places, pl.ID)
		}
		st.Services = append(st.Services, sv)
		return len(st.Services) - 1
	})
}

func (ui *UI) deleteService(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ui.editSettings(w, r, "service:"+id, "#services", func(st *booking.Settings, f *bookingForm) (string, error) {
		i, err := serviceIndex(st, id)
		if err != nil {
			return "", err
		}
		st.Services = slices.Delete(st.Services, i, i+1)
		return "-", nil
	})
}
