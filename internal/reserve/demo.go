package reserve

import (
	"context"
	"fmt"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/calendar"
)

// demoPeople are fictional residents who booked a certificate renewal.
func demoPeople() []person {
	return []person{
		{name: "三田　花子", kana: "サンダ　ハナコ", birth: "1975-04-12"},
		{name: "有馬　一郎", kana: "アリマ　イチロウ", birth: "1962-11-03"},
		{name: "藍本　ゆり", kana: "アイモト　ユリ", birth: "1990-07-21"},
		{name: "福島　健太", kana: "フクシマ　ケンタ", birth: "1984-01-30"},
	}
}

// SeedDemo books a few certificate renewals for fictional residents in
// the first free slots of the coming two weeks, so the counter's list is
// not empty in a demo. It books nothing when the settings offer no
// service without a card. It returns how many bookings it made.
func (s *Service) SeedDemo(ctx context.Context) (int, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return 0, err
	}
	svc, placeID, ok := demoService(st)
	if !ok {
		return 0, nil
	}
	loc, err := st.Location()
	if err != nil {
		return 0, err
	}
	from := calendar.DateOf(s.clock.Now().In(loc))
	av, err := s.Availability(ctx, AvailabilityQuery{Service: svc.ID, Place: placeID, From: from.String(),
		To: from.AddDays(14).String(), People: 1, Channel: booking.ChannelPhone})
	if err != nil {
		return 0, err
	}
	n := 0
	for i, p := range demoPeople() {
		if i >= len(av.Slots) {
			break
		}
		in := createInput{service: svc.ID, place: placeID, start: av.Slots[i*len(av.Slots)/len(demoPeople())].Start,
			people: []person{p}, phone: "079-000-000" + fmt.Sprint(i)}
		_, _, err := s.create(ctx, actor{name: "demo"}, booking.ChannelPhone, in, false)
		if apperr.Is(err, CodeAlreadyBooked) {
			continue // a restarted demo keeps the bookings it made before
		}
		if err != nil {
			return n, fmt.Errorf("demo booking %d: %w", i+1, err)
		}
		n++
	}
	return n, nil
}

// demoService is the first service without a card and a place offering it.
func demoService(st booking.Settings) (booking.Service, string, bool) {
	for _, svc := range st.Services {
		if !svc.RequiresCard && len(svc.Places) > 0 {
			return svc, svc.Places[0], true
		}
	}
	return booking.Service{}, "", false
}
