package bot_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"klabot/bot"
	"klabot/flows"
	"klabot/store"
)

// A half-done report gets one gentle nudge after a few hours of silence,
// no more; after three days it is dropped without another word.
func TestNudgeStaleDrafts(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	draft := []byte(`{"flow":"report","version":1,"step":"description","data":{"cat":"kekerasan","kec":"61.07.06"},"seq":7}`)
	people := map[string]int64{}
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for _, who := range []string{"quiet", "optedout", "busy"} {
			u, _, err := tx.UserByContact(store.Contact{Channel: "telegram", Address: who}, "id", start)
			if err != nil {
				return err
			}
			u.ConsentAt = start
			if who == "optedout" {
				u.OptedOutAt = start
			}
			if err := tx.SaveUser(u); err != nil {
				return err
			}
			if err := tx.SaveSession(u.ID, draft, start); err != nil {
				return err
			}
			people[who] = u.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	nudge := func(at time.Time) (int, int) {
		t.Helper()
		n, d, err := bot.NudgeStaleDrafts(ctx, db, at)
		if err != nil {
			t.Fatal(err)
		}
		return n, d
	}
	pending := func(address string) []string {
		t.Helper()
		msgs, err := db.PendingOutbox(ctx, "telegram", 100)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range msgs {
			if m.Address == address {
				payload, err := db.OutboxPayload(ctx, m.ID)
				if err != nil {
					t.Fatal(err)
				}
				var o bot.Outbound
				json.Unmarshal(payload, &o)
				if m.Priority != store.PriorityReminder {
					t.Errorf("nudge priority %d, want reminder", m.Priority)
				}
				out = append(out, o.Text)
			}
		}
		return out
	}

	if n, d := nudge(start.Add(time.Hour)); n+d != 0 {
		t.Errorf("after an hour: %d nudged, %d dropped", n, d)
	}
	// "busy" comes back before the nudge would go.
	db.Tx(ctx, func(tx *store.Tx) error { return tx.SaveSession(people["busy"], draft, start.Add(3*time.Hour)) })

	if n, _ := nudge(start.Add(5 * time.Hour)); n != 1 {
		t.Errorf("after five hours: %d nudged, want 1 (the opted-out person is not nudged)", n)
	}
	if got := pending("quiet"); len(got) != 1 || !strings.Contains(got[0], "LANJUT") || !strings.Contains(got[0], "3 hari") {
		t.Errorf("nudge = %q", got)
	}
	if got := pending("optedout"); len(got) != 0 {
		t.Errorf("someone who said stop was nudged: %q", got)
	}
	if n, _ := nudge(start.Add(6 * time.Hour)); n != 0 {
		t.Errorf("nudged %d again in the same quiet spell", n)
	}
	if n, _ := nudge(start.Add(8 * time.Hour)); n != 1 || len(pending("busy")) != 1 {
		t.Errorf("the person who came back and went quiet again: %d nudged", n)
	}

	_, d := nudge(start.Add(72*time.Hour + time.Minute))
	if d != 2 { // quiet and optedout; busy's draft is younger
		t.Errorf("dropped %d drafts, want 2", d)
	}
	if got := pending("quiet"); len(got) != 1 {
		t.Errorf("dropping a draft said something: %q", got)
	}
	// The dropped draft leaves a working conversation at the main menu.
	engine := flows.NewEngine(flows.Config{})
	err = db.Tx(ctx, func(tx *store.Tx) error {
		u, _, err := tx.UserByContact(store.Contact{Channel: "telegram", Address: "quiet"}, "id", start)
		if err != nil {
			return err
		}
		msgs, err := engine.Run(tx, flows.Request{User: u, Input: flows.Input{Kind: flows.KindText, Text: "1"}, Now: start.Add(80 * time.Hour)})
		if err != nil {
			return err
		}
		if len(msgs) == 0 || !strings.Contains(msgs[0].Reply.Text, "Laporan ini tentang apa?") {
			t.Errorf("after the drop, 1 should start a fresh report: %+v", msgs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
