package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/route"
)

// maxSettingsBytes bounds the settings document, as the API does.
const maxSettingsBytes = 1 << 20

// bookingSettingsView is the settings page: a summary of what is saved,
// a form for each part, the calendar of one place, and the JSON document
// for those who prefer it.
type bookingSettingsView struct {
	General    []fact
	Rules      []ruleField
	RulesForm  bookingForm
	Places     []placeView
	Services   []serviceView
	PlaceList  []option
	Calendar   *settingsCalendar
	NewPlace   bookingForm
	NewService bookingForm
	Document   string
	Problems   []apperr.FieldError // of the JSON document, or of other parts than the form sent
	DocEdited  bool                // the document was sent: open its section
}

type fact struct{ Label, Value string }

type placeSummary struct {
	ID, Name, Slot, Capacity, Channels string
	Hours                              []fact // by weekday, Monday first
	Closed, Open                       string
}

type placeView struct {
	placeSummary
	Form     bookingForm
	Weekdays []fact
	Channels []option
}

type serviceView struct {
	serviceSummary
	Form bookingForm
}

type serviceSummary struct {
	ID, Name, Card, Places, Slots, Items string
}

// settingsState is what a request adds to the saved settings: the form
// or document it sent, and the problems of a refused save.
type settingsState struct {
	Edit      *settingsEdit
	Document  string
	DocEdited bool
	Problems  []apperr.FieldError
}

func (ui *UI) bookingSettingsPage(w http.ResponseWriter, r *http.Request) {
	v := view{}
	if r.URL.Query().Get("done") == "saved" {
		v.Notice = "予約の設定を保存しました。"
	}
	ui.renderSettingsPage(w, r, http.StatusOK, v, settingsState{})
}

// saveBookingSettings reads the document strictly (a misspelt key is
// refused, not ignored) and saves it; a refused document comes back as
// typed, with every problem listed.
func (ui *UI) saveBookingSettings(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSettingsBytes)
	doc := r.PostFormValue("document")
	st, err := booking.ParseSettings([]byte(doc))
	if err == nil {
		p, _ := route.PrincipalOf(r)
		err = ui.Reserve.SaveSettings(r.Context(), p, route.MetaOf(r), st)
	}
	if err != nil {
		ui.renderSettingsPage(w, r, statusFor(err), view{Error: apperr.MessageOf(err)},
			settingsState{Document: doc, DocEdited: true, Problems: settingsProblems(err, doc)})
		return
	}
	http.Redirect(w, r, "/staff/settings/booking?done=saved", http.StatusSeeOther)
}

// settingsProblems lists the field messages, or where the JSON breaks.
func settingsProblems(err error, doc string) []apperr.FieldError {
	if fields := apperr.FieldsOf(err); len(fields) > 0 {
		return fields
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		line, col := position(doc, syn.Offset)
		return []apperr.FieldError{{Field: fmt.Sprintf("%d 行 %d 文字目", line, col),
			Message: "JSON の書き方に誤りがあります（括弧・引用符・カンマを確かめてください）。"}}
	}
	if key, ok := unknownField(err); ok {
		return []apperr.FieldError{{Field: key, Message: "この項目名はありません。綴りを確かめてください。"}}
	}
	return nil
}

// unknownField finds the key that encoding/json refused as unknown; it
// has no error type for it, only the text `json: unknown field "x"`.
func unknownField(err error) (string, bool) {
	for ; err != nil; err = errors.Unwrap(err) {
		if rest, ok := strings.CutPrefix(err.Error(), `json: unknown field "`); ok {
			return strings.TrimSuffix(rest, `"`), true
		}
	}
	return "", false
}

// position turns a byte offset into a line and a character column.
func position(doc string, offset int64) (line, col int) {
	offset = min(max(offset, 0), int64(len(doc)))
	before := doc[:offset]
	line = strings.Count(before, "\n") + 1
	col = len([]rune(before[strings.LastIndex(before, "\n")+1:]))
	return line, max(col, 1)
}

// renderSettingsPage shows the saved settings with what the request sent.
func (ui *UI) renderSettingsPage(w http.ResponseWriter, r *http.Request, status int, v view, state settingsState) {
	st, err := ui.Reserve.Settings(r.Context())
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	data := ui.settingsView(st)
	if state.Document == "" {
		doc, err := json.MarshalIndent(st, "", "  ")
		if err != nil {
			ui.ErrorPage(w, r, err)
			return
		}
		state.Document = string(doc)
	}
	data.Document, data.Problems, data.DocEdited = state.Document, state.Problems, state.DocEdited
	place := r.FormValue("place")
	if id := r.PathValue("id"); id != "" {
		place = id // a form of the place was sent
	}
	data.Calendar = ui.settingsCalendar(st, place, r.FormValue("month"))
	if e := state.Edit; e != nil {
		data.apply(*e)
	}
	v.Title, v.Data = "予約の設定", data
	ui.render(w, r, status, "booking_settings", v)
}

// apply puts a refused form back in place of the saved values.
func (v *bookingSettingsView) apply(e settingsEdit) {
	kind, id, _ := strings.Cut(e.Part, ":")
	switch kind {
	case "rules":
		v.RulesForm = e.Form
	case "new-place":
		v.NewPlace = e.Form
	case "new-service":
		v.NewService = e.Form
	case "calendar":
		if v.Calendar != nil {
			v.Calendar.Form = e.Form
		}
	case "place":
		for i := range v.Places {
			if v.Places[i].ID == id {
				v.Places[i].Form = e.Form
			}
		}
	case "service":
		for i := range v.Services {
			if v.Services[i].ID == id {
				v.Services[i].Form = e.Form
			}
		}
	}
}

func (ui *UI) settingsView(st booking.Settings) bookingSettingsView {
	v := settingsSummary(st, ui.Clock.Now()) // only the example date of the cut-off depends on it
	v.Rules, v.RulesForm = ruleFields(&st), rulesFormOf(st)
	v.NewPlace, v.NewService, v.PlaceList = newBookingForm(), newBookingForm(), placeOptions(st)
	for _, pl := range st.Places {
		pv := placeView{placeSummary: placeSummaryOf(pl), Form: placeFormOf(pl), Weekdays: weekdays}
		for _, ch := range channels {
			pv.Channels = append(pv.Channels, option{"cap_" + string(ch), channelLabel(string(ch))})
		}
		v.Places = append(v.Places, pv)
	}
	for i, svc := range st.Services {
		v.Services[i] = serviceView{serviceSummary: v.Services[i].serviceSummary, Form: serviceFormOf(svc)}
	}
	return v
}

// settingsSummary says in words what the settings do; the change cut-off
// is worked out by the booking rules themselves (booking.ChangeRule).
func settingsSummary(st booking.Settings, now time.Time) bookingSettingsView {
	closing := "なし（日数だけで決まる）"
	if st.SameDayClosing != "" {
		closing = fmt.Sprintf("予約日の %d 日前の %s まで", st.MinDaysAhead, st.SameDayClosing)
	}
	change, err := st.ChangeRule(now)
	if err != nil {
		change = "（タイムゾーンの設定に誤りがあるため計算できません）"
	}
	v := bookingSettingsView{General: []fact{
		{"予約の受付期間", fmt.Sprintf("%d 日後から %d 日後まで", st.MinDaysAhead, st.MaxDaysAhead)},
		{"受付の締切時刻", closing},
		{"変更・取消の締切", change},
		{"1 件の予約で予約できる人数", fmt.Sprintf("%d 人まで", st.MaxPeoplePerBooking)},
		{"仮押さえの時間", fmt.Sprintf("%d 分", int(st.Hold().Minutes()))},
		{"年末年始（12/29〜1/3）", map[bool]string{true: "開庁", false: "閉庁"}[st.YearEndOpen]},
		{"問い合わせ電話番号", st.ContactPhone},
		{"タイムゾーン", st.Timezone},
	}}
	for _, pl := range st.Places {
		v.Places = append(v.Places, placeView{placeSummary: placeSummaryOf(pl)})
	}
	for _, svc := range st.Services {
		v.Services = append(v.Services, serviceView{serviceSummary: serviceSummary{ID: svc.ID, Name: svc.Name,
			Card:   map[bool]string{true: "カードと照合", false: "氏名・生年月日"}[svc.RequiresCard],
			Places: strings.Join(svc.Places, "、"), Slots: strconv.Itoa(svc.SlotCount()), Items: strings.Join(svc.ItemsToBring, "、")}})
	}
	return v
}

func placeSummaryOf(pl booking.Place) placeSummary {
	s := placeSummary{ID: pl.ID, Name: pl.Name, Slot: fmt.Sprintf("%d 分", pl.SlotMinutes), Capacity: fmt.Sprintf("%d 人", pl.Capacity),
		Closed: strings.Join(pl.ClosedDates, "、")}
	for _, ch := range slices.Sorted(maps.Keys(pl.ChannelCapacity)) {
		s.Channels += fmt.Sprintf("%s %d ", channelLabel(string(ch)), pl.ChannelCapacity[ch])
	}
	for _, d := range weekdays {
		hours := strings.Join(pl.Hours[d.Label], "、")
		if hours == "" {
			hours = "休み"
		}
		s.Hours = append(s.Hours, fact{strings.TrimSuffix(d.Value, "曜日"), hours})
	}
	var open []string
	for _, d := range slices.Sorted(maps.Keys(pl.OpenDates)) {
		open = append(open, d+"（"+strings.Join(pl.OpenDates[d], "、")+"）")
	}
	s.Open = strings.Join(open, "、")
	return s
}
