// Package secret holds Kofu's pure security primitives: Argon2id password
// hashing, the password policy, random session IDs, API tokens, one-time
// passwords and recovery codes, and TOTP second factors.
//
// The package does no I/O besides reading crypto/rand and keeps no mutable
// package state: its only package-level data are constant tables and the
// embedded block list of common passwords (common_passwords.txt). Services
// that store users, sessions and tokens live in the parent package
// internal/auth.
//
// Passwords are normalised with Unicode NFKC before they are hashed or
// checked, so that a password typed with a Japanese IME in full-width mode
// (for example "ｐａｓｓ１２３") matches the same password typed in half-width
// mode, as NIST SP 800-63B recommends.
package secret
