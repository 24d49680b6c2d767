package sitetext

import "time"

// SetCacheClock replaces the clock that ages the texts kept in memory.
func SetCacheClock(s *Service, now func() time.Time) { s.inForce.SetClock(now) }
