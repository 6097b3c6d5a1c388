package bot_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"klabot/bot"
	"klabot/store"
)

// queue commits one message to a chat and returns what the commit queued,
// as the dispatcher hands it to the senders.
func queue(t *testing.T, db *store.DB, chat, text string) store.Queued {
	t.Helper()
	payload, err := json.Marshal(bot.Outbound{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	q, err := db.TxQueued(context.Background(), func(tx *store.Tx) error {
		return tx.Enqueue(store.OutboxMessage{Channel: "test", Address: chat, Payload: payload}, time.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Messages) != 1 || q.Messages[0].ID == 0 || string(q.Messages[0].Payload) != string(payload) {
		t.Fatalf("queued = %+v, want the one message with its id and payload", q)
	}
	return q
}

// A message handed over after the sender already read it from the outbox
// (the offer came late) goes out once; offered messages of other channels
// are left to their own senders; what the commit queued goes out in order.
func TestOfferedMessagesGoOutOnce(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rec := newRecorder()
	sender := bot.NewSender(db, rec, fast(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); sender.Run(ctx) }()
	defer func() { cancel(); wg.Wait() }()

	late := queue(t, db, "a", "one")
	sender.Wake() // read from the outbox, not offered
	rec.waitFor(t, 1)
	for deadline := time.Now().Add(10 * time.Second); ; {
		_, sent, _, err := db.OutboxCounts(ctx, "test")
		if err != nil {
			t.Fatal(err)
		}
		if sent == 1 { // recorded, so no longer in flight either
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first message was never recorded as sent")
		}
		time.Sleep(time.Millisecond)
	}
	sender.Offer(late)

	other := late
	other.Messages = []store.OutboxMessage{late.Messages[0]}
	other.Messages[0].Channel, other.Messages[0].ID = "elsewhere", late.Messages[0].ID+100
	sender.Offer(other)

	sender.Offer(queue(t, db, "a", "two"))
	sender.Offer(queue(t, db, "b", "three"))
	got := rec.waitFor(t, 3)
	var texts []string
	for _, s := range got {
		texts = append(texts, s.address+":"+s.msg.Text)
	}
	if len(got) != 3 || got[0].msg.Text != "one" {
		t.Fatalf("sent %v, want a:one once, then a:two and b:three", texts)
	}
	seen := map[string]int{}
	for _, s := range texts {
		seen[s]++
	}
	if seen["a:one"] != 1 || seen["a:two"] != 1 || seen["b:three"] != 1 {
		t.Fatalf("sent %v, want each message once", texts)
	}
}
