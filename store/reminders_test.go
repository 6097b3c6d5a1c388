package store_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"klabot/store"
)

var reminderZone = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Pontianak")
	if err != nil {
		panic(err)
	}
	return loc
}()

func wibAt(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, reminderZone) }

func openReminderDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// pendingTimes lists a person's pending reminders as "kind@time" in WIB.
func pendingTimes(t *testing.T, tx *store.Tx, userID int64) []string {
	t.Helper()
	rems, err := tx.UserTrainingReminders(userID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rems {
		out = append(out, r.Kind+"@"+r.DueAt.In(reminderZone).Format("02 15:04"))
	}
	return out
}

// Reminders follow registrations: people waiting get none until they have
// a seat; a time already past when planned is skipped, not sent late; a
// cancelled registration drops its reminders; merged people keep theirs.
func TestSyncTrainingReminders(t *testing.T) {
	db := openReminderDB(t)
	err := db.Tx(context.Background(), func(tx *store.Tx) error {
		now := wibAt(24, 10)
		tr, err := tx.CreateTraining(store.Training{Program: "wikapa", Title: "Kue", Place: "Aula",
			StartsAt: wibAt(26, 9), EndsAt: wibAt(26, 12), Capacity: 1, AttendanceCode: "REM234"}, now)
		if err != nil {
			return err
		}
		var ids []int64
		for _, name := range []string{"ani", "budi", "cici"} {
			u, _, err := tx.UserByContact(store.Contact{Channel: "console", Address: name}, "id", now)
			if err != nil {
				return err
			}
			ids = append(ids, u.ID)
		}
		ani, budi, cici := ids[0], ids[1], ids[2]
		sync := func(at time.Time) {
			if err := tx.SyncTrainingReminders(tr.ID, reminderZone, at); err != nil {
				t.Fatal(err)
			}
		}
		reg := func(user int64, at time.Time) {
			if _, err := tx.Register(store.Registration{TrainingID: tr.ID, UserID: user, FullName: "X", Age: 30}, at); err != nil {
				t.Fatal(err)
			}
			sync(at)
		}
		reg(ani, now)
		reg(budi, now) // full: waiting
		want := []string{"training_day_before@25 07:00", "training_2h@26 07:00"}
		if got := pendingTimes(t, tx, ani); !slices.Equal(got, want) {
			t.Errorf("ani: %v, want %v", got, want)
		}
		if got := pendingTimes(t, tx, budi); len(got) != 0 {
			t.Errorf("budi, waiting: %v", got)
		}
		// Ani cancels on the 25th at 08:00: budi gets the seat; his
		// day-before reminder (07:00) is past, so only the 2-hour one.
		late := wibAt(25, 8)
		if _, err := tx.CancelRegistration(tr.ID, ani, late); err != nil {
			return err
		}
		sync(late)
		if got := pendingTimes(t, tx, ani); len(got) != 0 {
			t.Errorf("ani, cancelled: %v", got)
		}
		if got := pendingTimes(t, tx, budi); !slices.Equal(got, []string{"training_2h@26 07:00"}) {
			t.Errorf("budi, promoted late: %v", got)
		}
		// Budi's account is merged into cici's: his reminders follow.
		if _, err := tx.MergeUsers(cici, budi, now); err != nil {
			return err
		}
		if got := pendingTimes(t, tx, cici); !slices.Equal(got, []string{"training_2h@26 07:00"}) {
			t.Errorf("cici after merge: %v", got)
		}
		// Syncing again changes nothing.
		sync(late)
		if got := pendingTimes(t, tx, cici); !slices.Equal(got, []string{"training_2h@26 07:00"}) {
			t.Errorf("cici after a second sync: %v", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// MarkOnce is true once per key; RecordJobRun keeps the latest run.
func TestMarksAndJobRuns(t *testing.T) {
	db := openReminderDB(t)
	now := wibAt(24, 7)
	err := db.Tx(context.Background(), func(tx *store.Tx) error {
		for i, want := range []bool{true, false} {
			first, err := tx.MarkOnce("digest:2026-11-24", now)
			if err != nil || first != want {
				t.Errorf("mark %d: %v %v, want %v", i, first, err, want)
			}
		}
		if err := tx.RecordJobRun("backup", now); err != nil {
			return err
		}
		return tx.RecordJobRun("backup", now.Add(-time.Hour)) // older: ignored
	})
	if err != nil {
		t.Fatal(err)
	}
	last, err := db.LastJobRun("backup")
	if err != nil || !last.Equal(now) {
		t.Errorf("last run %v %v, want %v", last, err, now)
	}
	if never, err := db.LastJobRun("other"); err != nil || !never.IsZero() {
		t.Errorf("never ran: %v %v", never, err)
	}
}
