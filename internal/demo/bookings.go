package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/calendar"
	"github.com/kofu-oss/kofu/internal/reserve"
)

// actor is who the demo's bookings, settings and card events name.
const actor = "demo"

// demoPeople are fictional residents who booked a certificate renewal.
func demoPeople() []reserve.PersonInput {
	return []reserve.PersonInput{
		{Name: "三田　花子", NameKana: "サンダ　ハナコ", BirthDate: "1975-04-12"},
		{Name: "有馬　一郎", NameKana: "アリマ　イチロウ", BirthDate: "1962-11-03"},
		{Name: "藍本　ゆり", NameKana: "アイモト　ユリ", BirthDate: "1990-07-21"},
		{Name: "福島　健太", NameKana: "フクシマ　ケンタ", BirthDate: "1984-01-30"},
	}
}

// SeedBookings books a few certificate renewals for fictional residents
// in the first free slots of the coming two weeks, so the counter's list
// is not empty in a demo. It books nothing when the settings offer no
// service without a card. It returns how many bookings it made.
func SeedBookings(ctx context.Context, r *reserve.Service) (int, error) {
	st, err := r.Settings(ctx)
	if err != nil {
		return 0, err
	}
	svc, placeID, ok := counterService(st)
	if !ok {
		return 0, nil
	}
	loc, err := st.Location()
	if err != nil {
		return 0, err
	}
	from := calendar.DateOf(r.Now().In(loc))
	av, err := r.Availability(ctx, reserve.AvailabilityQuery{Service: svc.ID, Place: placeID, From: from.String(),
		To: from.AddDays(14).String(), People: 1, Channel: booking.ChannelPhone})
	if err != nil {
		return 0, err
	}
	people := demoPeople()
	n := 0
	for i, p := range people {
		if i >= len(av.Slots) {
			break
		}
		req := reserve.CreateRequest{Service: svc.ID, Place: placeID, People: []reserve.PersonInput{p},
			Start: av.Slots[i*len(av.Slots)/len(people)].Start.Format(time.RFC3339), Phone: "079-000-000" + fmt.Sprint(i)}
		_, err := r.SeedBook(ctx, actor, booking.ChannelPhone, req)
		if apperr.Is(err, reserve.CodeAlreadyBooked) {
			continue // a restarted demo keeps the bookings it made before
		}
		if err != nil {
			return n, fmt.Errorf("demo booking %d: %w", i+1, err)
		}
		n++
	}
	return n, nil
}

// counterService is the first service without a card and a place offering it.
func counterService(st booking.Settings) (booking.Service, string, bool) {
	for _, svc := range st.Services {
		if !svc.RequiresCard && len(svc.Places) > 0 {
			return svc, svc.Places[0], true
		}
	}
	return booking.Service{}, "", false
}
