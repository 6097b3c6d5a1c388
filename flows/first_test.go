package flows

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"klabot/store"
)

// Someone whose conversation is stored but who has no consent (it was
// taken back) starts again with the welcome, and what they wrote first is
// acted on once they agree, as for a newcomer.
func TestFirstMessageKeptWithoutConsent(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got []string
	e := NewEngine(Config{}, func(e *Engine) {
		e.Register(&Flow{ID: FlowMenu, Version: 1, Start: "main", Steps: map[string]*Step{
			"main": {Prompt: func(c *Ctx) Reply { return Reply{Text: "menu"} },
				Handle: func(c *Ctx, in Input, choice string) Next { return Stay() }},
		}})
		e.AddFirstText(func(c *Ctx, text, entry string) (Next, bool) {
			got = append(got, text)
			return Stay(), true
		})
	})
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	say := func(text string) {
		t.Helper()
		err := db.Tx(context.Background(), func(tx *store.Tx) error {
			u, isNew, err := tx.UserByContact(store.Contact{Channel: "console", Address: "ani"}, "id", now)
			if err != nil {
				return err
			}
			if isNew {
				// A conversation left from before, without consent.
				if err := tx.SaveSession(u.ID, store.SessionState{JSON: []byte(`{"flow":"menu","version":1,"step":"main"}`), Flow: FlowMenu}, now); err != nil {
					return err
				}
			}
			_, err = e.Run(tx, Request{User: u, Input: Input{Kind: KindText, Text: text}, Now: now, Channel: "console"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	say("anak tetangga disuruh kerja di kebun sawit tiap hari")
	say("1") // agree
	say("1") // a villager
	if len(got) != 1 || got[0] != "anak tetangga disuruh kerja di kebun sawit tiap hari" {
		t.Errorf("first message acted on: %q", got)
	}
}
