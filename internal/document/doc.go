// Package document is the core of stored documents (issue #19): which
// files are accepted (recognised by content, never by name), the limits
// checked before anything is decoded, the sealed blob format that keeps a
// scan encrypted at rest, splitting scanner stacks (PDF, TIFF) into pages,
// reading the QR codes and barcodes on each page and matching them to a
// card or a booking.
//
// It holds no SQL and no HTTP: callers give it readers, writers, keys and
// settings, and store what it returns.
package document
