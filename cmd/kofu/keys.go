package main

import (
	"context"
	"fmt"

	"github.com/kofu-oss/kofu/internal/fieldcrypt"
)

// keys handles `kofu keys generate`.
func (e env) keys(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("kofu keys generate | rotate を指定してください")
	}
	switch args[0] {
	case "generate":
		fmt.Fprintln(e.stdout, fieldcrypt.Generate())
		return nil
	default:
		return fmt.Errorf("不明な keys のコマンドです: %s", args[0])
	}
}
