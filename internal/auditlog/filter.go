package auditlog

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/store"
)

// ParseFilter reads actor, action, target, from, to (YYYY-MM-DD, in loc,
// "to" inclusive), limit and offset from query parameters.
func ParseFilter(q url.Values, loc *time.Location) (store.AuditFilter, error) {
	f := store.AuditFilter{Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")),
		Target: strings.TrimSpace(q.Get("target")), Limit: 100}
	var fe apperr.Fields
	if v := q.Get("from"); v != "" {
		d, err := time.ParseInLocation("2006-01-02", v, loc)
		if err != nil {
			fe.Add("from", "日付は YYYY-MM-DD で指定してください。")
		}
		f.From = d
	}
	if v := q.Get("to"); v != "" {
		d, err := time.ParseInLocation("2006-01-02", v, loc)
		if err != nil {
			fe.Add("to", "日付は YYYY-MM-DD で指定してください。")
		}
		f.To = d.AddDate(0, 0, 1)
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			fe.Add("limit", "1 以上 1000 以下で指定してください。")
		}
		f.Limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			fe.Add("offset", "0 以上で指定してください。")
		}
		f.Offset = n
	}
	if len(fe) > 0 {
		return f, apperr.WithFields("検索条件に誤りがあります。", fe)
	}
	return f, nil
}
