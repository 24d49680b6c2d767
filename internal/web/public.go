package web

import (
	"net/http"

	"github.com/kofu-oss/kofu/internal/route"
)

// RegisterPublic adds the citizen site's pages. Until the booking site
// lands, the top page says what this site is for.
func (ui *UI) RegisterPublic(rt *route.Router) {
	rt.Handle("GET /{$}", route.Public, func(w http.ResponseWriter, r *http.Request) {
		ui.render(w, r, http.StatusOK, "public_top", view{Title: "マイナンバーカード 受け取り予約", Public: true})
	})
}
