package web

import (
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/booking"
)

// pubChecklist is what the resident brings: the service's items_to_bring as
// the city wrote them, tailored by the answers (an item about the 通知カード
// or the 住基カード only when someone holds one), and the rules every
// city applies: a legal representative's documents for an under-15, a
// voluntary proxy's letter, proof and ID. Without answers (a booking
// opened later) the city's list is shown as it is.
func pubChecklist(v pview, svc booking.Service, answers []pubAnswer) []string {
	var notice, juki, minors, proxies []int
	for i, a := range answers {
		if a.Notice {
			notice = append(notice, i+1)
		}
		if a.Juki {
			juki = append(juki, i+1)
		}
		switch a.Who {
		case whoMinor:
			minors = append(minors, i+1)
		case whoProxy:
			proxies = append(proxies, i+1)
		}
	}
	known := len(answers) > 0
	var out []string
	var hasNoticeItem, hasJukiItem bool
	for _, item := range svc.ItemsToBring {
		isNotice := strings.Contains(item, "通知カード")
		isJuki := strings.Contains(item, "住民基本台帳カード") || strings.Contains(item, "住基カード")
		hasNoticeItem, hasJukiItem = hasNoticeItem || isNotice, hasJukiItem || isJuki
		if known && ((isNotice && len(notice) == 0) || (isJuki && len(juki) == 0)) {
			continue
		}
		out = append(out, v.item(item))
	}
	total := len(answers)
	if len(notice) > 0 && !hasNoticeItem && svc.RequiresCard {
		out = append(out, v.T("item.notice_card")+v.whom(notice, total))
	}
	if len(juki) > 0 && !hasJukiItem && svc.RequiresCard {
		out = append(out, v.T("item.juki_card")+v.whom(juki, total))
	}
	if len(minors) > 0 {
		out = append(out, v.T("item.minor_rep_id")+v.whom(minors, total), v.T("item.minor_proof")+v.whom(minors, total))
	}
	if len(proxies) > 0 {
		w := v.whom(proxies, total)
		out = append(out, v.T("item.proxy_letter")+w, v.T("item.proxy_reason")+w, v.T("item.proxy_id"), v.T("item.proxy_person_id")+w)
	}
	return out
}

// item translates a city's item when the catalog knows its text; the
// city's own wording is shown otherwise.
func (v pview) item(text string) string { return v.L(text) }

// whom names the people an item is for, in a booking of several people.
func (v pview) whom(people []int, total int) string {
	if total <= 1 {
		return ""
	}
	nums := make([]string, len(people))
	for i, n := range people {
		nums[i] = strconv.Itoa(n)
	}
	return v.T("whom", strings.Join(nums, v.T("list.sep")))
}
