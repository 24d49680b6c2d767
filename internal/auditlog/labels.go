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

	"card.viewed":                   "カードの閲覧",
	"card.searched":                 "カードの検索",
	"card.exported":                 "カードの CSV 出力",
	"card.status_changed":           "カードの状態変更",
	"card.remarks_updated":          "備考の変更",
	"card.storage_location_set":     "保管場所の変更",
	"card.notice_sent":              "通知書の発送",
	"card.notice_returned":          "通知書の返戻",
	"card.notice_resent":            "通知書の再送",
	"card.renotice_sent":            "再通知",
	"card.returns_listed":           "返戻一覧の閲覧",
	"card.renotices_listed":         "再通知一覧の閲覧",
	"card.renotices_exported":       "再通知一覧の出力",
	"card.renotices_printed":        "再通知一覧の印刷",
	"card.disposals_listed":         "廃棄対象一覧の閲覧",
	"card.disposals_exported":       "廃棄対象一覧の出力",
	"card.disposals_printed":        "廃棄対象一覧の印刷",
	"card.disposals_pending_listed": "廃棄確認待ち一覧の閲覧",
	"card.disposals_held_listed":    "廃棄保留一覧の閲覧",
	"card.disposal_proposed":        "廃棄の申請",
	"card.disposed":                 "廃棄（確認済み）",
	"card.disposal_held":            "廃棄の保留",
	"card.disposal_hold_released":   "廃棄保留の解除",
	"card.notice_candidates_listed": "通知書発送候補の閲覧",
	"import.jlis":                   "J-LIS 納品データの取込",
	"gaiji.changed":                 "外字表の変更",
	"gaiji.deleted":                 "外字の削除",
	"gaiji.review_viewed":           "外字未登録一覧の閲覧",
	"booking.created":               "予約の登録",
	"booking.changed":               "予約の変更",
	"booking.cancelled":             "予約の取消",
	"booking.held":                  "予約枠の仮押さえ",
	"booking.checked_in":            "来庁の記録",
	"booking.issued":                "交付の記録",
	"booking.no_show":               "来庁なしの記録",
	"booking.listed":                "予約一覧の閲覧",
	"booking.viewed":                "予約の閲覧",
	"settings.booking_changed":      "予約設定の変更",
	"settings.disposal_changed":     "廃棄ルールの変更",
	"settings.jlis_profile_changed": "取込の列対応表の変更",
	"settings.mail_changed":         "メール設定の変更",
	"mail.retried":                  "メールの再送",
	"dashboard.viewed":              "ダッシュボードの閲覧",
}

// ActionLabel returns the Japanese name of an action, or the action itself.
func ActionLabel(action string) string {
	if l, ok := actionLabels[action]; ok {
		return l
	}
	return action
}
