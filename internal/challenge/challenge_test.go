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
		offer := svc.OfferIfActive(ctx, bind)
		if offer == nil {
			t.Fatal("mode always offers a challenge")
		}
		clk.Advance(challenge.TTL + time.Second)
		if _, err := svc.Gate(ctx, offer.Token, solve(offer.Token, 8), bind); apperr.CodeOf(err) != challenge.CodeRequired {
			t.Fatalf("an expired challenge must not pass: %v", err)
		}
		fresh := svc.OfferIfActive(ctx, bind)
		if _, err := svc.Gate(ctx, fresh.Token, solve(fresh.Token, 8), bind); err != nil {
			t.Fatalf("a fresh one passes: %v", err)
		}
	})
}
