package bench

import (
	"os"

	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/store"
)

// dataKeyEnv carries the run's data key to the server child process, so
// both read the personal data the other sealed.
const dataKeyEnv = "KOFU_DATA_KEY"

// useKeys gives db the run's data key: the one in the environment, or a
// new one that the environment then passes on to child processes. The
// benchmark measures the product as it runs, with encryption at rest.
func useKeys(db *store.DB) error {
	text := os.Getenv(dataKeyEnv)
	if text == "" {
		text = fieldcrypt.Generate()
		if err := os.Setenv(dataKeyEnv, text); err != nil {
			return err
		}
	}
	keys, err := fieldcrypt.Load(text, "", "")
	if err != nil {
		return err
	}
	db.UseKeys(keys)
	return nil
}
