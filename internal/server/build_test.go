package server

import (
	"context"

	"github.com/kofu-oss/kofu/internal/app"
)

// build builds the city of d and its server, as `kofu serve` does.
func build(d app.Deps) (*Server, error) {
	city, err := app.New(context.Background(), d)
	if err != nil {
		return nil, err
	}
	return New(city, Options{})
}
