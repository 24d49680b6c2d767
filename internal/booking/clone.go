package booking

import (
	"maps"
	"slices"
)

// Clone returns a deep copy of the settings: the copy's places, services,
// hours and date lists can be changed without touching s. The reserve
// package hands out copies of the settings it keeps decoded.
func (s Settings) Clone() Settings {
	c := s
	c.Places = slices.Clone(s.Places)
	for i, p := range c.Places {
		c.Places[i].ChannelCapacity = maps.Clone(p.ChannelCapacity)
		c.Places[i].Hours = cloneLists(p.Hours)
		c.Places[i].ClosedDates = slices.Clone(p.ClosedDates)
		c.Places[i].OpenDates = cloneLists(p.OpenDates)
	}
	c.Services = slices.Clone(s.Services)
	for i, sv := range c.Services {
		c.Services[i].Places = slices.Clone(sv.Places)
		c.Services[i].ItemsToBring = slices.Clone(sv.ItemsToBring)
	}
	return c
}

// cloneLists copies a map of lists, lists included.
func cloneLists(m map[string][]string) map[string][]string {
	if m == nil {
		return nil
	}
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[k] = slices.Clone(v)
	}
	return out
}
