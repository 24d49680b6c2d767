package web

import (
	"bytes"
	"net/http"

	"github.com/kofu-oss/kofu/internal/qr"
	"github.com/kofu-oss/kofu/internal/reserve"
)

// qr answers a PNG QR code of a booking code, for the done page and its
// printout: staff can read the code at the counter without typing it. Only
// well-formed booking codes are drawn; the code alone reveals nothing.
func (s *pubSite) qr(w http.ResponseWriter, r *http.Request) {
	code, ok := reserve.NormalizeCode(r.URL.Query().Get("code"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	c, err := qr.Encode(reserve.FormatCode(code), qr.Medium)
	var png bytes.Buffer
	if err == nil {
		err = c.WritePNG(&png, 8)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(png.Bytes())
}
