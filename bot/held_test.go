package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"klabot/bot"
	"klabot/flows/out"
	"klabot/store"
)

// A message held on purpose until a time (a question asked at night
// waits for 06:00) does not hold back what the same person is owed
// meanwhile: a status update queued after it goes at once.
func TestHeldMessageDoesNotBlockTheChat(t *testing.T) {
	h := start(t, bot.Config{}, fast())
	ctx := context.Background()
	h.d.Handle(ctx, text("ani", "halo"))
	h.settled(t)
	var id int64
	err := h.db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		id, err = tx.UserIDByContact(store.Contact{Channel: "test", Address: "ani"})
		if err != nil {
			return err
		}
		now := time.Now()
		return bot.Deliver(tx, nil, 0, []out.Message{
			{UserID: id, Priority: store.PriorityAlert, NotBefore: now.Add(8 * time.Hour), Reply: out.Reply{Text: "Pertanyaan, pagi nanti"}},
			{UserID: id, Priority: store.PriorityAlert, Reply: out.Reply{Text: "Kabar laporan, sekarang"}},
		}, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	got := h.rec.waitFor(t, 2) // the welcome, then the update
	if !strings.Contains(got[1].msg.Text, "Kabar laporan, sekarang") {
		t.Errorf("sent after the welcome: %q", got[1].msg.Text)
	}
	// The update's delivery is recorded after the send: wait for it.
	deadline := time.Now().Add(10 * time.Second)
	for {
		pending, _, _, err := h.db.OutboxCounts(ctx, "test")
		if err != nil {
			t.Fatal(err)
		}
		if pending == 1 {
			break // the held question, still waiting
		}
		if time.Now().After(deadline) {
			t.Fatalf("pending %d after the update was sent, want only the held question", pending)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
