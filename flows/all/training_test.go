package all_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"klabot/flows"
	"klabot/flows/all"
	"klabot/flows/training"
	"klabot/locales"
	"klabot/store"
)

// The "trainings" transcript setup adds /seed: five trainings around the
// transcript's clock, one of each programme, with fixed attendance codes;
// "/seed peserta" also registers three people (warga1 and warga3 speak
// Indonesian, warga2 English) so staff have someone to tell.
func init() {
	setups["trainings"] = func(e *flows.Engine) {
		e.AddCommand("seed", func(c *flows.Ctx, args string) flows.Next {
			if err := seedTrainings(c, args == "peserta"); err != nil {
				return c.Fail(err)
			}
			c.Say("SEEDED")
			return flows.Menu()
		})
	}
}

func seedTrainings(c *flows.Ctx, people bool) error {
	day := func(days, hour int) time.Time {
		d := c.Now.In(c.Loc).AddDate(0, 0, days)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, c.Loc)
	}
	trainings := []store.Training{
		{Program: "wikapa", Title: "Usaha Kue Rumahan untuk Keluarga", KecCode: "61.07.04", Place: "Aula Kantor Camat Bengkayang",
			StartsAt: day(7, 9), EndsAt: day(7, 15), Capacity: 20, AttendanceCode: "KUE234",
			Description: "Bawa alat tulis. Makan siang disediakan."},
		{Program: "remaja", Title: "Bootcamp Wirausaha Remaja", KecCode: "61.07.06", Place: "SMK Negeri 1 Sanggau Ledo",
			StartsAt: day(10, 8), EndsAt: day(12, 15), Capacity: 15, AttendanceCode: "REM345"},
		{Program: "transmigran", Title: "Disiplin Positif di Rumah", KecCode: "61.07.16", Place: "Balai Desa Janyat",
			StartsAt: day(3, 13), EndsAt: day(3, 16), Capacity: 1, AttendanceCode: "TRN456"},
		{Program: "satgas", Title: "Pelatihan Satgas PA Angkatan 3", KecCode: "61.07.04", Place: "Kantor Dinas",
			StartsAt: day(0, 13), EndsAt: day(0, 16), Capacity: 30, AttendanceCode: "SAT567"},
		{Program: "forum_anak", Title: "Hak Anak dan Partisipasi", KecCode: "61.07.01", Place: "Balai Desa Sungai Duri",
			StartsAt: day(14, 9), EndsAt: day(14, 12), Capacity: 25, AttendanceCode: "FRM678"},
	}
	var ids []int64
	for _, t := range trainings {
		saved, err := c.Tx.CreateTraining(t, c.Now)
		if err != nil {
			return err
		}
		ids = append(ids, saved.ID)
	}
	if !people {
		return nil
	}
	for i, p := range []struct{ address, lang, name, phone string }{
		{"warga1", "id", "Siti Aminah", "6281234567890"},
		{"warga2", "en", "Maria Ulan", "6285250001111"},
		{"warga3", "id", "Yohanes Ding", "6281345678901"},
	} {
		u, _, err := c.Tx.UserByContact(store.Contact{Channel: "console", Address: p.address}, p.lang, c.Now)
		if err != nil {
			return err
		}
		for _, tid := range []int64{ids[0], ids[2], ids[3]} {
			_, err := c.Tx.Register(store.Registration{TrainingID: tid, UserID: u.ID, FullName: p.name, Age: 30 + i,
				DesaCode: "61.07.04.1010", Phone: p.phone, Priority: i % 2,
				Answers: map[string]string{"extreme_poor": "yes"}}, c.Now)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

var importNow = time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)

func wib(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Pontianak")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseTrainingsCSVGoodFile(t *testing.T) {
	// Excel in Indonesian settings: a byte order mark, ';' between columns,
	// Indonesian headers in any order, a quoted ';', CRLF and an empty row.
	file := "\ufeffJudul;Program;Kecamatan;Tempat;Mulai;Selesai;Kapasitas;Keterangan\r\n" +
		"Usaha Kue;wikapa;Bengkayang;Aula Camat;12-12-2026 09:00;12:00;25;\"Bawa; alat tulis\"\r\n" +
		";;;;;;;\r\n" +
		"Bootcamp;Vokasi remaja 15-17;61.07.06;SMK 1;2026-12-14 08:00;16-12-2026 15.00;15;\r\n"
	rows, err := training.ParseCSV(strings.NewReader(file), wib(t), importNow, "id")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	first, second := rows[0].Training, rows[1].Training
	if rows[0].Line != 2 || first.Program != "wikapa" || first.KecCode != "61.07.04" || first.Capacity != 25 ||
		first.Description != "Bawa; alat tulis" || first.StartsAt.Format(time.RFC3339) != "2026-12-12T09:00:00+07:00" ||
		first.EndsAt.Format(time.RFC3339) != "2026-12-12T12:00:00+07:00" {
		t.Errorf("first row: line %d %+v", rows[0].Line, first)
	}
	if rows[1].Line != 4 || second.Program != "remaja" || second.EndsAt.Format(time.RFC3339) != "2026-12-16T15:00:00+07:00" {
		t.Errorf("second row: line %d %+v", rows[1].Line, second)
	}
}

func TestParseTrainingsCSVReportsEveryBadRow(t *testing.T) {
	file := "program,title,kecamatan,place,starts_at,ends_at,capacity,description\n" +
		"wikapa,Usaha Kue,Bengkayang,Aula,12-12-2026 09:00,12:00,25,\n" + // good
		"wikapa,Usaha Kue,Bengkayang,Aula,12-12-2025 09:00,12:00,abc,\n" + // past, capacity
		"sulap,Sulap,Mars,Aula,31-02-2027 09:00,12:00,10,\n" + // programme, kecamatan, date
		"satgas,,Ledo,Aula,12-12-2026 09:00,08:00,10,\n" + // missing title
		"satgas,Satgas,Ledo,Aula,12-12-2026 09:00,08:00,10,\n" + // ends before it starts
		"satgas,Satgas,Ledo,Aula\n" + // too few columns
		"wikapa,Usaha Kue,Bengkayang,Aula,12-12-2026 09:00,12:00,25,\n" // same as line 2
	_, err := training.ParseCSV(strings.NewReader(file), wib(t), importNow, "en")
	var bad *training.ImportError
	if !errors.As(err, &bad) {
		t.Fatalf("error %v, want an ImportError", err)
	}
	want := []string{
		"3 starts_at", "3 capacity", "4 program", "4 kecamatan", "4 starts_at", "5 title",
		"6 ends_at", "7 ", "8 ",
	}
	var got []string
	for _, p := range bad.Problems {
		got = append(got, fmt.Sprintf("%d %s", p.Line, p.Column))
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("problems at %q, want %q\n%s", got, want, err)
	}
	text := err.Error()
	for _, s := range []string{"line 3, column capacity: Write the number of seats", "line 4, column program: unknown programme \"sulap\"",
		"line 8: same as line 2"} {
		if !strings.Contains(text, s) {
			t.Errorf("report lacks %q:\n%s", s, text)
		}
	}
}

func TestParseTrainingsCSVBadHeaderAndQuotes(t *testing.T) {
	cases := map[string]string{
		"program;title;kecamatan;place;starts_at;capacity\n":                     "line 1, column ends_at: this column must be in the header line",
		"program;title;kec;place;starts_at;ends_at;capacity;warna\n":             "line 1, column warna: unknown column",
		"program,title,kecamatan,place,starts_at,ends_at,capacity\n":             "line 2: the file holds no trainings",
		"program,title,kecamatan,place,starts_at,ends_at,capacity\nwikapa,\"Kue": "line 2: a quote",
	}
	for file, want := range cases {
		_, err := training.ParseCSV(strings.NewReader(file), wib(t), importNow, "en")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", file, err, want)
		}
	}
}

func TestImportTrainingsOnceOnly(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	file := "program,title,kecamatan,place,starts_at,ends_at,capacity\n" +
		"wikapa,Usaha Kue,Bengkayang,Aula,12-12-2026 09:00,12:00,25\n" +
		"satgas,Satgas,Ledo,Aula,13-12-2026 09:00,12:00,30\n"
	rows, err := training.ParseCSV(strings.NewReader(file), wib(t), importNow, "id")
	if err != nil {
		t.Fatal(err)
	}
	random := rand.NewChaCha8([32]byte{})
	var saved []store.Training
	err = db.Tx(context.Background(), func(tx *store.Tx) error {
		saved, err = training.Import(tx, rows, random, importNow, "id")
		return err
	})
	if err != nil || len(saved) != 2 || saved[0].AttendanceCode == saved[1].AttendanceCode || len(saved[0].AttendanceCode) != 6 {
		t.Fatalf("import: %+v %v", saved, err)
	}
	// The same file again: every row exists already, nothing is added.
	err = db.Tx(context.Background(), func(tx *store.Tx) error {
		_, err := training.Import(tx, rows, random, importNow, "id")
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "baris 2: pelatihan ini sudah ada") || !strings.Contains(err.Error(), "baris 3:") {
		t.Errorf("second import: %v", err)
	}
	db.Tx(context.Background(), func(tx *store.Tx) error {
		if all, _ := tx.UpcomingTrainings(importNow, "", ""); len(all) != 2 {
			t.Errorf("%d trainings after importing twice, want 2", len(all))
		}
		return nil
	})
}

// Option labels of trainings fit a small screen in every language.
func TestTrainingLabelsShort(t *testing.T) {
	for _, lang := range locales.Languages {
		for _, key := range locales.Keys(lang) {
			label := strings.HasPrefix(key, "training.opt_") || strings.HasPrefix(key, "training.field_") ||
				key == "training.share_contact" || key == "training.staff_entry" ||
				strings.HasPrefix(key, "training.program_") && !strings.HasSuffix(key, "_name")
			if n := len([]rune(locales.T(lang, key))); label && n > 20 {
				t.Errorf("%s: label %s is %d characters", lang, key, n)
			}
		}
	}
}

// A class too big for a key per person is marked by typing numbers from
// the list; "1" then means the first person, never "done".
func TestMarkAttendanceInABigClass(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	loc := wib(t)
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, loc)
	engine := all.NewEngine(flows.Config{Location: loc})
	var tid int64
	db.Tx(ctx, func(tx *store.Tx) error {
		tr, err := tx.CreateTraining(store.Training{Program: "satgas", Title: "Kelas Besar", KecCode: "61.07.04", Place: "Aula",
			StartsAt: now.Add(time.Hour), EndsAt: now.Add(3 * time.Hour), Capacity: 100, AttendanceCode: "BIG234"}, now)
		if err != nil {
			t.Fatal(err)
		}
		tid = tr.ID
		for i := range 45 {
			u, _, _ := tx.UserByContact(store.Contact{Channel: "console", Address: fmt.Sprint("p", i)}, "id", now)
			if _, err := tx.Register(store.Registration{TrainingID: tr.ID, UserID: u.ID, FullName: fmt.Sprint("Orang ", i+1), Age: 30}, now); err != nil {
				t.Fatal(err)
			}
		}
		return nil
	})
	staff := store.Contact{Channel: "console", Address: "staff"}
	var last string
	for _, text := range []string{"halo", "1", "1", "/sesi", "2", "tandai hadir", "1", "45", "selesai"} {
		err := db.Tx(ctx, func(tx *store.Tx) error {
			u, isNew, err := tx.UserByContact(staff, "id", now)
			if err != nil {
				return err
			}
			msgs, err := engine.Run(tx, flows.Request{User: u, New: isNew, Staff: true, Input: flows.Input{Kind: flows.KindText, Text: text}, Now: now})
			if len(msgs) > 0 {
				last = msgs[0].Reply.Text
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(last, "Kelas Besar") || !strings.Contains(last, "Kode hadir: BIG234") {
		t.Errorf("after SELESAI: %q, want the session", last)
	}
	db.Tx(ctx, func(tx *store.Tx) error {
		regs, _ := tx.Registrations(tid)
		var present []string
		for _, r := range regs {
			if !r.AttendedAt.IsZero() {
				present = append(present, r.FullName)
			}
		}
		if strings.Join(present, ",") != "Orang 1,Orang 45" {
			t.Errorf("present: %v, want Orang 1 and Orang 45", present)
		}
		return nil
	})
}
