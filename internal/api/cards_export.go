package api

import (
	"net/http"

	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/route"
)

// export streams the cards matching the search as CSV: UTF-8 with BOM, or
// CP932 with encoding=cp932.
func (h *CardHandlers) export(w http.ResponseWriter, r *http.Request) {
	q, err := cardQuery(r.URL.Query())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	enc, ok := export.ParseEncoding(r.URL.Query().Get("encoding"))
	if !ok {
		WriteError(w, r, invalid("encoding", "encoding は utf-8 か cp932 を指定してください。"))
		return
	}
	export.SetHeaders(w.Header(), "cards.csv", enc)
	p, _ := route.PrincipalOf(r)
	if err := h.Ledger.Export(r.Context(), p, route.MetaOf(r), q, enc, w); err != nil {
		WriteError(w, r, err) // only reaches the client if nothing was written yet
	}
}
