package bot_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"klabot/bot"
	"klabot/store"
)

// attached is a recorder that reaches only one address, as a console does.
type attached struct {
	*recorder
	address string
}

func (a attached) Attached(address string) bool { return address == a.address }

// Settle returns once everything due for the addresses the channel
// reaches, written before the call (by this process or another), has been
// sent and recorded; messages for another console do not hold it up.
func TestSenderSettle(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ch := attached{newRecorder(), "me"}
	sender := bot.NewSender(db, ch, fast(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); sender.Run(ctx) }()
	defer func() { cancel(); wg.Wait() }()

	settle := func() {
		t.Helper()
		sctx, done := context.WithTimeout(ctx, 10*time.Second)
		defer done()
		if err := sender.Settle(sctx); err != nil {
			t.Fatalf("Settle: %v", err)
		}
	}
	settle() // nothing to send
	// Written without offering it to the sender, as another process does.
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for _, address := range []string{"other", "me", "me"} {
			if err := tx.Enqueue(store.OutboxMessage{Channel: "test", Address: address, Payload: []byte(`{"text":"hai"}`)}, time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	settle()
	ch.mu.Lock()
	n := len(ch.sent)
	ch.mu.Unlock()
	if n != 2 {
		t.Errorf("%d messages sent when Settle returned, want the 2 for this console", n)
	}
	pending, err := db.PendingOutbox(ctx, "test", 10)
	if err != nil || len(pending) != 1 || pending[0].Address != "other" {
		t.Errorf("pending after Settle: %+v %v; want only the other console's", pending, err)
	}
}
