package web

import (
	"net/http"
	"net/url"

	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/route"
)

// registerNoticeLink adds the short address a notice's QR code carries,
// /N/A1B-123456 (upper case, so the code packs small), which opens the
// booking with the notice number filled in.
func (s *pubSite) registerNoticeLink(rt *route.Router) {
	rt.Handle("GET /N/{notice}", route.Public, s.noticeLink)
	rt.Handle("GET /n/{notice}", route.Public, s.noticeLink)
}

// noticeLink sends the resident to the first step of the pickup booking
// with the number filled in. A number that is not of the notice's form is
// dropped, so the page asks for it as usual; nothing is looked up here.
func (s *pubSite) noticeLink(w http.ResponseWriter, r *http.Request) {
	q := url.Values{}
	st, err := s.ui.Reserve.PublicSettings(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, sv := range st.Services {
		if sv.RequiresCard {
			q.Set("service", sv.ID)
			break
		}
	}
	if n, err := ledger.NormalizeNoticeNumber(r.PathValue("notice")); err == nil && q.Get("service") != "" {
		q.Set("notice", n)
	}
	if lang := r.URL.Query().Get("lang"); lang == langEN {
		q.Set("lang", lang)
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, "/booking/start?"+q.Encode(), http.StatusSeeOther)
}

// prefilledNotice is the notice number a link filled in, when it is of the
// notice's form.
func prefilledNotice(r *http.Request) string {
	n, err := ledger.NormalizeNoticeNumber(r.URL.Query().Get("notice"))
	if err != nil {
		return ""
	}
	return n
}
