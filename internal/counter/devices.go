package counter

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/store"
)

// Device is a registered kiosk or display.
type Device = store.Device

// DeviceTokenPrefix marks device credentials apart from staff API tokens.
const DeviceTokenPrefix = "kofu_device_"

// DeviceInput is what an admin fills in to register a device.
type DeviceInput struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	Place string `json:"place"`
}

// kioskLimitPerMinute bounds a kiosk's check-in attempts: a person types
// a few codes a minute; a script trying codes is held back.
const kioskLimitPerMinute = 30

// CreateDevice registers a device and returns its credential, shown once;
// only its hash is kept.
func (s *Service) CreateDevice(ctx context.Context, a Actor, in DeviceInput) (string, Device, error) {
	in.Name = strings.TrimSpace(in.Name)
	var f apperr.Fields
	if in.Name == "" || len([]rune(in.Name)) > 100 {
		f.Add("name", "名前を 1〜100 文字で指定してください。")
	}
	if in.Kind != store.DeviceKiosk && in.Kind != store.DeviceDisplay {
		f.Add("kind", "種類は kiosk（受付機）か display（呼出表示）を指定してください。")
	}
	if _, err := s.today(ctx, in.Place); err != nil {
		f.Add("place", "場所を選んでください。")
	}
	if f != nil {
		return "", Device{}, apperr.WithFields("入力内容を確認してください。", f)
	}
	token := newDeviceToken()
	var dev Device
	err := s.update(ctx, func(tx *store.Tx, now time.Time) error {
		dev = Device{Name: in.Name, Kind: in.Kind, Place: in.Place, TokenHash: secret.HashToken(token), CreatedAt: now, CreatedBy: a.Name}
		if err := tx.InsertDevice(ctx, &dev); err != nil {
			return err
		}
		return a.audit(ctx, tx, now, "counter.device_created", "device:"+itoa(dev.ID),
			map[string]any{"name": dev.Name, "kind": dev.Kind, "place": dev.Place})
	})
	return token, dev, err
}

func newDeviceToken() string {
	var b [32]byte
	rand.Read(b[:])
	return DeviceTokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// IsDeviceToken tells a device credential from a staff API token.
func IsDeviceToken(token string) bool {
	return strings.HasPrefix(strings.TrimSpace(token), DeviceTokenPrefix)
}

// Devices lists the devices (never their credentials).
func (s *Service) Devices(ctx context.Context) ([]Device, error) {
	var out []Device
	err := s.DB.View(ctx, func(tx *store.Tx) (err error) { out, err = tx.Devices(ctx); return })
	return out, err
}

// RevokeDevice ends a device's credential, audited.
func (s *Service) RevokeDevice(ctx context.Context, a Actor, id int64) error {
	return s.update(ctx, func(tx *store.Tx, now time.Time) error {
		d, err := tx.RevokeDevice(ctx, id, now)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.Wrap(apperr.NotFound, "有効な端末が見つかりません。", err)
		}
		if err != nil {
			return err
		}
		return a.audit(ctx, tx, now, "counter.device_revoked", "device:"+itoa(id), map[string]any{"name": d.Name, "place": d.Place})
	})
}

// AuthenticateDevice returns the live device holding the credential.
func (s *Service) AuthenticateDevice(ctx context.Context, token string) (Device, error) {
	token = strings.TrimSpace(token)
	if !IsDeviceToken(token) {
		return Device{}, apperr.New(apperr.Unauthenticated, "この端末は登録されていません。")
	}
	var d Device
	err := s.DB.View(ctx, func(tx *store.Tx) (err error) { d, err = tx.DeviceByTokenHash(ctx, secret.HashToken(token)); return })
	if apperr.Is(err, apperr.NotFound) {
		return Device{}, apperr.New(apperr.Unauthenticated, "この端末は登録されていないか、登録が取り消されています。")
	}
	if err != nil {
		return Device{}, err
	}
	if now := s.Clock.Now(); now.Sub(d.LastUsedAt) > time.Minute {
		s.DB.Update(ctx, func(tx *store.Tx) error { return tx.TouchDevice(ctx, d.ID, now) })
	}
	return d, nil
}

// KioskCheckIn is a check-in at a kiosk: at the kiosk's own place only,
// limited per device, and an unknown code answered like a malformed one.
func (s *Service) KioskCheckIn(ctx context.Context, d Device, a Actor, code string) (Ticket, bool, error) {
	if d.Kind != store.DeviceKiosk {
		return Ticket{}, false, apperr.New(apperr.Forbidden, "この端末では受付できません。")
	}
	if err := s.limitDevice(ctx, d); err != nil {
		return Ticket{}, false, err
	}
	return s.CheckIn(ctx, a, code, d.Place)
}

// KioskWalkIn is a walk-in ticket at a kiosk, limited per device.
func (s *Service) KioskWalkIn(ctx context.Context, d Device, a Actor) (Ticket, error) {
	if d.Kind != store.DeviceKiosk {
		return Ticket{}, apperr.New(apperr.Forbidden, "この端末では受付できません。")
	}
	if err := s.limitDevice(ctx, d); err != nil {
		return Ticket{}, err
	}
	return s.WalkIn(ctx, a, d.Place)
}

// limitDevice counts an attempt of the device in this minute's window
// (shared by every instance) and refuses the attempts over the limit.
func (s *Service) limitDevice(ctx context.Context, d Device) error {
	now := s.Clock.Now()
	var n int
	err := s.DB.Update(ctx, func(tx *store.Tx) (err error) {
		n, err = tx.HitRateLimit(ctx, "device:"+itoa(d.ID), now.Truncate(time.Minute))
		return
	})
	if err != nil {
		return err
	}
	if n > kioskLimitPerMinute {
		return apperr.New(apperr.RateLimited, "受付が混み合っています。少し待ってからもう一度お試しください。")
	}
	return nil
}
