package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func openLinkTest(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Merging moves every row that refers to the old person, whatever table it
// is in, drops what would be a duplicate, keeps the kept person's details
// (filled from the other's) and deletes the old person.
func TestMergeUsersMovesEveryReference(t *testing.T) {
	db := openLinkTest(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	var keep, old User
	err := db.Tx(ctx, func(tx *Tx) error {
		// Tables of a feature that does not exist yet: one without ON
		// DELETE and with a unique pair, one with two references.
		for _, q := range []string{
			`CREATE TABLE regs (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
				training TEXT NOT NULL, UNIQUE(training, user_id))`,
			`CREATE TABLE notes (id INTEGER PRIMARY KEY, author INTEGER REFERENCES users(id) ON DELETE SET NULL,
				about INTEGER REFERENCES users, body TEXT)`,
		} {
			if _, err := tx.exec(q); err != nil {
				return err
			}
		}
		var err error
		if keep, _, err = tx.UserByContact(Contact{"whatsapp", "6281200000001"}, "id", now); err != nil {
			return err
		}
		if old, _, err = tx.UserByContact(Contact{"telegram", "5001"}, "en", now); err != nil {
			return err
		}
		keep.Role, keep.ConsentAt = "warga", now
		old.Name, old.Role, old.ConsentAt, old.OptedOutAt = "Sari", "satgas", now.Add(-time.Hour), now
		if err := tx.SaveUser(keep); err != nil {
			return err
		}
		if err := tx.SaveUser(old); err != nil {
			return err
		}
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO regs(user_id, training) VALUES (?, 'A'), (?, 'A'), (?, 'B')`, []any{keep.ID, old.ID, old.ID}},
			{`INSERT INTO notes(author, about, body) VALUES (?, ?, 'n')`, []any{old.ID, keep.ID}},
		} {
			if _, err := tx.exec(q.sql, q.args...); err != nil {
				return err
			}
		}
		if err := tx.SaveSession(old.ID, SessionState{JSON: []byte(`{"flow":"menu"}`), Flow: "menu"}, now); err != nil {
			return err
		}
		if err := tx.SaveSession(keep.ID, SessionState{JSON: []byte(`{"flow":"link"}`), Flow: "link"}, now); err != nil {
			return err
		}
		_, err = tx.MergeUsers(keep.ID, old.ID, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	db.Tx(ctx, func(tx *Tx) error {
		contacts, _ := tx.ContactsOf(keep.ID)
		if len(contacts) != 2 {
			t.Errorf("contacts of the kept person: %v, want both", contacts)
		}
		if id, _ := tx.UserIDByContact(Contact{"telegram", "5001"}); id != keep.ID {
			t.Errorf("the Telegram contact belongs to %d, want %d", id, keep.ID)
		}
		if _, err := tx.User(old.ID); err == nil {
			t.Error("the old person still exists")
		}
		u, _ := tx.User(keep.ID)
		if u.Name != "Sari" || u.Role != "warga" || !u.ConsentAt.Equal(now) || u.OptedOutAt.IsZero() || u.Lang != "id" {
			t.Errorf("merged person = %+v; want the name filled in, own role, consent and language, and the opt-out honoured", u)
		}
		var regs, notes int
		tx.queryRow(`SELECT count(*) FROM regs WHERE user_id = ?`, keep.ID).Scan(&regs)
		tx.queryRow(`SELECT count(*) FROM notes WHERE author = ? AND about = ?`, keep.ID, keep.ID).Scan(&notes)
		if regs != 2 || notes != 1 {
			t.Errorf("%d registrations (want A once and B) and %d notes moved", regs, notes)
		}
		if s, _ := tx.Session(keep.ID); string(s) != `{"flow":"link"}` {
			t.Errorf("session = %s; the kept person's conversation must stay", s)
		}
		return nil
	})
}

func TestLinkCodes(t *testing.T) {
	db := openLinkTest(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	err := db.Tx(ctx, func(tx *Tx) error {
		a, _, _ := tx.UserByContact(Contact{"telegram", "1"}, "id", now)
		b, _, _ := tx.UserByContact(Contact{"whatsapp", "62811"}, "id", now)
		if ok, err := tx.NewLinkCode(a.ID, "123456", now, now.Add(15*time.Minute)); !ok || err != nil {
			t.Fatalf("new code: %v %v", ok, err)
		}
		if ok, _ := tx.NewLinkCode(b.ID, "123456", now, now.Add(15*time.Minute)); ok {
			t.Error("a code in use was handed out twice")
		}
		// A new code replaces the person's old one.
		tx.NewLinkCode(a.ID, "654321", now, now.Add(15*time.Minute))
		if id, _ := tx.LinkCodeOwner("123456", now); id != 0 {
			t.Error("the replaced code still works")
		}
		if id, _ := tx.LinkCodeOwner("654321", now.Add(14*time.Minute)); id != a.ID {
			t.Errorf("owner %d, want %d", id, a.ID)
		}
		if id, _ := tx.LinkCodeOwner("654321", now.Add(15*time.Minute)); id != 0 {
			t.Error("an expired code works")
		}
		tx.UseLinkCode("654321")
		if id, _ := tx.LinkCodeOwner("654321", now); id != 0 {
			t.Error("a used code works again")
		}
		for i := 0; i < 3; i++ {
			tx.RecordLinkAttempt(b.ID, now.Add(time.Duration(i)*20*time.Minute))
		}
		if n, _ := tx.LinkAttemptsSince(b.ID, now.Add(30*time.Minute)); n != 1 {
			t.Errorf("%d attempts in the last half hour, want 1", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
