package auditlog

// actionLabels are the Japanese names of audit actions shown to staff.
// Later features add theirs here.
var actionLabels = map[string]string{
	"auth.login_ok":             "ログイン",
	"auth.login_failed":         "ログイン失敗",
	"auth.logout":               "ログアウト",
	"auth.locked":               "アカウントのロック",
	"auth.unlocked":             "ロック解除",
	"auth.password_changed":     "パスワード変更",
	"auth.password_reset":       "仮パスワード発行",
	"auth.sessions_ended":       "セッションの強制終了",
	"auth.totp_started":         "二要素認証の設定開始",
	"auth.totp_enabled":         "二要素認証の有効化",
	"auth.totp_disabled":        "二要素認証の解除",
	"auth.recovery_code_used":   "回復コードの使用",
	"auth.token_created":        "API トークン発行",
	"auth.token_revoked":        "API トークン失効",
	"user.created":              "利用者の追加",
	"user.role_changed":         "役割の変更",
	"settings.security_changed": "セキュリティ設定の変更",
	"audit.viewed":              "監査ログの閲覧",
	"audit.exported":            "監査ログの出力",
	"audit.purged":              "保存期間を過ぎた監査ログの削除",
}

// ActionLabel returns the Japanese name of an action, or the action itself.
func ActionLabel(action string) string {
	if l, ok := actionLabels[action]; ok {
		return l
	}
	return action
}
