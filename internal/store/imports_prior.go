package store

import "context"

// ImportBySHA256 returns the first recorded import of a file of this kind
// with this checksum, or not_found: "this exact file was imported before".
func (t *Tx) ImportBySHA256(ctx context.Context, kind, sha string) (ImportRecord, error) {
	r, err := t.scanImport(t.queryRow(ctx, `SELECT `+importColumns+` FROM imports WHERE kind = $1 AND sha256 = $2
		ORDER BY id LIMIT 1`, kind, sha))
	return r, translate(err)
}
