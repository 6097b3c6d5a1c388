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
	"klabot/flows/all"
	"klabot/store"
)

// A half-done report gets one gentle nudge after a few hours of silence,
// no more; after three days it is dropped without another word.
func TestNudgeStaleDrafts(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	draft := []byte(`{"flow":"report","version":1,"step":"description","data":{"cat":"kekerasan","kec":"61.07.06"},"seq":7}`)
	db, people := nudgePeople(t,
		nudgePerson{Address: "quiet", State: string(draft), At: start},
		nudgePerson{Address: "optedout", State: string(draft), At: start, OptedOut: true},
		nudgePerson{Address: "busy", State: string(draft), At: start})
	nudge := func(at time.Time) (int, int) {
		t.Helper()
		n, d, err := bot.NudgeStaleDrafts(ctx, db, at, wib)
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
	db.Tx(ctx, func(tx *store.Tx) error {
		return tx.SaveSession(people["busy"], sessionOf(string(draft)), start.Add(3*time.Hour))
	})

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
	engine := all.NewEngine(flows.Config{})
	err := db.Tx(ctx, func(tx *store.Tx) error {
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

var wib = time.FixedZone("WIB", 7*3600)

// A report left half done in the evening is not nudged in the quiet hours
// (21:00-06:00 WIB): the nudge waits for 06:00, and goes once.
func TestNudgeWaitsForQuietHours(t *testing.T) {
	ctx := context.Background()
	left := time.Date(2026, 11, 24, 18, 30, 0, 0, wib)
	draft := `{"flow":"report","version":1,"step":"description","data":{"cat":"kekerasan"},"seq":3}`
	db, _ := nudgePeople(t, nudgePerson{Address: "evening", State: draft, At: left})
	for _, now := range []time.Time{left.Add(4*time.Hour + time.Minute), time.Date(2026, 11, 25, 5, 59, 0, 0, wib)} {
		if n, _, err := bot.NudgeStaleDrafts(ctx, db, now, wib); err != nil || n != 0 {
			t.Errorf("at %s: nudged %d (%v), want none in the quiet hours", now.Format("15:04"), n, err)
		}
	}
	for i, now := range []time.Time{time.Date(2026, 11, 25, 6, 0, 0, 0, wib), time.Date(2026, 11, 25, 6, 15, 0, 0, wib)} {
		n, _, err := bot.NudgeStaleDrafts(ctx, db, now, wib)
		if err != nil || n != 1-i {
			t.Errorf("at %s: nudged %d (%v), want %d", now.Format("15:04"), n, err, 1-i)
		}
	}
	if msgs, _ := db.PendingOutbox(ctx, "telegram", 100); len(msgs) != 1 {
		t.Errorf("%d messages queued, want the one nudge", len(msgs))
	}
}

// A training registration (or any other conversation) left half done keeps
// the name and phone typed so far only as long as a report draft: after
// three days they are dropped, silently; younger ones and a plain menu stay.
func TestDropStaleConversations(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	states := map[string]string{
		"training": `{"flow":"training","version":1,"step":"phone","data":{"tid":"4","name":"Siti Aminah","age":"34","phone":"081234567890"},"back":["name","age"],"seq":5}`,
		"staff":    `{"flow":"broadcast","version":1,"step":"audience","data":{"text":"Rapat besok"},"seq":3}`,
		"menu":     `{"flow":"menu","version":1,"step":"main","seq":2}`,
		"recent":   `{"flow":"training","version":1,"step":"age","data":{"tid":"4","name":"Budi"},"back":["name"],"seq":4}`,
	}
	var seats []nudgePerson
	for who, st := range states {
		at := start
		if who == "recent" {
			at = start.Add(48 * time.Hour)
		}
		seats = append(seats, nudgePerson{Address: who, State: st, At: at})
	}
	db, people := nudgePeople(t, seats...)
	session := func(who string) string {
		t.Helper()
		var raw []byte
		db.Tx(ctx, func(tx *store.Tx) (err error) { raw, err = tx.Session(people[who]); return err })
		return string(raw)
	}

	if _, d, err := bot.NudgeStaleDrafts(ctx, db, start.Add(71*time.Hour), wib); err != nil || d != 0 {
		t.Fatalf("before three days: dropped %d (%v)", d, err)
	}
	if !strings.Contains(session("training"), "081234567890") {
		t.Fatalf("a two-day-old registration lost its answers: %s", session("training"))
	}
	n, d, err := bot.NudgeStaleDrafts(ctx, db, start.Add(72*time.Hour+time.Minute), wib)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 || d != 2 {
		t.Errorf("nudged %d, dropped %d; want 0 and 2 (the registration and the broadcast draft)", n, d)
	}
	for _, who := range []string{"training", "staff"} {
		got := session(who)
		if strings.Contains(got, "Siti") || strings.Contains(got, "0812") || strings.Contains(got, "Rapat") || !strings.Contains(got, `"flow":"menu"`) {
			t.Errorf("%s: after three days the session is %s, want the main menu without answers", who, got)
		}
	}
	if got := session("menu"); got != states["menu"] {
		t.Errorf("a plain menu session changed: %s", got)
	}
	if got := session("recent"); got != states["recent"] {
		t.Errorf("a registration one day old changed: %s", got)
	}
	if msgs, _ := db.PendingOutbox(ctx, "telegram", 100); len(msgs) != 0 {
		t.Errorf("dropping said %d messages", len(msgs))
	}
}

// nudgePerson is a Telegram user who agreed to the notice (and said stop,
// if OptedOut), with a conversation state saved at At.
type nudgePerson struct {
	Address  string
	State    string
	At       time.Time
	OptedOut bool
}

// nudgePeople makes a database holding people, and returns their ids by
// address.
func nudgePeople(t *testing.T, people ...nudgePerson) (*store.DB, map[string]int64) {
	t.Helper()
	ids := map[string]int64{}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "klabot.db"))
	if err == nil {
		t.Cleanup(func() { db.Close() })
		err = db.Tx(context.Background(), func(tx *store.Tx) error {
			for _, p := range people {
				u, _, err := tx.UserByContact(store.Contact{Channel: "telegram", Address: p.Address}, "id", p.At)
				if err != nil {
					return err
				}
				u.ConsentAt = p.At
				if p.OptedOut {
					u.OptedOutAt = p.At
				}
				if err := tx.SaveUser(u); err != nil {
					return err
				}
				ids[p.Address] = u.ID
				if err := tx.SaveSession(u.ID, sessionOf(p.State), p.At); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	return db, ids
}

// sessionOf is a saved conversation as the flows engine saves it: its
// JSON, with its flow and whether it holds answers beside it.
func sessionOf(raw string) store.SessionState {
	var st struct {
		Flow string
		Data map[string]string
	}
	json.Unmarshal([]byte(raw), &st)
	return store.SessionState{JSON: []byte(raw), Flow: st.Flow, HasData: st.Data != nil}
}
