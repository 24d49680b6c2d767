// Package reserve is the booking engine: availability, holds, bookings
// made by residents on the web and by staff for phone callers, changes and
// cancellations, and the counter's day (check-in, issuance, no-shows). The
// rules come from package booking; this package applies them to the
// database and the card ledger, and audits every change in the transaction
// that makes it.
//
// # Capacity
//
// Seats are counted per base slot in one slot_usage row with a column per
// channel. Taking seats is one conditional UPDATE whose WHERE clause is the
// channel arithmetic of booking.Place.RemainingFor; when it changes no row
// the slot is full. Every base slot of a multi-slot service and every
// person of a family go through one transaction, so a booking takes all
// its seats or none. The database decides, not a read in Go, so several
// server processes on one PostgreSQL cannot overbook either.
//
// # Holds
//
// A hold keeps seats for hold_minutes while the resident fills in the
// form. It is a booking row in status held and takes seats like a booking.
// An expired hold stops counting at once: availability leaves it out, and
// the next transaction that touches its slots (or Housekeeping) gives its
// seats back.
//
// # Identity
//
// A pickup person is the card with the notice number whose resident has
// the birth date given. An unknown notice number and a wrong birth date
// answer alike (card_not_matched), and the requests that name notice
// numbers, hold seats or book are limited per IP and per notice number in
// the database, so guessing is slow on every instance alike.
//
// # What lives in memory
//
// Every rule that must hold across instances (those limits, holds,
// capacity) lives in the database. The per-IP limit of the requests that
// only read (availability, a booking's page behind its manage token) and
// of giving a hold back or cancelling is a token bucket in each
// instance's memory (readLimiter): those requests write nothing.
package reserve
