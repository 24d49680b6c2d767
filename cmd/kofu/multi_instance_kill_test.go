package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// One of two instances dies in the middle of a rush: every booking a
// resident was told about (201 with a code) is stored, none is stored
// twice, and the seat counts still match the bookings.
func TestKillingOneInstanceLosesNoAcknowledgedBooking(t *testing.T) {
	if !slices.Contains(storetest.Engines(), store.Postgres) {
		t.Skip("KOFU_TEST_ENGINES excludes postgres")
	}
	clk := clock.NewFixed(rushTime(t, "2026-11-20T10:00:00+09:00"))
	dsn := storetest.MustDSN(t, store.Postgres)
	a, b := startInstance(t, dsn, clk), startInstance(t, dsn, clk)
	prepareRush(t, a, rushCase{service: "pickup", capacity: 100})
	lb := roundRobin(t, a, b)

	codes, answers := rushRecordingCodes(t, lb.URL, func() { a.http.Close() }) // abrupt: drops connections
	if len(codes) == 0 || answers["502 "] == 0 {
		t.Fatalf("the rush must see bookings succeed and requests fail at the killed instance: %v", answers)
	}
	err := b.DB.View(ctx, func(tx *store.Tx) error {
		if err := tx.VerifySlotUsage(ctx); err != nil {
			return err
		}
		for _, code := range codes {
			bk, err := tx.BookingByCode(ctx, strings.ReplaceAll(code, "-", ""))
			if err != nil {
				return fmt.Errorf("acknowledged booking %s lost: %w", code, err)
			}
			if bk.Status != store.BookingBooked {
				return fmt.Errorf("acknowledged booking %s is %s", code, bk.Status)
			}
		}
		bs, err := tx.ListBookings(ctx, store.BookingFilter{Date: "2026-12-01"})
		if err != nil {
			return err
		}
		_, reserved, err := tx.SearchCards(ctx, store.CardFilter{Statuses: []card.Status{card.StatusReserved}, Limit: 1})
		if err == nil && (reserved != len(bs) || len(bs) < len(codes)) {
			return fmt.Errorf("%d bookings, %d reserved cards, %d acknowledged", len(bs), reserved, len(codes))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// rushRecordingCodes books for every resident at once, kills one
// instance after the first answers, and returns the acknowledged codes.
func rushRecordingCodes(t *testing.T, base string, kill func()) ([]string, map[string]int) {
	t.Helper()
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: rushRequests}}
	t.Cleanup(client.CloseIdleConnections)
	var mu sync.Mutex
	var codes []string
	answers := map[string]int{}
	var killOnce sync.Once
	var wg sync.WaitGroup
	for i := range rushRequests {
		wg.Go(func() {
			code, key := book(client, base, rushBody("pickup", i))
			mu.Lock()
			answers[key]++
			if code != "" {
				codes = append(codes, code)
			}
			done := answers["201"]
			mu.Unlock()
			if done >= 10 {
				killOnce.Do(kill)
			}
		})
	}
	wg.Wait()
	return codes, answers
}

func book(client *http.Client, base, body string) (code, key string) {
	res, err := client.Post(base+"/api/v1/public/bookings", "application/json", strings.NewReader(body))
	if err != nil {
		return "", "transport error"
	}
	defer res.Body.Close()
	var out struct {
		Booking struct{ Code string } `json:"booking"`
		Error   struct{ Code string } `json:"error"`
	}
	json.NewDecoder(res.Body).Decode(&out)
	if res.StatusCode == http.StatusCreated {
		return out.Booking.Code, "201"
	}
	return "", fmt.Sprintf("%d %s", res.StatusCode, out.Error.Code)
}
