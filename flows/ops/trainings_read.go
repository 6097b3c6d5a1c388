package ops

import (
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"klabot/flows/wilayah"
	"klabot/flows/words"
	"klabot/locales"
	"klabot/store"
	"klabot/store/csvexport"
	"klabot/store/export"
)

// SessionList is what Sessions found.
type SessionList struct {
	Result
	// Trainings are soonest first, each with its seats taken (Registered),
	// Capacity and people waiting (Waitlisted).
	Trainings []store.Training
}

// Sessions lists the sessions staff work with (staff only): those that
// end after since, cancelled ones included.
func Sessions(tx *store.Tx, a Actor, since time.Time) (SessionList, error) {
	if res, ok := staffOnly(a); !ok {
		return SessionList{Result: res}, nil
	}
	ts, err := tx.TrainingsEndingAfter(since)
	return SessionList{Trainings: ts}, err
}

// SessionView is one session with its people, for staff.
type SessionView struct {
	Result
	Training store.Training
	// Seated hold a seat, in the order they registered; AttendedAt says
	// who came. Waiting are in line, first first (Position).
	Seated, Waiting []store.Registration
	// Attended counts the seated who came.
	Attended int
}

// Session is a session with its registrations, waitlist and attendance
// (staff only).
func Session(tx *store.Tx, a Actor, id int64) (SessionView, error) {
	t, res, err := trainingFor(tx, a, id)
	if err != nil || res.Outcome != Done {
		return SessionView{Result: res}, err
	}
	regs, err := tx.Registrations(t.ID)
	if err != nil {
		return SessionView{}, err
	}
	v := SessionView{Training: t}
	for _, r := range regs {
		switch {
		case r.Status == store.RegWaitlisted:
			v.Waiting = append(v.Waiting, r)
		default:
			v.Seated = append(v.Seated, r)
			if !r.AttendedAt.IsZero() {
				v.Attended++
			}
		}
	}
	return v, nil
}

// Export is what ExportRegistrations wrote.
type Export struct {
	Result
	Training store.Training
	// Path is the file written; Name the name to give it; Rows how many
	// registrations it holds.
	Path, Name string
	Rows       int
}

// ExportRegistrations writes a session's registrations and waitlist to a
// CSV file under dir/exports (staff only), times in now's location. Each
// export is a new file.
func ExportRegistrations(tx *store.Tx, a Actor, id int64, dir string, now time.Time) (Export, error) {
	t, res, err := trainingFor(tx, a, id)
	if err != nil || res.Outcome != Done {
		return Export{Result: res}, err
	}
	if dir == "" {
		return Export{Result: Result{Outcome: Refused, Why: WhyNoExports}, Training: t}, nil
	}
	regs, err := tx.Registrations(t.ID)
	if err != nil {
		return Export{}, err
	}
	// Column names are fixed (not translated), so that spreadsheets and
	// scripts built on an export keep working.
	header := []string{"no", "status", "urutan_tunggu", "nama_lengkap", "umur", "desa", "kecamatan", "telepon",
		"prioritas", "jawaban", "daftar_pada", "hadir_pada"}
	loc := now.Location()
	var rows [][]string
	for i, r := range regs {
		d, _ := wilayah.DesaByCode(r.DesaCode)
		position := ""
		if r.Status == store.RegWaitlisted {
			position = strconv.Itoa(r.Position)
		}
		word := func(code string) string { return words.ExportWord(locales.Default, code) }
		rows = append(rows, []string{strconv.Itoa(i + 1), word(r.Status), position, r.FullName, strconv.Itoa(r.Age),
			d.Name, d.KecName, export.DisplayPhone(r.Phone), strconv.Itoa(r.Priority), export.AnswerList(r.Answers, word),
			words.Stamp(r.CreatedAt, loc), words.Stamp(r.AttendedAt, loc)})
	}
	name := fmt.Sprintf("pelatihan-%d-%s.csv", t.ID, now.Format("20060102-150405"))
	path, err := csvexport.Write(filepath.Join(dir, "exports"), name, header, rows)
	if err != nil {
		return Export{}, err
	}
	ex := Export{Training: t, Path: path, Name: name, Rows: len(rows)}
	return ex, audit(tx, a, now, "training_export", TrainingSubject(t.ID), strconv.Itoa(len(rows))+" rows")
}
