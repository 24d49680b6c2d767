package document

import (
	"fmt"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/document/blob"
)

// Stable error codes of this package (apperr codes), for the API and tests.
var (
	CodeUnsupported   = apperr.Define("document_unsupported", apperr.KindInvalid)    // not PDF, JPEG, PNG or TIFF, whatever its name says
	CodeCorrupt       = apperr.Define("document_corrupt", apperr.KindInvalid)        // the right kind of file, but damaged or truncated
	CodeTooLarge      = apperr.Define("document_too_large", apperr.KindTooLarge)     // over the size limit of one file
	CodeDayLimit      = apperr.Define("document_day_limit", apperr.KindLimited)      // over the day's upload limit
	CodeTooManyPages  = apperr.Define("document_too_many_pages", apperr.KindInvalid) // more pages than allowed
	CodeImageTooLarge = apperr.Define("document_image_too_large", apperr.KindInvalid)
	CodeEncrypted     = apperr.Define("document_encrypted", apperr.KindInvalid)     // a password-protected PDF
	CodeNoPageImage   = apperr.Define("document_no_page_image", apperr.KindInvalid) // a PDF page with no scanned image to read
	CodeBlobKey       = blob.CodeKey                                                // a sealed blob under a key Kofu was not given
	CodeBlobCorrupt   = blob.CodeCorrupt                                            // a sealed blob altered, truncated or not this blob
)

func unsupported(msg string) error { return apperr.New(CodeUnsupported, msg) }

func corrupt(format Format, err error) error {
	return apperr.Wrap(CodeCorrupt, fmt.Sprintf("%s ファイルが壊れているか、途中で切れています。スキャナーで保存し直してください。", format), err)
}
