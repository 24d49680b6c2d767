package route

import (
	"context"
	"net/http"

	"github.com/kofu-oss/kofu/internal/auth"
)

type ctxKey int

const (
	principalKey ctxKey = iota
	metaKey
)

// WithPrincipal returns r carrying the principal.
func WithPrincipal(r *http.Request, p auth.Principal) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), principalKey, p))
}

// PrincipalOf returns the principal of a guarded request.
func PrincipalOf(r *http.Request) (auth.Principal, bool) {
	p, ok := r.Context().Value(principalKey).(auth.Principal)
	return p, ok
}

// WithMeta stores the request's audit metadata in ctx.
func WithMeta(ctx context.Context, m auth.Meta) context.Context {
	return context.WithValue(ctx, metaKey, m)
}

// MetaOf returns the audit metadata (client IP, request ID, user agent).
func MetaOf(r *http.Request) auth.Meta {
	m, _ := r.Context().Value(metaKey).(auth.Meta)
	return m
}
