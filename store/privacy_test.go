package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"klabot/flows/exportdata"
	"klabot/store"
	. "klabot/store/exporttest"
)

func inTx(t *testing.T, db *store.DB, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := db.Tx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// exportText is an export of October to December as one text, a line per row.
func exportText(t *testing.T, db *store.DB, kind string) string {
	t.Helper()
	var lines []string
	err := db.View(context.Background(), func(tx *store.Tx) error {
		table, err := exportdata.Build(tx, kind, exportdata.Range{From: At(time.October, 1, 0, 0), To: At(time.December, 31, 0, 0),
			Loc: WIB}, exportdata.Labels{})
		for _, r := range table.Rows {
			lines = append(lines, fmt.Sprint(r...))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

func recapOfNovember(t *testing.T, db *store.DB, s Seeded) exportdata.Recap {
	t.Helper()
	var rc exportdata.Recap
	err := db.View(context.Background(), func(tx *store.Tx) error {
		var err error
		rc, err = exportdata.BuildRecap(tx, At(time.November, 1, 0, 0), At(time.December, 1, 0, 0), s.Now, WIB)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

func TestPersonalDataShowsWhatIsStored(t *testing.T) {
	db, s := OpenSeeded(t)
	var p store.PersonalData
	inTx(t, db, func(tx *store.Tx) error {
		var err error
		p, err = tx.PersonalData(s.People["Anak A"])
		return err
	})
	if p.User.Name != "Anak A" || len(p.Contacts) != 1 || p.Contacts[0].Address != "anakA" || len(p.Registrations) != 3 {
		t.Errorf("Anak A's data: %+v", p)
	}
	inTx(t, db, func(tx *store.Tx) error {
		var err error
		p, err = tx.PersonalData(s.People[NamedName])
		return err
	})
	if len(p.Reports) != 1 || p.Reports[0].Code != s.Reports["R1"].Code {
		t.Errorf("Budi's reports: %+v", p.Reports)
	}
	inTx(t, db, func(tx *store.Tx) error {
		var err error
		p, err = tx.PersonalData(s.People["V1"])
		return err
	})
	if p.Volunteer == nil || p.Volunteer.KecCode != KecBengkayang {
		t.Errorf("V1's volunteer record: %+v", p.Volunteer)
	}
}

// Erasing the named reporter: the report stays, anonymous; the person is
// no one; their contacts and messages are gone, and so are staff's copies
// of the alert that named them.
func TestEraseNamedReporter(t *testing.T) {
	db, s := OpenSeeded(t)
	budi := s.People[NamedName]
	r1 := s.Reports["R1"]
	now := At(time.November, 24, 10, 0)
	inTx(t, db, func(tx *store.Tx) error {
		// Staff's alert naming Budi, delivered; and an answer still on its way to him.
		if err := tx.Enqueue(store.OutboxMessage{Channel: "console", Address: "staf", Subject: store.ReportSubject(r1.Code),
			Payload: []byte(`{"text":"Laporan ` + r1.Code + ` dari ` + NamedName + `"}`)}, now); err != nil {
			return err
		}
		if err := tx.Enqueue(store.OutboxMessage{Channel: "whatsapp", Address: NamedPhone, Payload: []byte(`{"text":"halo Budi"}`)}, now); err != nil {
			return err
		}
		return tx.Enqueue(store.OutboxMessage{Channel: "whatsapp", Address: NamedPhone, Payload: []byte(`{"text":"jawaban"}`)}, now)
	})
	pending, _ := db.PendingOutbox(context.Background(), "console", 10)
	sentWA, _ := db.PendingOutbox(context.Background(), "whatsapp", 10)
	var ds []store.Delivery
	for _, m := range pending {
		ds = append(ds, store.Delivery{ID: m.ID, Sent: true})
	}
	ds = append(ds, store.Delivery{ID: sentWA[0].ID, Sent: true}) // "halo Budi" delivered, "jawaban" pending
	if err := db.RecordDeliveries(context.Background(), ds, now); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(exportText(t, db, exportdata.KindReports), NamedName) {
		t.Fatal("before erasing, the named report should name Budi")
	}

	var er store.Erasure
	inTx(t, db, func(tx *store.Tx) error {
		var err error
		er, err = tx.ErasePerson(budi, now)
		return err
	})
	if er.Reports != 1 {
		t.Errorf("erasure kept %d reports anonymous, want 1", er.Reports)
	}
	reports := exportText(t, db, exportdata.KindReports)
	if strings.Contains(reports, NamedName) || strings.Contains(reports, NamedPhone) {
		t.Errorf("the export still names the erased reporter:\n%s", reports)
	}
	if !strings.Contains(reports, r1.Code) || !strings.Contains(reports, exportdata.ReporterErased) {
		t.Errorf("R1 should stay, its reporter shown as %q:\n%s", exportdata.ReporterErased, reports)
	}
	inTx(t, db, func(tx *store.Tx) error {
		id, err := tx.UserIDByContact(store.Contact{Channel: "whatsapp", Address: NamedPhone})
		if err != nil || id != 0 {
			t.Errorf("contact still leads to person %d (%v)", id, err)
		}
		u, err := tx.User(budi)
		if err != nil || u.Name != "" || u.Role != "" || !u.ConsentAt.IsZero() {
			t.Errorf("erased person still holds %+v (%v)", u, err)
		}
		erased, _ := tx.IsErased(budi)
		r, _ := tx.ReportByCode(r1.Code)
		if !erased || !r.Anonymous || r.Description != Formula {
			t.Errorf("erased %v; report anonymous %v, story kept %v", erased, r.Anonymous, r.Description == Formula)
		}
		return nil
	})
	left, _ := db.PendingOutbox(context.Background(), "whatsapp", 10)
	if len(left) != 1 {
		t.Errorf("%d messages to Budi left pending, want the 1 still on its way", len(left))
	}
	waiting, sent, _, _ := db.OutboxCounts(context.Background(), "console")
	if waiting+sent != 0 {
		t.Errorf("staff's copy of the alert naming Budi is still kept (%d pending, %d sent)", waiting, sent)
	}
}

// Erasing a child with seats: seats to come are given up (the waitlist
// moves up), all registrations lose name and phone, and the month's
// numbers do not change.
func TestEraseRegistrantAndVolunteer(t *testing.T) {
	db, s := OpenSeeded(t)
	before := recapOfNovember(t, db, s)
	now := At(time.November, 24, 10, 0)
	// A session to come with one seat: Anak A holds it, Anak C waits.
	var tr store.Training
	inTx(t, db, func(tx *store.Tx) error {
		var err error
		tr, err = tx.CreateTraining(store.Training{Program: "forum_anak", Title: "Rapat Desember", KecCode: KecBengkayang,
			StartsAt: At(time.December, 5, 9, 0), EndsAt: At(time.December, 5, 11, 0), Capacity: 1, AttendanceCode: "ZZZZZ9"}, now)
		if err != nil {
			return err
		}
		for _, who := range []string{"Anak A", "Anak C"} {
			if _, err := tx.Register(store.Registration{TrainingID: tr.ID, UserID: s.People[who], FullName: who, Age: 14,
				DesaCode: DesaTirta, Phone: "6281200000001"}, now); err != nil {
				return err
			}
		}
		// V1 holds open report R2.
		return tx.AssignReport(s.Reports["R2"].ID, s.People["V1"], s.People["Staf"], now)
	})
	var child, volunteer store.Erasure
	inTx(t, db, func(tx *store.Tx) error {
		var err error
		if child, err = tx.ErasePerson(s.People["Anak A"], now); err != nil {
			return err
		}
		volunteer, err = tx.ErasePerson(s.People["V1"], now)
		return err
	})
	if len(child.Promoted) != 1 || child.Promoted[0].UserID != s.People["Anak C"] || child.Cancelled != 2 {
		// T4 (2 December) and the new session are still to come.
		t.Errorf("child erasure: %d seats given up, promoted %+v", child.Cancelled, child.Promoted)
	}
	if len(volunteer.Unassigned) != 1 || volunteer.Unassigned[0].Code != s.Reports["R2"].Code {
		t.Errorf("volunteer erasure unassigned %+v", volunteer.Unassigned)
	}
	regs := exportText(t, db, exportdata.KindRegistrations)
	if strings.Contains(regs, "Anak A") {
		t.Errorf("registrations still name Anak A:\n%s", regs)
	}
	inTx(t, db, func(tx *store.Tx) error {
		if _, ok, _ := tx.Volunteer(s.People["V1"]); ok {
			t.Error("V1 is still a volunteer")
		}
		r, _ := tx.ReportByCode(s.Reports["R2"].Code)
		if r.AssignedTo != 0 {
			t.Errorf("R2 still assigned to %d", r.AssignedTo)
		}
		return nil
	})
	after := recapOfNovember(t, db, s)
	if after.TrainingsTotal != before.TrainingsTotal || after.MembersTotal.ForumAnakActive != before.MembersTotal.ForumAnakActive {
		t.Errorf("erasing changed November's training numbers: %+v -> %+v, Forum Anak %d -> %d", before.TrainingsTotal,
			after.TrainingsTotal, before.MembersTotal.ForumAnakActive, after.MembersTotal.ForumAnakActive)
	}
}

// Two years after closing, a report keeps only what the recaps need; its
// evidence files are deleted; registrations of old trainings lose their
// personal details; the month's numbers stay as they were.
func TestRetentionPurgesOldPersonalDetails(t *testing.T) {
	db, s := OpenSeeded(t)
	before := recapOfNovember(t, db, s)
	dir := t.TempDir()
	evidence := map[string]string{}
	for _, name := range []string{"R1", "R3"} {
		r := s.Reports[name]
		folder := filepath.Join(dir, "media", r.Code)
		os.MkdirAll(folder, 0o700)
		path := filepath.Join(folder, "foto.jpg")
		os.WriteFile(path, []byte("foto anak"), 0o600)
		evidence[name] = path
		inTx(t, db, func(tx *store.Tx) error {
			id, err := tx.AddReportMedia(r.ID, store.Media{Kind: "photo", Channel: "telegram", Ref: "f"}, r.ReporterID, r.CreatedAt)
			if err != nil {
				return err
			}
			return tx.MediaSaved(id, "abc", 9, path)
		})
	}
	// A question to R1's reporter, answered.
	inTx(t, db, func(tx *store.Tx) error {
		q := store.Question{ReportID: s.Reports["R1"].ID, Role: store.RoleStaff, Text: "Di kebun mana?", AskedAt: At(time.November, 5, 9, 0)}
		if err := tx.AddQuestion(&q); err != nil {
			return err
		}
		_, err := tx.AnswerQuestion(q.ID, "Kebun Pak Budi", "text", At(time.November, 5, 10, 0))
		return err
	})
	// Old delivered messages go after 30 days, a broadcast's too.
	inTx(t, db, func(tx *store.Tx) error {
		tx.Enqueue(store.OutboxMessage{Channel: "console", Address: "anakA", Payload: []byte(`{"text":"lama"}`)}, At(time.October, 1, 9, 0))
		return tx.Enqueue(store.OutboxMessage{Channel: "console", Address: "anakA", Priority: store.PriorityBroadcast,
			Payload: []byte(`{"text":"siaran"}`)}, At(time.October, 1, 9, 0))
	})
	pending, _ := db.PendingOutbox(context.Background(), "console", 10)
	var ds []store.Delivery
	for _, m := range pending {
		ds = append(ds, store.Delivery{ID: m.ID, Sent: true})
	}
	db.RecordDeliveries(context.Background(), ds, At(time.October, 1, 9, 1))

	// Two years after R1 closed (10 November 2026, 10:00), plus an hour.
	now := At(time.November, 10, 11, 0).AddDate(0, 0, store.DefaultRetentionDays)
	res, err := db.ApplyRetention(context.Background(), now, store.DefaultRetentionDays)
	if err != nil {
		t.Fatal(err)
	}
	// R1 (closed 10 Nov) and R4 (4 Nov) are purged; R3 (21 Nov) and the
	// open ones are not. Only T1 (7 Nov) ended before the cutoff: A, B, C, D.
	if res.Reports != 2 || res.Files != 1 || res.Registrations != 4 || res.Messages != 2 {
		t.Errorf("retention removed %+v; want 2 reports, 1 file, 4 registrations, 2 messages", res)
	}
	if _, err := os.Stat(evidence["R1"]); !os.IsNotExist(err) {
		t.Errorf("R1's evidence file is still there: %v", err)
	}
	if _, err := os.Stat(evidence["R3"]); err != nil {
		t.Errorf("R3's evidence file (closed less than two years ago) is gone: %v", err)
	}
	inTx(t, db, func(tx *store.Tx) error {
		r1, _ := tx.ReportByCode(s.Reports["R1"].Code)
		if r1.Description != "" || r1.PlaceNote != "" || !r1.Anonymous || r1.ReporterID == s.People[NamedName] ||
			r1.Category != "bpta_sawit" || r1.DesaCode != DesaTirta || r1.ChildrenCount != 2 {
			t.Errorf("purged R1: %+v", r1)
		}
		media, _ := tx.ReportMedia(r1.ID)
		if qs, _ := tx.Questions(r1.ID); len(qs) != 1 || qs[0].Text != "" || qs[0].Answer != "" || qs[0].Open() {
			t.Errorf("R1's question after retention: %+v", qs)
		}
		events, _ := tx.ReportEvents(r1.ID)
		for _, e := range events {
			if e.Note != "" {
				t.Errorf("R1 event keeps note %q", e.Note)
			}
		}
		r3, _ := tx.ReportByCode(s.Reports["R3"].Code)
		if len(media) != 0 || r3.Description == "" {
			t.Errorf("R1 media %d, R3 story %q", len(media), r3.Description)
		}
		p, _ := tx.PersonalData(s.People[NamedName])
		if len(p.Reports) != 0 {
			t.Errorf("Budi is still linked to %d reports", len(p.Reports))
		}
		return nil
	})
	regs := exportText(t, db, exportdata.KindRegistrations)
	for _, name := range []string{"Anak B Lengkap", "Anak C Lengkap", "Anak D Lengkap"} {
		if strings.Contains(regs, name) {
			t.Errorf("registrations of old trainings still name %s", name)
		}
	}
	if !strings.Contains(regs, "Anak A Lengkap") || !strings.Contains(regs, "V2 Lengkap") { // T2, T4, T6 ended later
		t.Errorf("registrations of later trainings lost their names:\n%s", regs)
	}
	after := recapOfNovember(t, db, s)
	if fmt.Sprint(after.Total.Received, after.Total.Closed, after.TrainingsTotal, after.MembersTotal) !=
		fmt.Sprint(before.Total.Received, before.Total.Closed, before.TrainingsTotal, before.MembersTotal) {
		t.Errorf("retention changed November's numbers: %+v %+v -> %+v %+v", before.Total, before.TrainingsTotal, after.Total, after.TrainingsTotal)
	}
	// A second run finds nothing more to do.
	if res, err := db.ApplyRetention(context.Background(), now, store.DefaultRetentionDays); err != nil || res.Reports+res.Registrations+res.Files != 0 {
		t.Errorf("second run: %+v, %v", res, err)
	}
}

// After erasing, no table keeps a way to reach the person: bulk messages
// still queued to them (a reminder, a broadcast) are dropped, not sent to
// someone who is no one now and then kept for good; and the dedupe log
// forgets the WhatsApp message ids, which carry their number.
func TestErasureLeavesNoNumberBehind(t *testing.T) {
	db, s := OpenSeeded(t)
	budi := s.People[NamedName]
	now := At(time.November, 24, 10, 0)
	inTx(t, db, func(tx *store.Tx) error {
		for _, p := range []int{store.PriorityReminder, store.PriorityBroadcast} {
			if err := tx.Enqueue(store.OutboxMessage{Channel: "whatsapp", Address: NamedPhone, Priority: p,
				Payload: []byte(`{"text":"pengumuman"}`)}, now); err != nil {
				return err
			}
		}
		for _, id := range []string{NamedPhone + "@s.whatsapp.net/3EB0AA", "6289999999999@s.whatsapp.net/3EB0BB"} {
			if _, err := tx.FirstSeen("whatsapp", id, now); err != nil {
				return err
			}
		}
		_, err := tx.ErasePerson(budi, now)
		return err
	})
	if pending, _ := db.PendingOutbox(context.Background(), "whatsapp", 10); len(pending) != 0 {
		t.Errorf("%d bulk messages still queued to the erased person's number", len(pending))
	}
	raw, err := sql.Open("sqlite3", "file:"+db.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM inbound WHERE instr(message_id, ?) > 0`, NamedPhone).Scan(&n); err != nil || n != 0 {
		t.Errorf("the dedupe log keeps %d message ids with the erased person's number (%v)", n, err)
	}
	if err := raw.QueryRow(`SELECT count(*) FROM inbound`).Scan(&n); err != nil || n != 1 {
		t.Errorf("the dedupe log keeps %d ids, want only the other person's (%v)", n, err)
	}
}
