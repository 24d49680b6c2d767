package web

import (
	"strings"

	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/calendar"
)

// pubCheckGroup is the checklist of one person (Title names them in a
// booking of several; empty for one person).
type pubCheckGroup struct {
	Title string
	Items []string
}

// pubChecklist is what each person brings: the service's items_to_bring
// as the city wrote them, tailored by that person's answers (an item about
// the 通知カード or the 住基カード only when they hold one), and the rules
// every city applies: a legal representative's documents for an under-15,
// a voluntary proxy's letter, proof and IDs (the holder's ID replacing
// the city's ID item, which would say the same twice). A family gets one
// list per person; titles names them. Without answers (a booking opened
// later) the city's list is shown as it is, once.
func pubChecklist(v pview, svc booking.Service, answers []pubAnswer, titles []string) []pubCheckGroup {
	if len(answers) == 0 {
		g := pubCheckGroup{}
		for _, item := range svc.ItemsToBring {
			g.Items = append(g.Items, v.item(item))
		}
		return []pubCheckGroup{g}
	}
	out := make([]pubCheckGroup, len(answers))
	for i, a := range answers {
		if len(answers) > 1 && i < len(titles) {
			out[i].Title = titles[i]
		}
		out[i].Items = pubPersonItems(v, svc, a)
	}
	return out
}

// pubPersonItems is one person's list.
func pubPersonItems(v pview, svc booking.Service, a pubAnswer) []string {
	var out []string
	var hasNoticeItem, hasJukiItem bool
	for _, item := range svc.ItemsToBring {
		isNotice := strings.Contains(item, "通知カード")
		isJuki := strings.Contains(item, "住民基本台帳カード") || strings.Contains(item, "住基カード")
		isID := strings.Contains(item, "本人確認書類")
		hasNoticeItem, hasJukiItem = hasNoticeItem || isNotice, hasJukiItem || isJuki
		if (isNotice && !a.Notice) || (isJuki && !a.Juki) || (isID && a.Who == whoProxy) {
			continue
		}
		out = append(out, v.item(item))
	}
	if a.Notice && !hasNoticeItem && svc.RequiresCard {
		out = append(out, v.T("item.notice_card"))
	}
	if a.Juki && !hasJukiItem && svc.RequiresCard {
		out = append(out, v.T("item.juki_card"))
	}
	switch a.Who {
	case whoMinor:
		out = append(out, v.T("item.minor_rep_id"), v.T("item.minor_proof"))
	case whoProxy:
		out = append(out, v.T("item.proxy_letter"), v.T("item.proxy_reason"), v.T("item.proxy_person_id"), v.T("item.proxy_id"))
	}
	return out
}

// pubFlatItems lists every item of the groups, for the confirm page's
// ticks and counts.
func pubFlatItems(groups []pubCheckGroup) []string {
	var out []string
	for _, g := range groups {
		out = append(out, g.Items...)
	}
	return out
}

// item translates a city's item when the catalog knows its text; the
// city's own wording is shown otherwise.
func (v pview) item(text string) string { return v.L(text) }

// pubMinorAge: a holder under this age comes with the legal representative.
const pubMinorAge = 15

// pubAge is the age on day of a person born on birth ("" or bad: -1).
func pubAge(birth string, day calendar.Date) int {
	b, err := calendar.ParseDate(birth)
	if err != nil {
		return -1
	}
	age := day.Year - b.Year
	if day.Month < b.Month || (day.Month == b.Month && day.Day < b.Day) {
		age--
	}
	return age
}
