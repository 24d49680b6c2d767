// Package jlis reads the card delivery lists J-LIS sends with each batch of
// My Number cards. No public specification of the layout exists, so columns
// are found by header name (with aliases and a per-city Profile), the
// encoding is detected, dates come in many styles, and every problem is
// reported per physical line in Japanese for staff. The package does no I/O
// beyond the io.Reader it is given.
package jlis
