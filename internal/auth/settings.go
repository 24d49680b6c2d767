package auth

import (
	"slices"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth/secret"
)

// SettingsKey is where the security settings live in the settings table.
const SettingsKey = "security"

// Settings are the city's security rules, one JSON document that admins
// edit. Every field has a safe default.
type Settings struct {
	PasswordMinLength      int      `json:"password_min_length"`
	PasswordRequireClasses int      `json:"password_require_classes"` // 0: no composition rule
	PasswordExpiryDays     int      `json:"password_expiry_days"`     // 0: never
	PasswordBlocked        []string `json:"password_blocked"`         // city additions to the block list
	LockoutThreshold       int      `json:"lockout_threshold"`
	LockoutMinutes         int      `json:"lockout_minutes"` // 0: until an admin unlocks
	LoginThrottlePerMinute int      `json:"login_throttle_per_minute"`
	SessionIdleMinutes     int      `json:"session_idle_minutes"`
	SessionAbsoluteHours   int      `json:"session_absolute_hours"`
	TOTPRequiredRoles      []string `json:"totp_required_roles"`
	AuditRetentionYears    int      `json:"audit_retention_years"`
}

// DefaultSettings are the rules before an admin changes anything.
func DefaultSettings() Settings {
	return Settings{
		PasswordMinLength:      12,
		LockoutThreshold:       5,
		LockoutMinutes:         30,
		LoginThrottlePerMinute: 30,
		SessionIdleMinutes:     30,
		SessionAbsoluteHours:   12,
		AuditRetentionYears:    5,
	}
}

// Validate reports every field that is out of range, in Japanese.
func (s Settings) Validate() error {
	var fe apperr.Fields
	check := func(ok bool, field, msg string) {
		if !ok {
			fe.Add(field, msg)
		}
	}
	check(s.PasswordMinLength >= 8 && s.PasswordMinLength <= 128, "password_min_length", "8 以上 128 以下で指定してください。")
	check(s.PasswordRequireClasses >= 0 && s.PasswordRequireClasses <= 4, "password_require_classes", "0 以上 4 以下で指定してください。")
	check(s.PasswordExpiryDays >= 0 && s.PasswordExpiryDays <= 3650, "password_expiry_days", "0 以上 3650 以下で指定してください。")
	check(s.LockoutThreshold >= 1 && s.LockoutThreshold <= 100, "lockout_threshold", "1 以上 100 以下で指定してください。")
	check(s.LockoutMinutes >= 0 && s.LockoutMinutes <= 10080, "lockout_minutes", "0 以上 10080 以下で指定してください (0 は管理者が解除するまで)。")
	check(s.LoginThrottlePerMinute >= 1 && s.LoginThrottlePerMinute <= 10000, "login_throttle_per_minute", "1 以上 10000 以下で指定してください。")
	check(s.SessionIdleMinutes >= 1 && s.SessionIdleMinutes <= 1440, "session_idle_minutes", "1 以上 1440 以下で指定してください。")
	check(s.SessionAbsoluteHours >= 1 && s.SessionAbsoluteHours <= 168, "session_absolute_hours", "1 以上 168 以下で指定してください。")
	check(s.AuditRetentionYears >= 1 && s.AuditRetentionYears <= 100, "audit_retention_years", "1 以上 100 以下で指定してください。")
	for _, r := range s.TOTPRequiredRoles {
		check(ValidRole(r), "totp_required_roles", "不明な役割です: "+r)
	}
	if len(fe) > 0 {
		return apperr.WithFields("設定に誤りがあります。", fe)
	}
	return nil
}

// Policy is the password policy these settings describe.
func (s Settings) Policy() secret.Policy {
	return secret.Policy{MinLength: s.PasswordMinLength, RequireClasses: s.PasswordRequireClasses,
		ExpiryDays: s.PasswordExpiryDays, ExtraBlocked: s.PasswordBlocked}
}

func (s Settings) lockout() time.Duration { return time.Duration(s.LockoutMinutes) * time.Minute }
func (s Settings) idle() time.Duration    { return time.Duration(s.SessionIdleMinutes) * time.Minute }
func (s Settings) absolute() time.Duration {
	return time.Duration(s.SessionAbsoluteHours) * time.Hour
}

// TOTPRequired reports whether the role must use two-factor login.
func (s Settings) TOTPRequired(role string) bool { return slices.Contains(s.TOTPRequiredRoles, role) }
