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

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/route"
)

// maxSettingsBytes bounds the settings document, as the API does.
const maxSettingsBytes = 1 << 20

// bookingSettingsView is the settings page: a summary of what is saved,
// the JSON document to edit and the problems of a refused document.
type bookingSettingsView struct {
	General  []fact
	Places   []placeSummary
	Services []serviceSummary
	Document string
	Problems []apperr.FieldError
}

type fact struct{ Label, Value string }

type placeSummary struct {
	ID, Name, Slot, Capacity, Channels string
	Hours                              []fact // by weekday, Monday first
	Closed, Open                       string
}

type serviceSummary struct {
	ID, Name, Card, Places, Slots, Items string
}

func (ui *UI) bookingSettingsPage(w http.ResponseWriter, r *http.Request) {
	st, err := ui.Reserve.Settings(r.Context())
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	doc, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	v := view{}
	if r.URL.Query().Get("done") == "saved" {
		v.Notice = "予約の設定を保存しました。"
	}
	ui.renderBookingSettings(w, r, http.StatusOK, v, string(doc), nil)
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
		ui.renderBookingSettings(w, r, statusFor(err), view{Error: apperr.MessageOf(err)}, doc, settingsProblems(err, doc))
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

func (ui *UI) renderBookingSettings(w http.ResponseWriter, r *http.Request, status int, v view, doc string, problems []apperr.FieldError) {
	st, err := ui.Reserve.Settings(r.Context())
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	data := settingsSummary(st)
	data.Document, data.Problems = doc, problems
	v.Title, v.Data = "予約の設定", data
	ui.render(w, r, status, "booking_settings", v)
}

func settingsSummary(st booking.Settings) bookingSettingsView {
	closing := "なし（日数だけで決まる）"
	if st.SameDayClosing != "" {
		closing = fmt.Sprintf("予約日の %d 日前の %s まで", st.MinDaysAhead, st.SameDayClosing)
	}
	v := bookingSettingsView{General: []fact{
		{"予約の受付期間", fmt.Sprintf("%d 日後から %d 日後まで", st.MinDaysAhead, st.MaxDaysAhead)},
		{"受付の締切時刻", closing},
		{"変更・取消の締切", fmt.Sprintf("予約日の %d 日前まで（その後は電話）", st.ChangeCutoffDays+1)},
		{"1 件の予約で予約できる人数", fmt.Sprintf("%d 人まで", st.MaxPeoplePerBooking)},
		{"仮押さえの時間", fmt.Sprintf("%d 分", int(st.Hold().Minutes()))},
		{"年末年始（12/29〜1/3）", map[bool]string{true: "開庁", false: "閉庁"}[st.YearEndOpen]},
		{"問い合わせ電話番号", st.ContactPhone},
		{"タイムゾーン", st.Timezone},
	}}
	for _, pl := range st.Places {
		v.Places = append(v.Places, placeSummaryOf(pl))
	}
	for _, svc := range st.Services {
		v.Services = append(v.Services, serviceSummary{ID: svc.ID, Name: svc.Name,
			Card:   map[bool]string{true: "カードと照合", false: "氏名・生年月日"}[svc.RequiresCard],
			Places: strings.Join(svc.Places, "、"), Slots: strconv.Itoa(svc.SlotCount()), Items: strings.Join(svc.ItemsToBring, "、")})
	}
	return v
}

func placeSummaryOf(pl booking.Place) placeSummary {
	s := placeSummary{ID: pl.ID, Name: pl.Name, Slot: fmt.Sprintf("%d 分", pl.SlotMinutes), Capacity: fmt.Sprintf("%d 人", pl.Capacity),
		Closed: strings.Join(pl.ClosedDates, "、")}
	for _, ch := range slices.Sorted(maps.Keys(pl.ChannelCapacity)) {
		s.Channels += fmt.Sprintf("%s %d ", channelLabel(string(ch)), pl.ChannelCapacity[ch])
	}
	days := []fact{{"mon", "月"}, {"tue", "火"}, {"wed", "水"}, {"thu", "木"}, {"fri", "金"}, {"sat", "土"}, {"sun", "日"}}
	for _, d := range days {
		hours := strings.Join(pl.Hours[d.Label], "、")
		if hours == "" {
			hours = "休み"
		}
		s.Hours = append(s.Hours, fact{d.Value, hours})
	}
	var open []string
	for _, d := range slices.Sorted(maps.Keys(pl.OpenDates)) {
		open = append(open, d+"（"+strings.Join(pl.OpenDates[d], "、")+"）")
	}
	s.Open = strings.Join(open, "、")
	return s
}
