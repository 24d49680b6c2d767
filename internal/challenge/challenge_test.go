package challenge_test

import (
	"context"
	"crypto/sha256"
	"strconv"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/challenge"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

var (
	ctx   = context.Background()
	admin = auth.Principal{UserID: 1, Username: "admin1", Role: auth.RoleAdmin}
)

func TestOffByDefaultAndOnUnderLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
		svc := challenge.New(db, clk)
		pressure := 0.0
		svc.SetPressure(func() float64 { return pressure })
		for range 1000 {
			svc.NoteSubmit()
		}
		if _, on, err := svc.Active(ctx); on || err != nil {
			t.Fatalf("the challenge must be off by default: %v %v", on, err)
		}
		st := challenge.DefaultSettings()
		st.Mode, st.SubmitsPerMinute, st.PressurePercent = challenge.ModeAuto, 1001, 80
		if _, err := svc.Save(ctx, admin, auth.Meta{}, st); err != nil {
			t.Fatal(err)
		}
		if _, on, _ := svc.Active(ctx); on {
			t.Fatal("1000 submissions are below the threshold of 1001")
		}
		svc.NoteSubmit()
		if _, on, _ := svc.Active(ctx); !on {
			t.Fatal("at the threshold the challenge is on")
		}
		clk.Advance(61 * time.Second)
		if _, on, _ := svc.Active(ctx); on {
			t.Fatal("a minute later the rush has passed")
		}
		pressure = 0.8
		if _, on, _ := svc.Active(ctx); !on {
			t.Fatal("a busy site switches it on")
		}
		st.Mode, st.Bits = "sometimes", 40
		_, err := svc.Save(ctx, admin, auth.Meta{}, st)
		if f := apperr.FieldsOf(err); len(f) != 2 || f[0].Field != "mode" || f[1].Field != "bits" {
			t.Fatalf("bad settings: %v", err)
		}
	})
}

func TestAChallengeIsSpentOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
		svc := challenge.New(db, clk)
		if err := svc.Spend(ctx, "nonce-1", clk.Now()); err != nil {
			t.Fatal(err)
		}
		if err := svc.Spend(ctx, "nonce-1", clk.Now()); apperr.CodeOf(err) != challenge.CodeUsed {
			t.Fatalf("a replay must be refused: %v", err)
		}
		if err := svc.Spend(ctx, "nonce-2", clk.Now()); err != nil {
			t.Fatal(err)
		}
	})
}

// solve finds the answer as the browser's script does.
func solve(token string, difficulty int) string {
	for n := 0; ; n++ {
		if challenge.ZeroBits(sha256.Sum256([]byte(token+":"+strconv.Itoa(n)))) >= difficulty {
			return strconv.Itoa(n)
		}
	}
}

func TestSolved(t *testing.T) {
	n := solve("tok", 12)
	if !challenge.Solved("tok", n, 12) {
		t.Fatal("the found answer must pass")
	}
	if challenge.Solved("other", n, 12) && challenge.Solved("other2", n, 12) {
		t.Fatal("an answer belongs to its token")
	}
	for _, bad := range []string{"", "-1", "1e3", "0x10", "1234567890123"} {
		if challenge.Solved("tok", bad, 0) {
			t.Errorf("%q accepted", bad)
		}
	}
	if challenge.ZeroBits([32]byte{0, 0x10}) != 11 {
		t.Fatal("zero bits")
	}
}

func TestAChallengeExpires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
		svc := challenge.New(db, clk)
		st := challenge.DefaultSettings()
		st.Mode, st.Bits = challenge.ModeAlways, 8
		if _, err := svc.Save(ctx, admin, auth.Meta{}, st); err != nil {
			t.Fatal(err)
		}
		bind := challenge.Bind(map[string]string{"start": "2026-12-02T09:00"})
		offer := svc.OfferIfActive(ctx, "192.0.2.1", bind)
		if offer == nil {
			t.Fatal("mode always offers a challenge")
		}
		clk.Advance(challenge.TTL + time.Second)
		if _, _, err := svc.Gate(ctx, "192.0.2.1", offer.Token, solve(offer.Token, 8), bind); apperr.CodeOf(err) != challenge.CodeRequired {
			t.Fatalf("an expired challenge must not pass: %v", err)
		}
		fresh := svc.OfferIfActive(ctx, "192.0.2.1", bind)
		if _, _, err := svc.Gate(ctx, "192.0.2.1", fresh.Token, solve(fresh.Token, 8), bind); err != nil {
			t.Fatalf("a fresh one passes: %v", err)
		}
	})
}

// always switches the challenge on with a quick proof and a short wait.
func always(t *testing.T, db *store.DB, clk *clock.Fixed) *challenge.Service {
	t.Helper()
	svc := challenge.New(db, clk)
	st := challenge.DefaultSettings()
	st.Mode, st.Bits, st.WaitSeconds = challenge.ModeAlways, 8, 3
	if _, err := svc.Save(ctx, admin, auth.Meta{}, st); err != nil {
		t.Fatal(err)
	}
	return svc
}

// A client holds at most MaxUnsolved challenges that were not answered
// with a proof (open, or passed by waiting); past that a new one passes
// only with the proof, so waiting no longer buys any number of passes
// (issue #15). A reload gets the same challenge, a proof frees its place,
// and other clients are not affected.
func TestUnsolvedChallengesAreCappedPerClient(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
		svc := always(t, db, clk)
		const ip = "198.51.100.7"
		bind := func(i int) string { return challenge.Bind(map[string]int{"form": i}) }
		var offers []*challenge.Offer
		for i := range challenge.MaxUnsolved {
			o := svc.OfferIfActive(ctx, ip, bind(i))
			if o.WaitSeconds != 3 {
				t.Fatalf("challenge %d: a wait is allowed, got %+v", i+1, o)
			}
			offers = append(offers, o)
		}
		if again := svc.OfferIfActive(ctx, ip, bind(0)); again.Token != offers[0].Token {
			t.Fatal("a reload of the same form gets the same challenge")
		}
		over := svc.OfferIfActive(ctx, ip, bind(99))
		if over.WaitSeconds != 0 || !over.Ready.IsZero() {
			t.Fatalf("past the cap only a proof passes: %+v", over)
		}
		if o := svc.OfferIfActive(ctx, "198.51.100.8", bind(99)); o.WaitSeconds != 3 {
			t.Fatalf("another client may still wait: %+v", o)
		}
		clk.Advance(3 * time.Second)
		if _, _, err := svc.Gate(ctx, ip, over.Token, "", bind(99)); apperr.CodeOf(err) != challenge.CodeSolve {
			t.Fatalf("waiting does not pass a proof-only challenge: %v", err)
		}
		proved, _, err := svc.Gate(ctx, ip, offers[0].Token, "", bind(0)) // waited
		if err != nil || !proved {
			t.Fatalf("a waited challenge within the cap passes: %v %v", proved, err)
		}
		if o := svc.OfferIfActive(ctx, ip, bind(100)); o.WaitSeconds != 0 {
			t.Fatalf("a challenge passed by waiting still counts: %+v", o)
		}
		if proved, _, err := svc.Gate(ctx, ip, offers[1].Token, solve(offers[1].Token, 8), bind(1)); err != nil || !proved {
			t.Fatalf("an answered challenge passes: %v %v", proved, err)
		}
		if o := svc.OfferIfActive(ctx, ip, bind(101)); o.WaitSeconds != 3 {
			t.Fatalf("an answered challenge frees its place: %+v", o)
		}
		clk.Advance(challenge.TTL)
		if o := svc.OfferIfActive(ctx, ip, bind(102)); o.WaitSeconds != 3 {
			t.Fatalf("after TTL the client may wait again: %+v", o)
		}
	})
}

// Require asks for a challenge whatever the mode; a submission that
// carries it is proved, one without it passes unproved while the mode is
// off (the caller decides what the proof lifts).
func TestRequireAsksWhateverTheMode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
		svc := challenge.New(db, clk) // mode off
		bind := challenge.Bind("a form")
		if proved, offer, err := svc.Gate(ctx, "192.0.2.5", "", "", bind); proved || offer != nil || err != nil {
			t.Fatalf("mode off, no challenge: %v %v %v", proved, offer, err)
		}
		offer := svc.Require(ctx, "192.0.2.5", bind)
		if offer == nil || offer.Bits != challenge.DefaultSettings().Bits {
			t.Fatalf("Require: %+v", offer)
		}
		if _, _, err := svc.Gate(ctx, "192.0.2.5", offer.Token, "", bind); apperr.CodeOf(err) != challenge.CodeWait {
			t.Fatalf("not answered, not waited: %v", err)
		}
		proved, _, err := svc.Gate(ctx, "192.0.2.5", offer.Token, solve(offer.Token, offer.Bits), bind)
		if err != nil || !proved {
			t.Fatalf("answered: %v %v", proved, err)
		}
	})
}
