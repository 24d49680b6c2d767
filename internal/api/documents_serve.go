package api

import (
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/filing"
	"github.com/kofu-oss/kofu/internal/route"
)

// ServeDocument answers with a document's original bytes (range requests
// too), audited by the service before the first byte. An error before
// the headers are written is returned for the caller to answer; a sealed
// blob found altered half-way ends the response short. The staff pages
// serve downloads through it as well.
func ServeDocument(w http.ResponseWriter, r *http.Request, svc *filing.Service, p auth.Principal, id int64) error {
	return svc.Content(r.Context(), p, route.MetaOf(r), id, func(d filing.Document, content io.ReadSeeker) error {
		h := w.Header()
		h.Set("Content-Type", d.MediaType)
		h.Set("Cache-Control", "private, no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": d.DownloadName()}))
		h.Set("ETag", `"`+d.SHA256+`"`)
		http.ServeContent(w, r, "", time.Time{}, content)
		return nil
	})
}
