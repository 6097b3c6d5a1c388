package all_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"klabot/store"
)

// Pengingat saya shows a training reminder at the time it will arrive: one
// due in the quiet hours (two hours before a 07:30 start) comes at 06:00.
func TestMineShowsTrainingReminderAfterQuietHours(t *testing.T) {
	ch := newChat(t)
	ch.join("ani", "4")
	err := ch.db.Tx(context.Background(), func(tx *store.Tx) error {
		u, _, err := tx.UserByContact(store.Contact{Channel: "console", Address: "ani"}, "id", ch.now)
		if err != nil {
			return err
		}
		start := time.Date(2026, 11, 26, 7, 30, 0, 0, ch.now.Location())
		tr, err := tx.CreateTraining(store.Training{Program: "wikapa", Title: "Senam Pagi", KecCode: "61.07.04", Place: "Lapangan",
			StartsAt: start, EndsAt: start.Add(2 * time.Hour), Capacity: 10, AttendanceCode: "SP2345"}, ch.now)
		if err != nil {
			return err
		}
		if _, err := tx.Register(store.Registration{TrainingID: tr.ID, UserID: u.ID, FullName: "Ani", Age: 30}, ch.now); err != nil {
			return err
		}
		return tx.SyncTrainingReminders(tr.ID, ch.now.Location(), ch.now)
	})
	if err != nil {
		t.Fatal(err)
	}
	got := ch.say("ani", "3")
	if !strings.Contains(got, "Rabu, 25 November 2026, 07.00 WIB; Kamis, 26 November 2026, 06.00 WIB") || strings.Contains(got, "05.30") {
		t.Errorf("Pengingat saya:\n%s\nwant the reminders at 07.00 the day before and at 06.00, not 05.30", got)
	}
}

// The same reminder saved twice (the command sent again, or a second
// press) runs once, and staff hear its number both times.
func TestSameReminderSavedTwiceRunsOnce(t *testing.T) {
	ch := newChat(t)
	ch.staff["petugas"] = true
	ch.join("petugas", "5")
	const cmd = "/pengingat 0 8 * * 1 | satgas | Rapat Satgas PA."
	ch.say("petugas", cmd)
	first := ch.say("petugas", "1")
	ch.say("petugas", cmd)
	second := ch.say("petugas", "1")
	if !strings.HasPrefix(first, "Pengingat no. 1 disimpan") || !strings.HasPrefix(second, "Pengingat no. 1 disimpan") {
		t.Errorf("answers %q and %q; want both to name reminder 1", first, second)
	}
	err := ch.db.Tx(context.Background(), func(tx *store.Tx) error {
		list, err := tx.ActiveRecurringReminders()
		if err == nil && len(list) != 1 {
			t.Errorf("%d reminders running, want 1", len(list))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
