package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"klabot/store"
)

func openTemp(t *testing.T) (*store.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "klabot.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func TestOpenCreatesPrivateFilesAndMigratesOnce(t *testing.T) {
	db, path := openTemp(t)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("database mode %o, want 600", mode)
	}
	if err := db.Tx(context.Background(), func(tx *store.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if info, err := os.Stat(path + suffix); err == nil && info.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %o, want 600", suffix, info.Mode().Perm())
		}
	}
	db.Close()
	// Opening again applies nothing twice.
	db2, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	db2.Close()
}

func TestFirstSeenDedupes(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	now := time.Now()
	var first, second bool
	err := db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		if first, err = tx.FirstSeen("telegram", "42", now); err != nil {
			return err
		}
		second, err = tx.FirstSeen("telegram", "42", now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !first || second {
		t.Errorf("FirstSeen = %v then %v, want true then false", first, second)
	}
	if err := db.PruneInbound(ctx, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	db.Tx(ctx, func(tx *store.Tx) error { first, _ = tx.FirstSeen("telegram", "42", now); return nil })
	if !first {
		t.Error("a pruned id should count as new")
	}
}

func TestSavepointUndoesOnlyItsOwnWork(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	now := time.Now()
	err := db.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.Savepoint(func() error { _, err := tx.FirstSeen("c", "kept", now); return err }); err != nil {
			return err
		}
		failed := tx.Savepoint(func() error {
			tx.FirstSeen("c", "undone", now)
			return os.ErrInvalid
		})
		if failed == nil {
			t.Error("savepoint should return the error")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Tx(ctx, func(tx *store.Tx) error {
		if fresh, _ := tx.FirstSeen("c", "kept", now); fresh {
			t.Error("work of the good savepoint was lost")
		}
		if fresh, _ := tx.FirstSeen("c", "undone", now); !fresh {
			t.Error("work of the failed savepoint was kept")
		}
		return nil
	})
}

func TestUsersContactsAndUnreachable(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	now := time.Now()
	c := store.Contact{Channel: "telegram", Address: "1001"}
	var id int64
	err := db.Tx(ctx, func(tx *store.Tx) error {
		u, isNew, err := tx.UserByContact(c, "id", now)
		if err != nil || !isNew {
			t.Fatalf("first contact: new=%v err=%v", isNew, err)
		}
		id = u.ID
		u.Role, u.ConsentAt = "warga", now
		if err := tx.SaveUser(u); err != nil {
			return err
		}
		again, isNew, err := tx.UserByContact(c, "en", now)
		if err != nil || isNew || again.ID != id || again.Role != "warga" || again.Lang != "id" || again.ConsentAt.IsZero() {
			t.Fatalf("second contact: %+v new=%v err=%v", again, isNew, err)
		}
		if err := tx.Enqueue(store.OutboxMessage{Channel: c.Channel, Address: c.Address, Payload: []byte(`{}`)}, now); err != nil {
			return err
		}
		return tx.MarkUnreachable(c, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	if un, _ := db.Unreachable(c); !un {
		t.Error("contact should be unreachable")
	}
	if pending, _, failed, _ := db.OutboxCounts(ctx, "telegram"); pending != 0 || failed != 1 {
		t.Errorf("queued message for an unreachable contact: pending %d failed %d, want 0 and 1", pending, failed)
	}
	db.Tx(ctx, func(tx *store.Tx) error {
		if cs, _ := tx.ContactsOf(id); len(cs) != 0 {
			t.Errorf("unreachable contact listed: %v", cs)
		}
		tx.UserByContact(c, "id", now) // writing again makes it reachable
		if cs, _ := tx.ContactsOf(id); len(cs) != 1 {
			t.Errorf("contact not reachable after writing again: %v", cs)
		}
		return nil
	})
}

func TestOutboxOrderAndDeliveries(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	now := time.Now()
	db.Tx(ctx, func(tx *store.Tx) error {
		tx.Enqueue(store.OutboxMessage{Channel: "telegram", Address: "1", Priority: store.PriorityBroadcast, Payload: []byte(`"b"`)}, now)
		tx.Enqueue(store.OutboxMessage{Channel: "telegram", Address: "2", Priority: store.PriorityReply, Payload: []byte(`"r1"`)}, now)
		tx.Enqueue(store.OutboxMessage{Channel: "telegram", Address: "2", Priority: store.PriorityReply, Payload: []byte(`"r2"`)}, now)
		tx.Enqueue(store.OutboxMessage{Channel: "console", Address: "x", Payload: []byte(`"c"`)}, now)
		return nil
	})
	pending, err := db.PendingOutbox(ctx, "telegram", 10)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, m := range pending {
		payload, err := db.OutboxPayload(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, string(payload))
	}
	if got := fmtList(order); got != `"r1" "r2" "b"` {
		t.Errorf("order %s, want replies first, oldest first", got)
	}
	err = db.RecordDeliveries(ctx, []store.Delivery{
		{ID: pending[0].ID, Sent: true},
		{ID: pending[1].ID, RetryAt: now.Add(time.Minute), Error: "503"},
		{ID: pending[2].ID, Failed: true, Error: "400"},
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	p, s, f, _ := db.OutboxCounts(ctx, "telegram")
	if p != 1 || s != 1 || f != 1 {
		t.Errorf("pending/sent/failed = %d/%d/%d, want 1/1/1", p, s, f)
	}
	left, _ := db.PendingOutbox(ctx, "telegram", 10)
	if len(left) != 1 || left[0].Attempts != 1 || !left[0].NotBefore.After(now) {
		t.Errorf("retry row = %+v, want one attempt and a later not_before", left)
	}
}

func fmtList(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}
