package store

import (
	"context"
	"database/sql"
	"time"
)

// Device kinds.
const (
	DeviceKiosk   = "kiosk"   // self check-in at the entrance
	DeviceDisplay = "display" // the waiting room's call screen
)

// Device is a kiosk or display registered for one place; only the hash
// of its credential is stored.
type Device struct {
	ID         int64
	Name       string
	Kind       string
	Place      string
	TokenHash  string
	CreatedAt  time.Time
	CreatedBy  string
	RevokedAt  time.Time
	LastUsedAt time.Time
}

const deviceColumns = `id, name, kind, place, token_hash, created_at, created_by, revoked_at, last_used_at`

func scanDevice(row interface{ Scan(...any) error }) (Device, error) {
	var d Device
	var created, used int64
	var revoked sql.NullInt64
	err := row.Scan(&d.ID, &d.Name, &d.Kind, &d.Place, &d.TokenHash, &created, &d.CreatedBy, &revoked, &used)
	d.CreatedAt, d.RevokedAt, d.LastUsedAt = fromMillis(created), fromMillis(revoked.Int64), fromMillis(used)
	return d, err
}

// InsertDevice stores a device and sets its ID.
func (t *Tx) InsertDevice(ctx context.Context, d *Device) error {
	err := t.queryRow(ctx, `INSERT INTO counter_devices (name, kind, place, token_hash, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		d.Name, d.Kind, d.Place, d.TokenHash, millis(d.CreatedAt), d.CreatedBy).Scan(&d.ID)
	return translate(err)
}

// DeviceByTokenHash returns a live (not revoked) device, or not_found.
func (t *Tx) DeviceByTokenHash(ctx context.Context, hash string) (Device, error) {
	d, err := scanDevice(t.queryRow(ctx, `SELECT `+deviceColumns+` FROM counter_devices
		WHERE token_hash = $1 AND revoked_at IS NULL`, hash))
	return d, translate(err)
}

// Devices lists every device, newest first.
func (t *Tx) Devices(ctx context.Context) ([]Device, error) {
	rows, err := t.query(ctx, `SELECT `+deviceColumns+` FROM counter_devices ORDER BY id DESC`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []Device
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// RevokeDevice revokes a live device and returns it, or not_found.
func (t *Tx) RevokeDevice(ctx context.Context, id int64, at time.Time) (Device, error) {
	d, err := scanDevice(t.queryRow(ctx, `UPDATE counter_devices SET revoked_at = $2
		WHERE id = $1 AND revoked_at IS NULL RETURNING `+deviceColumns, id, millis(at)))
	return d, translate(err)
}

// TouchDevice records that the device was used.
func (t *Tx) TouchDevice(ctx context.Context, id int64, at time.Time) error {
	_, err := t.exec(ctx, `UPDATE counter_devices SET last_used_at = $2 WHERE id = $1`, id, millis(at))
	return translate(err)
}

// BookingOfCard is the newest booking (not a hold) naming the card, or
// not_found.
func (t *Tx) BookingOfCard(ctx context.Context, cardID int64) (int64, error) {
	var id int64
	err := t.queryRow(ctx, `SELECT b.id FROM booking_people p JOIN bookings b ON b.id = p.booking_id
		WHERE p.card_id = $1 AND b.status NOT IN ('held', 'expired') ORDER BY b.id DESC LIMIT 1`, cardID).Scan(&id)
	return id, translate(err)
}
