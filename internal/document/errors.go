package document

import (
	"fmt"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/document/blob"
)

// Stable error codes of this package (apperr codes), for the API and tests.
const (
	CodeUnsupported   = "document_unsupported"    // not PDF, JPEG, PNG or TIFF, whatever its name says
	CodeCorrupt       = "document_corrupt"        // the right kind of file, but damaged or truncated
	CodeTooLarge      = "document_too_large"      // over the size limit of one file
	CodeDayLimit      = "document_day_limit"      // over the day's upload limit
	CodeTooManyPages  = "document_too_many_pages" // more pages than allowed
	CodeImageTooLarge = "document_image_too_large"
	CodeEncrypted     = "document_encrypted"     // a password-protected PDF
	CodeNoPageImage   = "document_no_page_image" // a PDF page with no scanned image to read
	CodeBlobKey       = blob.CodeKey             // a sealed blob under a key Kofu was not given
	CodeBlobCorrupt   = blob.CodeCorrupt         // a sealed blob altered, truncated or not this blob
)

func unsupported(msg string) error { return apperr.New(CodeUnsupported, msg) }

func corrupt(format Format, err error) error {
	return apperr.Wrap(CodeCorrupt, fmt.Sprintf("%s ファイルが壊れているか、途中で切れています。スキャナーで保存し直してください。", format), err)
}
