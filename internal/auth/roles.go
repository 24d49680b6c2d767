package auth

// Roles of staff accounts, from most to least powerful.
const (
	RoleAdmin  = "admin"
	RoleStaff  = "staff"
	RoleViewer = "viewer"
)

var roleRank = map[string]int{RoleViewer: 1, RoleStaff: 2, RoleAdmin: 3}

// ValidRole reports whether r is a known role.
func ValidRole(r string) bool { return roleRank[r] > 0 }

// RoleLabel is the Japanese name of a role.
func RoleLabel(r string) string {
	switch r {
	case RoleAdmin:
		return "管理者"
	case RoleStaff:
		return "職員"
	case RoleViewer:
		return "閲覧者"
	}
	return r
}

// AtLeast reports whether role has at least the power of min.
func AtLeast(role, min string) bool { return roleRank[role] >= roleRank[min] && roleRank[role] > 0 }

// Principal is who is calling: a staff member through a session or token.
type Principal struct {
	UserID             int64  `json:"id"`
	Username           string `json:"username"`
	DisplayName        string `json:"display_name"`
	Role               string `json:"role"`
	MustChangePassword bool   `json:"must_change_password"`
	NeedsTOTP          bool   `json:"totp_enrollment_required"`
	TOTPEnabled        bool   `json:"totp_enabled"`
	Via                string `json:"-"` // "session" or "token"
	SessionHash        string `json:"-"`
}

// Restricted reports whether the principal may only fix its account
// (change the password or enrol TOTP) before doing anything else.
func (p Principal) Restricted() bool { return p.MustChangePassword || p.NeedsTOTP }

// Meta describes the request an action comes from, for the audit log.
type Meta struct {
	IP        string
	RequestID string
	UserAgent string
}
