package privacy

import (
	"context"
	"strings"
	"testing"
	"time"

	"klabot/flows"
	"klabot/flows/menu"
	"klabot/store"
	"klabot/store/exporttest"
)

// Erasing in chat tells whoever is affected: the person next in line gets
// the freed seat, and staff learn which open reports lost their volunteer.
func TestEraseInChatTellsThoseAffected(t *testing.T) {
	ctx := context.Background()
	db, s := exporttest.OpenSeeded(t)
	now := exporttest.At(time.November, 24, 10, 0)
	err := db.Tx(ctx, func(tx *store.Tx) error {
		tr, err := tx.CreateTraining(store.Training{Program: "forum_anak", Title: "Rapat Desember", KecCode: exporttest.KecBengkayang,
			StartsAt: exporttest.At(time.December, 5, 9, 0), EndsAt: exporttest.At(time.December, 5, 11, 0), Capacity: 1,
			AttendanceCode: "ZZZZZ9"}, now)
		if err != nil {
			return err
		}
		for _, who := range []string{"Anak A", "Anak C"} {
			if _, err := tx.Register(store.Registration{TrainingID: tr.ID, UserID: s.People[who], FullName: who, Age: 14}, now); err != nil {
				return err
			}
		}
		return tx.AssignReport(s.Reports["R2"].ID, s.People["V1"], s.People["Staf"], now)
	})
	if err != nil {
		t.Fatal(err)
	}
	e := flows.NewEngine(flows.Config{Location: exporttest.WIB, DataDir: t.TempDir()}, menu.Add, Add)
	say := func(who, text string) []flows.Message {
		var msgs []flows.Message
		err := db.Tx(ctx, func(tx *store.Tx) error {
			u, err := tx.User(s.People[who])
			if err != nil {
				return err
			}
			if raw, _ := tx.Session(u.ID); raw == nil {
				tx.SaveSession(u.ID, store.SessionState{JSON: []byte(`{"flow":"menu","version":1,"step":"main"}`), Flow: "menu"}, now)
			}
			msgs, err = e.Run(tx, flows.Request{User: u, Input: flows.Input{Kind: flows.KindText, Text: text}, Now: now, Channel: "console"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return msgs
	}
	say("Anak A", "hapus data saya")
	msgs := say("Anak A", "1")
	if !strings.Contains(msgs[0].Reply.Text, "Data kamu sudah dihapus") { // a child is spoken to as kamu
		t.Errorf("answer: %q", msgs[0].Reply.Text)
	}
	told := false
	for _, m := range msgs[1:] {
		told = told || m.UserID == s.People["Anak C"] && strings.Contains(m.Reply.Text, "Rapat Desember")
	}
	if !told {
		t.Errorf("Anak C was not told of the freed seat: %+v", msgs)
	}
	say("V1", "/hapusdata")
	msgs = say("V1", "Ya, hapus")
	staffTold := false
	for _, m := range msgs {
		staffTold = staffTold || m.ToStaff && strings.Contains(m.Reply.Text, s.Reports["R2"].Code)
	}
	if !staffTold {
		t.Errorf("staff were not told R2 needs a volunteer: %+v", msgs)
	}
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for _, who := range []string{"Anak A", "V1"} {
			u, _ := tx.User(s.People[who])
			if erased, _ := tx.IsErased(u.ID); !erased || u.Name != "" {
				t.Errorf("%s: erased %v, name %q", who, erased, u.Name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
