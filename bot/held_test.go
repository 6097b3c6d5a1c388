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
	// The question still waits in the outbox for its hour.
	pending, err := h.db.PendingOutbox(ctx, "test", 100)
	if err != nil {
		t.Fatal(err)
	}
	held := false
	for _, m := range pending {
		raw, err := h.db.OutboxPayload(ctx, m.ID)
		held = held || err == nil && strings.Contains(string(raw), "Pertanyaan, pagi nanti") && m.NotBefore.After(time.Now())
	}
	if !held {
		t.Error("the held question no longer waits for its hour")
	}
}

// What klabot sends a child on its own (a status update, a question from
// staff) says "kamu", as the chat does; an adult still reads "Anda".
func TestMessagesToAChildSayKamu(t *testing.T) {
	h := start(t, bot.Config{}, fast())
	ctx := context.Background()
	for _, s := range []string{"halo", "setuju", "2"} { // a Forum Anak member
		h.d.Handle(ctx, text("dewi", s))
	}
	for _, s := range []string{"halo", "setuju", "1"} { // a villager
		h.d.Handle(ctx, text("budi", s))
	}
	before := len(h.settled(t))
	err := h.db.Tx(ctx, func(tx *store.Tx) error {
		var msgs []out.Message
		for _, who := range []string{"dewi", "budi"} {
			id, err := tx.UserIDByContact(store.Contact{Channel: "test", Address: who})
			if err != nil {
				return err
			}
			msgs = append(msgs, out.Message{UserID: id, Priority: store.PriorityAlert,
				Reply: out.Reply{Text: "Petugas sedang mempelajari laporan Anda. Anda bisa menjawab nanti."}})
		}
		return bot.Deliver(tx, nil, 0, msgs, time.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	got := h.rec.waitFor(t, before+2)
	for _, s := range got[before:] {
		want := "Petugas sedang mempelajari laporan Anda. Anda bisa menjawab nanti."
		if s.address == "dewi" {
			want = "Petugas sedang mempelajari laporan kamu. Kamu bisa menjawab nanti."
		}
		if s.msg.Text != want {
			t.Errorf("to %s: %q, want %q", s.address, s.msg.Text, want)
		}
	}
}
