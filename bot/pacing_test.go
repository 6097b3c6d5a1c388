package bot

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"klabot/store"
)

// The pacer's decisions, under a clock the test holds.

func testPacer(t *testing.T, p Pacing) (*pacer, *store.DB) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	pc := newPacer(db, "whatsapp", p, slog.New(slog.NewTextHandler(io.Discard, nil)))
	pc.gap = func() time.Duration { return p.Min }
	return pc, db
}

// wrote makes address a contact who has written to the bot.
func wrote(t *testing.T, db *store.DB, address string, now time.Time) {
	t.Helper()
	err := db.Tx(context.Background(), func(tx *store.Tx) error {
		_, _, err := tx.UserByContact(store.Contact{Channel: "whatsapp", Address: address}, "id", now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

var wib = time.FixedZone("WIB", 7*3600)

func TestPacerOneAtATimeWithAPause(t *testing.T) {
	pc, db := testPacer(t, Pacing{Min: 4 * time.Second, Max: 8 * time.Second, Location: wib})
	t0 := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	wrote(t, db, "62811", t0)
	m := store.OutboxMessage{ID: 1, Address: "62811", Priority: store.PriorityBroadcast}
	ctx := context.Background()

	if send, _, fail := pc.admit(ctx, m, t0); !send || fail != "" {
		t.Fatalf("first bulk message: send %v, fail %q", send, fail)
	}
	pc.started(m)
	if send, wait, _ := pc.admit(ctx, m, t0.Add(time.Minute)); send || !wait.IsZero() {
		t.Errorf("while one is in flight: send %v, wait %v; want to wait for it", send, wait)
	}
	done := t0.Add(3 * time.Second) // a slow upload
	pc.finished(m, done, true)
	if send, wait, _ := pc.admit(ctx, m, done.Add(time.Second)); send || !wait.Equal(done.Add(4*time.Second)) {
		t.Errorf("during the pause: send %v, wait until %v; want %v", send, wait, done.Add(4*time.Second))
	}
	if send, _, _ := pc.admit(ctx, m, done.Add(4*time.Second)); !send {
		t.Error("not sent after the pause")
	}
}

func TestPacerPauseWithinBounds(t *testing.T) {
	p := newPacer(nil, "whatsapp", Pacing{Min: 4 * time.Second, Max: 8 * time.Second}, nil)
	seen := map[time.Duration]bool{}
	for range 1000 {
		g := p.gap()
		if g < 4*time.Second || g > 8*time.Second {
			t.Fatalf("pause %s outside 4-8 s", g)
		}
		seen[g] = true
	}
	if len(seen) < 100 {
		t.Errorf("only %d different pauses in 1000: not random enough to look human", len(seen))
	}
}

func TestPacerDailyCap(t *testing.T) {
	pc, db := testPacer(t, Pacing{Min: time.Second, Max: time.Second, DailyCap: 2, Location: wib})
	t0 := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC) // 22:00 WIB
	wrote(t, db, "62811", t0)
	m := store.OutboxMessage{ID: 1, Address: "62811", Priority: store.PriorityReminder}
	ctx := context.Background()
	now := t0
	for i := 0; i < 2; i++ {
		if send, _, _ := pc.admit(ctx, m, now); !send {
			t.Fatalf("message %d held back under the cap", i+1)
		}
		pc.started(m)
		pc.finished(m, now, true)
		now = now.Add(time.Minute)
	}
	midnight := time.Date(2026, 11, 25, 0, 0, 0, 0, wib)
	if send, wait, _ := pc.admit(ctx, m, now); send || !wait.Equal(midnight) {
		t.Errorf("over the cap: send %v, wait until %v; want midnight WIB %v", send, wait, midnight)
	}
	if send, _, _ := pc.admit(ctx, m, midnight); !send {
		t.Error("not sent the next day")
	}
}

// The count survives a restart: it is read from the outbox.
func TestPacerDailyCapAcrossRestart(t *testing.T) {
	pc, db := testPacer(t, Pacing{Min: time.Second, Max: time.Second, DailyCap: 2, Location: wib})
	t0 := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	wrote(t, db, "62811", t0)
	payload, _ := json.Marshal(Outbound{Text: "x"})
	ctx := context.Background()
	var ds []store.Delivery
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for i, prio := range []int{store.PriorityBroadcast, store.PriorityReminder, store.PriorityReply} {
			if err := tx.Enqueue(store.OutboxMessage{Channel: "whatsapp", Address: "62811", Priority: prio, Payload: payload}, t0); err != nil {
				return err
			}
			ds = append(ds, store.Delivery{ID: int64(i + 1), Address: "62811", Sent: true})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RecordDeliveries(ctx, ds, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	m := store.OutboxMessage{ID: 9, Address: "62811", Priority: store.PriorityBroadcast}
	if send, _, _ := pc.admit(ctx, m, t0.Add(time.Hour)); send {
		t.Error("two bulk messages were sent today already (the reply does not count): the cap of 2 is reached")
	}
}

func TestPacerOnlyToPeopleWhoWrote(t *testing.T) {
	pc, db := testPacer(t, Pacing{Min: time.Second, Max: time.Second})
	t0 := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	wrote(t, db, "62811", t0)
	ctx := context.Background()
	send, _, fail := pc.admit(ctx, store.OutboxMessage{ID: 1, Address: "62899", Priority: store.PriorityBroadcast}, t0)
	if send || fail != ErrorNeverWrote {
		t.Errorf("to a stranger: send %v, fail %q", send, fail)
	}
	if send, _, _ := pc.admit(ctx, store.OutboxMessage{ID: 2, Address: "62811", Priority: store.PriorityBroadcast}, t0); !send {
		t.Error("not sent to someone who wrote")
	}
	if paced(store.OutboxMessage{Priority: store.PriorityAlert}) || paced(store.OutboxMessage{Priority: store.PriorityReply}) {
		t.Error("replies and alerts must not be paced")
	}
}
