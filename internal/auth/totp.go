package auth

import (
	"context"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/store"
)

// recoveryCodeCount is how many single-use recovery codes a user gets.
const recoveryCodeCount = 10

// BeginTOTP creates a new, not yet active secret for the user and returns it
// with its otpauth:// URL for the authenticator app.
func (s *Service) BeginTOTP(ctx context.Context, p Principal, m Meta) (secretB32, url string, err error) {
	secretB32, url, err = secret.NewTOTPSecret(s.issuer, p.Username)
	if err != nil {
		return "", "", err
	}
	err = s.changeUser(ctx, p, m, p.Username, "auth.totp_started", func(_ *store.Tx, u *store.User, _ time.Time) (map[string]any, error) {
		if u.TOTPEnabled {
			return nil, apperr.New(apperr.Conflict, "二要素認証はすでに有効です。")
		}
		u.TOTPSecret = secretB32
		return nil, nil
	})
	return secretB32, url, err
}

// ConfirmTOTP activates the pending secret once the user proves it with a
// code, and returns fresh recovery codes (shown once).
func (s *Service) ConfirmTOTP(ctx context.Context, p Principal, m Meta, code string) ([]string, error) {
	codes := secret.RecoveryCodes(recoveryCodeCount)
	err := s.changeUser(ctx, p, m, p.Username, "auth.totp_enabled", func(tx *store.Tx, u *store.User, now time.Time) (map[string]any, error) {
		if u.TOTPEnabled || u.TOTPSecret == "" {
			return nil, apperr.New(apperr.Conflict, "先に二要素認証の設定を開始してください。")
		}
		step, ok := secret.ValidateTOTP(u.TOTPSecret, code, now)
		if !ok {
			return nil, apperr.WithFields("確認コードが正しくありません。", []apperr.FieldError{{Field: "code", Message: "正しくありません。"}})
		}
		u.TOTPEnabled, u.TOTPLastStep = true, step
		return nil, tx.ReplaceRecoveryCodes(ctx, u.ID, hashAll(codes))
	})
	return codes, err
}

// DisableTOTP turns two-factor login off for a user (self with password, or
// an admin for a user who lost the device).
func (s *Service) DisableTOTP(ctx context.Context, p Principal, m Meta, username string) error {
	return s.changeUser(ctx, p, m, username, "auth.totp_disabled", func(tx *store.Tx, u *store.User, _ time.Time) (map[string]any, error) {
		u.TOTPEnabled, u.TOTPSecret, u.TOTPLastStep = false, "", 0
		return nil, tx.ReplaceRecoveryCodes(ctx, u.ID, nil)
	})
}

func hashAll(codes []string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = secret.HashToken(secret.NormalizeRecoveryCode(c))
	}
	return out
}
