// Package booking holds the pure rules of pickup booking: the city's booking
// settings and their validation, the slots a place offers, the booking
// window, the change/cancel cut-off and availability arithmetic.
//
// The package does no I/O. Time is always passed in: "now" comes from an
// injected clock, and every calendar decision is made on dates in the
// settings' time zone (Asia/Tokyo by default), whatever zone the instants
// arrive in. Days are counted on the calendar, never as 24-hour periods.
//
// # Booking window
//
// Let today be the date of now in the settings' time zone and D the date of
// the slot. A slot is bookable when all of these hold:
//
//   - it starts after now;
//   - D is at most today + max_days_ahead (a new day opens at 00:00);
//   - D is at least today + min_days_ahead, and, when same_day_closing is
//     set, bookings for D close at that time of day on D - min_days_ahead.
//
// With min_days_ahead 1 and same_day_closing "17:00", a slot on 10 December
// can be booked until 9 December 16:59:59; from 17:00 on 9 December the
// first bookable day is 11 December. With min_days_ahead 0 and "17:00",
// same-day booking is open until 17:00 (for slots not yet started). An empty
// same_day_closing means the day itself closes at midnight, i.e. only the
// day counts apply.
//
// # Change and cancel cut-off
//
// A booking on day D can be changed or cancelled online until the end of
// day D - change_cutoff_days - 1, that is, change_cutoff_days whole days
// must remain between today and D. With 2, a booking on 10 December can be
// changed until 7 December 23:59:59 and not from 00:00 on 8 December; with
// 0, until the end of the day before. After the cut-off the resident phones.
//
// # Capacity by channel
//
// capacity is the number of seats (counters) per slot. Without
// channel_capacity every channel (web, phone, counter) draws from all of
// them. With it, channel_capacity[c] seats of each slot are reserved for
// channel c, and the rest (capacity minus the sum) is a pool shared by all
// channels; a channel missing from the map has no reserved seats. A channel
// uses its reserved seats first and then the shared pool.
package booking
