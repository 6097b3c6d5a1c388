package all_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"klabot/store"
)

// Someone who gave an age under 18 when registering for a training is a
// child when they report; an adult is not.
func TestChildByAgeGivenBefore(t *testing.T) {
	ch := newChat(t)
	ch.join("remaja", "1") // says "warga", but registered as 16
	ch.join("dewasa", "1")
	err := ch.db.Tx(context.Background(), func(tx *store.Tx) error {
		tr, err := tx.CreateTraining(store.Training{Program: "wikapa", Title: "Wirausaha", KecCode: "61.07.03",
			StartsAt: ch.now.Add(48 * time.Hour), EndsAt: ch.now.Add(50 * time.Hour), Capacity: 10,
			AttendanceCode: "ZZZZZ9"}, ch.now)
		if err != nil {
			return err
		}
		for who, age := range map[string]int{"remaja": 16, "dewasa": 34} {
			id, err := tx.UserIDByContact(store.Contact{Channel: "console", Address: who})
			if err != nil {
				return err
			}
			if _, err := tx.Register(store.Registration{TrainingID: tr.ID, UserID: id, FullName: who, Age: age}, ch.now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := ch.say("remaja", "lapor"); !strings.Contains(got, "tanpa nama") || !strings.Contains(got, "orang dewasa yang kamu percaya") {
		t.Errorf("a 16-year-old is not offered anonymity first:\n%s", got)
	}
	if got := ch.say("dewasa", "lapor"); !strings.Contains(got, "Laporan ini tentang apa?") {
		t.Errorf("an adult does not start with the category:\n%s", got)
	}
}

// The name typed for a named report stays with that report: a staff
// member filing for a villager does not take the villager's name.
func TestReportNameStaysWithReport(t *testing.T) {
	ch := newChat(t)
	ch.staff["petugas"] = true
	ch.join("petugas", "1")
	for _, text := range []string{"lapor", "kekerasan", "tidak", "ledo", "lesabela", "lewati",
		"Anak tetangga dipukul setiap malam.", "1", "5-12 tahun", "lewati", "boleh, pakai nama"} {
		ch.say("petugas", text)
	}
	if got := ch.say("petugas", "Ibu Sri Wahyuni"); !strings.Contains(got, "Pelapor: Ibu Sri Wahyuni") {
		t.Fatalf("the summary does not name the reporter:\n%s", got)
	}
	ch.say("petugas", "kirim")
	if all := strings.Join(ch.seen["staff"], "\n"); !strings.Contains(all, "Pelapor: Ibu Sri Wahyuni") {
		t.Errorf("the staff card does not name the reporter:\n%s", all)
	}
	err := ch.db.Tx(context.Background(), func(tx *store.Tx) error {
		id, err := tx.UserIDByContact(store.Contact{Channel: "console", Address: "petugas"})
		if err != nil {
			return err
		}
		u, err := tx.User(id)
		if err != nil {
			return err
		}
		if u.Name != "" {
			t.Errorf("the staff member is now called %q", u.Name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A child is "kamu" in every flow, not only while reporting: their own
// reports, reminders and the menu's answers.
func TestChildIsKamuEverywhere(t *testing.T) {
	ch := newChat(t)
	ch.join("dewi", "2") // Anggota Forum Anak
	for _, text := range []string{"menu", "3", "menu", "4", "menu", "data saya"} {
		reply := ch.say("dewi", text)
		if strings.Contains(reply, "Anda") {
			t.Errorf("after %q a child is called Anda:\n%s", text, reply)
		}
	}
	ch.join("budi", "1") // an adult villager
	if reply := ch.say("budi", "3"); !strings.Contains(reply, "Anda") {
		t.Errorf("an adult is not called Anda:\n%s", reply)
	}
}
