package export

import "net/http"

// LazyResponse writes a download to an HTTP response, setting its headers
// (Headers) on the first byte. Until then nothing is sent, so an error
// found before the first byte can still be answered as an error page or
// JSON.
type LazyResponse struct {
	W       http.ResponseWriter
	Headers func(http.Header)
	started bool
}

func (l *LazyResponse) Write(p []byte) (int, error) {
	if !l.started {
		l.started = true
		l.Headers(l.W.Header())
	}
	return l.W.Write(p)
}

// Started reports whether anything was written.
func (l *LazyResponse) Started() bool { return l.started }
