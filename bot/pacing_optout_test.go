package bot

import (
	"context"
	"testing"
	"time"

	"klabot/store"
)

// A paced broadcast reaches its last people long after it began: someone
// who said berhenti meanwhile is not sent it (and no pause is spent on
// them); "mulai" again lets it go. Other bulk messages are decided where
// they are made.
func TestPacerBroadcastHonoursBerhentiSaidMeanwhile(t *testing.T) {
	pc, db := testPacer(t, Pacing{Min: time.Second, Max: time.Second})
	t0 := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	wrote(t, db, "62811", t0)
	optOut := func(out bool) {
		t.Helper()
		err := db.Tx(context.Background(), func(tx *store.Tx) error {
			u, _, err := tx.UserByContact(store.Contact{Channel: "whatsapp", Address: "62811"}, "id", t0)
			if err != nil {
				return err
			}
			u.OptedOutAt = time.Time{}
			if out {
				u.OptedOutAt = t0
			}
			return tx.SaveUser(u)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	broadcast := store.OutboxMessage{ID: 1, Address: "62811", Priority: store.PriorityBroadcast}

	optOut(true)
	if send, wait, fail := pc.admit(ctx, broadcast, t0); send || !wait.IsZero() || fail != ErrorOptedOut {
		t.Errorf("after berhenti: send %v, wait %v, fail %q; want it failed with ErrorOptedOut", send, wait, fail)
	}
	reminder := store.OutboxMessage{ID: 2, Address: "62811", Priority: store.PriorityReminder}
	if send, _, fail := pc.admit(ctx, reminder, t0); !send {
		t.Errorf("a reminder queued for them was held back (%q): its maker decides", fail)
	}
	pc.started(reminder)
	pc.finished(reminder, t0, true)

	optOut(false)
	later := t0.Add(time.Second)
	if send, _, fail := pc.admit(ctx, broadcast, later); !send {
		t.Errorf("after mulai: not sent (%q)", fail)
	}
}
