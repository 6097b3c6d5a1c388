package bot

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"klabot/bot/message"
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

// advice is a channel's fixed BulkAdvice.
type advice message.BulkAdvice

func (a *advice) BulkAdvice(time.Time) message.BulkAdvice { return message.BulkAdvice(*a) }

// The pacer follows what the channel advises: a hold stops reminders and
// broadcasts but not alerts; a lower cap and a slower pace apply. Alerts
// go only to people who wrote, without the pause, and past the bulk cap.
func TestPacerFollowsTheChannelsAdvice(t *testing.T) {
	pc, db := testPacer(t, Pacing{Min: 4 * time.Second, Max: 4 * time.Second, DailyCap: 10, Location: wib, Alerts: true})
	t0 := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	adv := &advice{HoldUntil: t0.Add(time.Hour), Cap: 2, Slower: 2}
	pc.advisor = adv
	wrote(t, db, "62811", t0)
	ctx := context.Background()
	bulk := store.OutboxMessage{ID: 1, Address: "62811", Priority: store.PriorityBroadcast}
	alert := store.OutboxMessage{ID: 2, Address: "62811", Priority: store.PriorityAlert}

	if send, wait, _ := pc.admit(ctx, bulk, t0); send || !wait.Equal(adv.HoldUntil) {
		t.Errorf("during a hold: send %v, wait %v", send, wait)
	}
	if send, _, fail := pc.admit(ctx, alert, t0); !send {
		t.Errorf("an alert held back by a hold on bulk messages (%q)", fail)
	}
	pc.started(alert)
	pc.finished(alert, t0, true)

	adv.HoldUntil = time.Time{}
	now := t0
	for i := 0; i < 2; i++ {
		if send, wait, _ := pc.admit(ctx, bulk, now); !send {
			t.Fatalf("bulk message %d held back (until %v)", i+1, wait)
		}
		pc.started(bulk)
		pc.finished(bulk, now, true)
		if send, wait, _ := pc.admit(ctx, bulk, now.Add(5*time.Second)); send || !wait.Equal(now.Add(8*time.Second)) {
			t.Errorf("pause after %d: send %v, until %v; want twice the 4 s", i+1, send, wait)
		}
		now = now.Add(8 * time.Second)
	}
	if send, wait, _ := pc.admit(ctx, bulk, now); send || wait.Before(now.Add(time.Hour)) {
		t.Errorf("past the advised cap of 2: send %v, wait %v", send, wait)
	}
	if send, _, _ := pc.admit(ctx, alert, now); !send {
		t.Error("an alert held back by the bulk cap")
	}
	stranger := store.OutboxMessage{ID: 3, Address: "62899", Priority: store.PriorityAlert}
	if send, _, fail := pc.admit(ctx, stranger, now); send || fail != ErrorNeverWrote {
		t.Errorf("an alert to someone who never wrote: send %v, fail %q", send, fail)
	}
}
