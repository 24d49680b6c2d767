package document

import "github.com/kofu-oss/kofu/internal/document/blob"

// The sealed blob format lives in internal/document/blob, which the store
// uses without the file readers of this package; these names keep it at
// hand here.
type (
	Sealer  = blob.Sealer
	BlobKey = blob.Key
	Sealed  = blob.Sealed
)

var (
	NewSealer = blob.NewSealer
	SealerFor = blob.SealerFor
	KeyID     = blob.KeyID
)
