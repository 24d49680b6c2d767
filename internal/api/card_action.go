package api

import (
	"context"
	"net/http"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/route"
)

// cardCall is the service call behind an action on one card: the caller,
// the request's metadata, the card's id and the decoded body.
type cardCall[T, R any] func(ctx context.Context, p auth.Principal, m auth.Meta, id int64, req T) (R, error)

// noBody is the body of a card action that reads none (a GET).
type noBody struct{}

// cardAction serves an action on the card {id}: it reads the id, decodes
// the JSON body into a T (unless T is noBody), runs call with the caller's
// principal and metadata, and answers the outcome with write.
func cardAction[T, R any](write func(http.ResponseWriter, *http.Request, R, error), call cardCall[T, R]) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req T
		id, err := cardID(r)
		if _, none := any(req).(noBody); err == nil && !none {
			err = decode(w, r, &req)
		}
		if err != nil {
			WriteError(w, r, err)
			return
		}
		p, _ := route.PrincipalOf(r)
		out, err := call(r.Context(), p, route.MetaOf(r), id, req)
		write(w, r, out, err)
	}
}
