package booking

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/calendar"
)

// Bounds of the numeric settings. They keep a typo (6000 days, 0 seats)
// from reaching residents; they are not policy.
const (
	maxDaysLimit      = 365
	maxCutoffDays     = 30
	maxPeopleLimit    = 20
	maxRateLimit      = 10000
	maxHoldMinutes    = 60
	minSlotMinutes    = 5
	maxSlotMinutes    = 240
	maxCapacity       = 100
	maxServiceSlots   = 16
	maxIDLength       = 32
	minPhoneLength    = 6
	maxPhoneLength    = 20
	settingsErrorText = "予約の設定に誤りがあります。"
)

// problems collects one FieldError per problem found, with the checks
// the settings repeat.
type problems struct{ apperr.Fields }

// intIn checks lo <= v <= hi and reports whether it holds.
func (p *problems) intIn(field string, v, lo, hi int, note string) bool {
	if v >= lo && v <= hi {
		return true
	}
	p.Addf(field, "%d 以上 %d 以下で指定してください%s。", lo, hi, note)
	return false
}

func (p *problems) required(field, v, what string) {
	if strings.TrimSpace(v) == "" {
		p.Addf(field, "%sを入力してください。", what)
	}
}

// Validate reports every problem of the settings, each with the JSON path
// of its field (e.g. "places[0].hours.mon[1]") and a Japanese message that
// says what to fix. Map keys appear after a dot: "places[0].open_dates.2026-12-13[0]".
func (s Settings) Validate() error {
	var p problems
	s.validateGeneral(&p)
	s.validatePlaces(&p)
	s.validateServices(&p)
	return p.Err(settingsErrorText)
}

func (s Settings) validateGeneral(p *problems) {
	s.validateTimezone(p)
	minOK := p.intIn("min_days_ahead", s.MinDaysAhead, 0, maxDaysLimit, "")
	maxOK := p.intIn("max_days_ahead", s.MaxDaysAhead, 1, maxDaysLimit, "")
	if minOK && maxOK && s.MinDaysAhead > s.MaxDaysAhead {
		p.Addf("min_days_ahead", "max_days_ahead（%d）以下にしてください。", s.MaxDaysAhead)
	}
	p.intIn("change_cutoff_days", s.ChangeCutoffDays, 0, maxCutoffDays, "")
	p.intIn("max_people_per_booking", s.MaxPeoplePerBooking, 1, maxPeopleLimit, "")
	p.intIn("public_rate_limit_per_minute", s.PublicRateLimitPerMinute, 1, maxRateLimit, "")
	p.intIn("hold_minutes", s.HoldMinutes, 0, maxHoldMinutes, "（0 または省略で 10 分）")
	p.intIn("notice_attempts_per_hour", s.NoticeAttemptsPerHour, 0, maxRateLimit, "（0 または省略で 10 回）")
	p.intIn("max_holds_per_ip", s.MaxHoldsPerIP, 0, 100, "（0 または省略で 3 件）")
	if _, ok := parseClosing(s.SameDayClosing); !ok {
		p.Addf("same_day_closing", "「%s」は時刻の形式が正しくありません。「17:00」のように HH:MM で入力してください（締切時刻を設けない場合は空欄）。", s.SameDayClosing)
	}
	if s.ContactPhone != "" && !validPhone(s.ContactPhone) {
		p.Addf("contact_phone", "電話番号は半角数字とハイフンで入力してください（例 079-559-5000）。")
	}
}

func (s Settings) validateTimezone(p *problems) {
	if s.Timezone == "" {
		p.Addf("timezone", "タイムゾーンを入力してください（例 Asia/Tokyo）。")
		return
	}
	if _, err := s.Location(); err != nil {
		p.Addf("timezone", "タイムゾーン「%s」が見つかりません（例 Asia/Tokyo）。", s.Timezone)
	}
}

func validPhone(s string) bool {
	if len(s) < minPhoneLength || len(s) > maxPhoneLength {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// validID accepts ids that are safe in URLs and file names.
func validID(id string) bool {
	if id == "" || len(id) > maxIDLength {
		return false
	}
	for _, c := range id {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// uniqueID checks the id of list[i] and records it in seen.
func (p *problems) uniqueID(list string, i int, id string, seen map[string]int) {
	field := fmt.Sprintf("%s[%d].id", list, i)
	if !validID(id) {
		p.Addf(field, "ID は半角英小文字・数字・「_」「-」で %d 文字以内で入力してください。", maxIDLength)
		return
	}
	if j, dup := seen[id]; dup {
		p.Addf(field, "ID「%s」は %s[%d] と重複しています。", id, list, j)
		return
	}
	seen[id] = i
}

func (s Settings) validatePlaces(p *problems) {
	if len(s.Places) == 0 {
		p.Addf("places", "窓口を 1 つ以上登録してください。")
	}
	seen := make(map[string]int, len(s.Places))
	for i, pl := range s.Places {
		p.uniqueID("places", i, pl.ID, seen)
		pl.validate(fmt.Sprintf("places[%d]", i), p)
	}
}

func (pl Place) validate(path string, p *problems) {
	p.required(path+".name", pl.Name, "窓口の名前")
	slot := pl.SlotMinutes
	if !p.intIn(path+".slot_minutes", pl.SlotMinutes, minSlotMinutes, maxSlotMinutes, "") {
		slot = 0 // ranges cannot be checked against a wrong slot length
	}
	capOK := p.intIn(path+".capacity", pl.Capacity, 1, maxCapacity, "")
	pl.validateChannels(path+".channel_capacity", capOK, p)
	pl.validateHours(path+".hours", slot, p)
	pl.validateClosedDates(path+".closed_dates", p)
	pl.validateOpenDates(path+".open_dates", slot, p)
}

func (pl Place) validateChannels(path string, capOK bool, p *problems) {
	sum := 0
	for _, ch := range slices.Sorted(maps.Keys(pl.ChannelCapacity)) {
		n := pl.ChannelCapacity[ch]
		switch {
		case !ch.Valid():
			p.Addf(path+"."+string(ch), "受付経路「%s」はありません。web, phone, counter のいずれかを指定してください。", ch)
		case n < 0:
			p.Addf(path+"."+string(ch), "0 以上で指定してください。")
		default:
			sum += n
		}
	}
	if capOK && sum > pl.Capacity {
		p.Addf(path, "受付経路ごとの枠数の合計（%d）が capacity（%d）を超えています。合計を %d 以下にしてください。", sum, pl.Capacity, pl.Capacity)
	}
}

func (pl Place) validateHours(path string, slot int, p *problems) {
	for _, key := range slices.Sorted(maps.Keys(pl.Hours)) {
		if !validWeekdayKey(key) {
			p.Addf(path+"."+key, "曜日「%s」はありません。mon, tue, wed, thu, fri, sat, sun のいずれかを指定してください。", key)
		}
	}
	for _, key := range hoursKeyOrder() {
		checkRanges(p, path+"."+key, pl.Hours[key], slot)
	}
}

func (pl Place) validateClosedDates(path string, p *problems) {
	for i, d := range pl.ClosedDates {
		checkDate(p, fmt.Sprintf("%s[%d]", path, i), d)
	}
}

func (pl Place) validateOpenDates(path string, slot int, p *problems) {
	for _, key := range slices.Sorted(maps.Keys(pl.OpenDates)) {
		field := path + "." + key
		checkDate(p, field, key)
		if len(pl.OpenDates[key]) == 0 {
			p.Addf(field, "臨時開庁日の時間帯を 1 つ以上入力してください（閉庁にする日は closed_dates に入れてください）。")
		}
		checkRanges(p, field, pl.OpenDates[key], slot)
	}
}

func checkDate(p *problems, field, s string) {
	d, err := calendar.ParseDate(s)
	switch {
	case err != nil:
		p.Addf(field, "「%s」は日付として正しくありません。「2026-12-29」のように YYYY-MM-DD で入力してください。", s)
	case !calendar.Supported(d.Year):
		p.Addf(field, "%d 年から %d 年までの日付を入力してください。", calendar.MinYear, calendar.MaxYear)
	}
}

// checkRanges checks a day's "HH:MM-HH:MM" list: each well formed, a
// multiple of the slot length (when slot > 0), in order and not
// overlapping. Touching ranges are allowed; a booking never spans them.
func checkRanges(p *problems, path string, specs []string, slot int) {
	var prev timeRange
	havePrev := false
	for i, spec := range specs {
		field := fmt.Sprintf("%s[%d]", path, i)
		r, ok := checkRange(p, field, spec, slot)
		if !ok {
			continue
		}
		if havePrev {
			checkOrder(p, field, prev, r)
		}
		prev, havePrev = r, true
	}
}

func checkRange(p *problems, field, spec string, slot int) (timeRange, bool) {
	r, ok := parseRange(spec)
	if !ok {
		p.Addf(field, "「%s」は時間帯の形式が正しくありません。「09:00-12:00」のように HH:MM-HH:MM（24 時間制）で入力してください。", spec)
		return r, false
	}
	if r.end <= r.start {
		p.Addf(field, "「%s」は終了時刻が開始時刻より後になっていません。", spec)
		return r, false
	}
	if slot > 0 && r.length()%slot != 0 {
		p.Addf(field, "%s", notMultipleMessage(r, slot))
	}
	return r, true
}

// notMultipleMessage says which end times would make the range a whole
// number of slots.
func notMultipleMessage(r timeRange, slot int) string {
	down := r.start + r.length()/slot*slot
	var fixes []string
	if down > r.start {
		fixes = append(fixes, clockString(down))
	}
	if up := down + slot; up <= minutesPerDay {
		fixes = append(fixes, clockString(up))
	}
	return fmt.Sprintf("「%s」の長さ %d 分が枠の長さ %d 分の倍数になっていません。終了時刻を %s にしてください。",
		r, r.length(), slot, strings.Join(fixes, " か "))
}

func checkOrder(p *problems, field string, prev, r timeRange) {
	switch {
	case r.start < prev.start:
		p.Addf(field, "時間帯は早い順に並べてください（「%s」が前の「%s」より早くなっています）。", r, prev)
	case r.start < prev.end:
		p.Addf(field, "「%s」が前の時間帯「%s」と重なっています。", r, prev)
	}
}

func (s Settings) validateServices(p *problems) {
	if len(s.Services) == 0 {
		p.Addf("services", "サービスを 1 つ以上登録してください。")
	}
	seen := make(map[string]int, len(s.Services))
	for i, sv := range s.Services {
		p.uniqueID("services", i, sv.ID, seen)
		s.validateService(fmt.Sprintf("services[%d]", i), sv, p)
	}
}

func (s Settings) validateService(path string, sv Service, p *problems) {
	p.required(path+".name", sv.Name, "サービスの名前")
	slotsOK := p.intIn(path+".slots", sv.Slots, 0, maxServiceSlots, "（0 または省略で 1 枠）")
	if len(sv.Places) == 0 {
		p.Addf(path+".places", "受け付ける窓口を 1 つ以上指定してください。")
	}
	for j, id := range sv.Places {
		field := fmt.Sprintf("%s.places[%d]", path, j)
		switch pl, known := s.Place(id); {
		case !known:
			p.Addf(field, "窓口「%s」は places に登録されていません。", id)
		case slices.Index(sv.Places, id) < j:
			p.Addf(field, "窓口「%s」が重複しています。", id)
		case slotsOK:
			checkServiceFits(p, path+".slots", sv, pl)
		}
	}
	for k, item := range sv.ItemsToBring {
		p.required(fmt.Sprintf("%s.items_to_bring[%d]", path, k), item, "持ち物")
	}
}

// checkServiceFits reports a service too long for every opening period of
// the place: it could never be booked there.
func checkServiceFits(p *problems, field string, sv Service, pl Place) {
	longest := pl.longestRange()
	if pl.SlotMinutes <= 0 || longest == 0 {
		return
	}
	if need := sv.SlotCount() * pl.SlotMinutes; need > longest {
		p.Addf(field, "%d 枠（%d 分）続く時間帯が窓口「%s」にありません（最長 %d 分）。枠数を減らすか時間帯を見直してください。",
			sv.SlotCount(), need, pl.ID, longest)
	}
}

// longestRange is the longest well-formed opening period of the place, in
// minutes, over regular hours and special opening days.
func (pl Place) longestRange() int {
	longest := 0
	lists := slices.Collect(maps.Values(pl.Hours))
	lists = slices.AppendSeq(lists, maps.Values(pl.OpenDates))
	for _, specs := range lists {
		for _, spec := range specs {
			if r, ok := parseRange(spec); ok {
				longest = max(longest, r.length())
			}
		}
	}
	return longest
}
