package reserve

import "time"

// SetPublicSettingsClock replaces the clock that ages the settings the
// citizen pages see.
func SetPublicSettingsClock(s *Service, now func() time.Time) { s.public.SetClock(now) }
