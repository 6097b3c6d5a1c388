// Package exportdata is what klabot's exports and the monthly KLA recap
// hold, as tables of cells read from the store: the same numbers for the
// chat's summary and for the files bot/export makes from them. It makes no
// files.
//
// A reporter who chose to stay anonymous stays anonymous (the identity
// comes only from store.Tx.ReporterIdentity, which gives nothing for an
// anonymous report). Column names are fixed, not translated, so that
// spreadsheets and scripts built on an export keep working.
package exportdata

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"klabot/flows/wilayah"
	"klabot/flows/words"
	"klabot/store"
)

// Labels give codes their human names in exports (from the flows'
// tables and the locales); a nil function leaves the code as it is.
type Labels struct {
	Category func(key string) string
	Program  func(key string) string
	Status   func(status string) string
	// Word names the other codes staff would otherwise read in English:
	// registration and broadcast states, yes and no, audience kinds and
	// roles ("registered", "forum_anak").
	Word func(code string) string
}

// Label is key's name by f, or key itself without f.
func Label(f func(string) string, key string) string {
	if f == nil || key == "" {
		return key
	}
	return f(key)
}

// Range is a period of an export: from (inclusive) to (exclusive), shown
// in Loc (WIB).
type Range struct {
	From, To time.Time
	Loc      *time.Location
}

// Kinds of exports.
const (
	KindReports       = "reports"
	KindRegistrations = "registrations"
	KindAttendance    = "attendance"
	KindBroadcasts    = "broadcasts"
)

// Kinds lists the exports there are.
var Kinds = []string{KindReports, KindRegistrations, KindAttendance, KindBroadcasts}

// Build makes the table of one kind of export.
func Build(tx *store.Tx, kind string, r Range, l Labels) (Table, error) {
	switch kind {
	case KindReports:
		return Reports(tx, r, l)
	case KindRegistrations:
		return Registrations(tx, r, l)
	case KindAttendance:
		return Attendance(tx, r, l)
	case KindBroadcasts:
		return Broadcasts(tx, r, l)
	}
	return Table{}, fmt.Errorf("unknown export %q (use %s)", kind, strings.Join(Kinds, ", "))
}

// Reporter values in the reports export for reports without a name.
const (
	ReporterAnonymous = "anonim"
	ReporterErased    = "dihapus" // the reporter erased their data, or retention detached them
)

// ReportHeader are the columns of the reports export.
var ReportHeader = []string{"kode", "dibuat", "kategori", "kategori_nama", "mendesak", "klaster_kla", "indikator_kla",
	"kode_kecamatan", "kecamatan", "kode_desa", "desa", "catatan_tempat", "lintang", "bujur", "jumlah_anak",
	"umur_anak", "cerita", "status", "status_nama", "diverifikasi", "dirujuk", "ditutup", "hari_sampai_ditutup",
	"relawan", "pelapor", "kontak_pelapor", "pelapor_anak", "bukti", "pertanyaan_diajukan", "pertanyaan_dijawab", "tanya_jawab"}

// Reports is every report made in the period. The reporter's name and
// contact appear only for a report whose reporter chose to be named.
func Reports(tx *store.Tx, r Range, l Labels) (Table, error) {
	reports, err := tx.ReportsCreatedBetween(r.From, r.To)
	if err != nil {
		return Table{}, err
	}
	t := Table{Sheet: "Laporan", Header: ReportHeader}
	for _, rep := range reports {
		reporter, contact := ReporterAnonymous, ""
		if rep.ReporterErased {
			reporter = ReporterErased
		}
		name, c, ok, err := tx.ReporterIdentity(rep.Report)
		if err != nil {
			return Table{}, err
		}
		if ok && !rep.ReporterErased {
			reporter, contact = name, c.String()
			if c.Channel == "" {
				contact = ""
			}
		}
		qa, err := questionsAndAnswers(tx, rep.Report, r.Loc)
		if err != nil {
			return Table{}, err
		}
		var lat, lon any
		if rep.HasPin {
			lat, lon = rep.Lat, rep.Lon
		}
		var days any
		if !rep.ClosedAt.IsZero() {
			days = DaysBetween(rep.CreatedAt, rep.ClosedAt)
		}
		kec, desa := placeNames(rep.KecCode, rep.DesaCode)
		urgent := "tidak"
		if rep.Urgent {
			urgent = "ya"
		}
		child := "no"
		if rep.ChildReporter {
			child = "yes"
		}
		t.Rows = append(t.Rows, []any{rep.Code, Stamp(rep.CreatedAt, r.Loc), rep.Category, Label(l.Category, rep.Category),
			urgent, rep.KLACluster, rep.KLAIndicator, rep.KecCode, kec, rep.DesaCode, desa, rep.PlaceNote, lat, lon,
			rep.ChildrenCount, rep.ChildrenAge, rep.Description, rep.Status, Label(l.Status, rep.Status),
			Stamp(rep.VerifiedAt, r.Loc), Stamp(rep.ReferredAt, r.Loc), Stamp(rep.ClosedAt, r.Loc), days,
			rep.VolunteerName, reporter, contact, Label(l.Word, child), rep.Evidence, rep.QuestionsAsked, rep.QuestionsAnswered, qa})
	}
	return t, nil
}

// questionsAndAnswers is the case history between staff and the reporter,
// one line each: who asked (by role; the reporter is never named), when,
// and what, then the answer.
func questionsAndAnswers(tx *store.Tx, r store.Report, loc *time.Location) (string, error) {
	qs, err := tx.Questions(r.ID)
	if err != nil || len(qs) == 0 {
		return "", err
	}
	var lines []string
	for _, q := range qs {
		asker := "petugas"
		if q.Role == store.RoleVolunteer {
			asker = "relawan"
		}
		lines = append(lines, fmt.Sprintf("%s pertanyaan %s: %s", Stamp(q.AskedAt, loc), asker, q.Text))
		if !q.Open() {
			answer := q.Answer
			if q.AnswerKind != "text" {
				answer = strings.TrimSpace("[" + q.AnswerKind + "] " + answer)
			}
			lines = append(lines, fmt.Sprintf("%s jawaban pelapor: %s", Stamp(q.AnsweredAt, loc), answer))
		}
	}
	return strings.Join(lines, "\n"), nil
}

// DaysBetween is the time from a to b in days, to one decimal.
func DaysBetween(a, b time.Time) float64 {
	d := b.Sub(a).Hours() / 24
	return float64(int64(d*10+0.5)) / 10
}

// RegistrationHeader are the columns of the registrations export.
var RegistrationHeader = []string{"id_daftar", "id_pelatihan", "program", "program_nama", "judul", "mulai",
	"kecamatan_pelatihan", "tempat", "status", "nama_lengkap", "umur", "kode_desa", "desa", "kecamatan", "telepon",
	"prioritas", "jawaban", "daftar_pada", "batal_pada", "hadir_pada"}

// Registrations is every registration (registered, waiting or cancelled)
// of the trainings that start in the period.
func Registrations(tx *store.Tx, r Range, l Labels) (Table, error) {
	regs, err := tx.RegistrationsOfTrainings(r.From, r.To)
	if err != nil {
		return Table{}, err
	}
	t := Table{Sheet: "Pendaftaran", Header: RegistrationHeader}
	for _, g := range regs {
		tKec, _ := placeNames(g.Training.KecCode, "")
		kec, desa := placeNames("", g.DesaCode)
		t.Rows = append(t.Rows, []any{g.ID, g.TrainingID, g.Training.Program, Label(l.Program, g.Training.Program),
			g.Training.Title, Stamp(g.Training.StartsAt, r.Loc), tKec, g.Training.Place, Label(l.Word, g.Status), g.FullName,
			g.Age, g.DesaCode, desa, kec, DisplayPhone(g.Phone), g.Priority, AnswerList(g.Answers, l.Word), Stamp(g.CreatedAt, r.Loc),
			Stamp(g.CancelledAt, r.Loc), Stamp(g.AttendedAt, r.Loc)})
	}
	return t, nil
}

// AttendanceHeader are the columns of the attendance export.
var AttendanceHeader = []string{"id_pelatihan", "program", "program_nama", "judul", "mulai", "selesai",
	"kecamatan_pelatihan", "tempat", "id_daftar", "nama_lengkap", "umur", "desa", "kecamatan", "hadir", "hadir_pada",
	"dicatat"}

// Attendance is the attendance list of the trainings that start in the
// period: every person holding a seat, whether they came, and who
// recorded it (themselves with the code, or staff).
func Attendance(tx *store.Tx, r Range, l Labels) (Table, error) {
	regs, err := tx.RegistrationsOfTrainings(r.From, r.To)
	if err != nil {
		return Table{}, err
	}
	t := Table{Sheet: "Kehadiran", Header: AttendanceHeader}
	for _, g := range regs {
		if g.Status != store.RegRegistered {
			continue
		}
		tKec, _ := placeNames(g.Training.KecCode, "")
		kec, desa := placeNames("", g.DesaCode)
		came, by := "tidak", ""
		if !g.AttendedAt.IsZero() {
			came, by = "ya", "mandiri"
			if g.MarkedBy != 0 {
				by = "petugas"
			}
		}
		t.Rows = append(t.Rows, []any{g.TrainingID, g.Training.Program, Label(l.Program, g.Training.Program),
			g.Training.Title, Stamp(g.Training.StartsAt, r.Loc), Stamp(g.Training.EndsAt, r.Loc), tKec, g.Training.Place,
			g.ID, g.FullName, g.Age, desa, kec, came, Stamp(g.AttendedAt, r.Loc), by})
	}
	return t, nil
}

// placeNames gives the names of a kecamatan and a village by code; the
// kecamatan comes from the village when only that is known.
func placeNames(kecCode, desaCode string) (kec, desa string) {
	if d, ok := wilayah.DesaByCode(desaCode); ok {
		desa, kec = d.Name, d.KecName
	}
	if k, ok := wilayah.KecamatanByCode(kecCode); ok {
		kec = k.Name
	}
	return kec, desa
}

// DisplayPhone writes a stored 62... number the way people write it, 08...
func DisplayPhone(p string) string {
	if rest, ok := strings.CutPrefix(p, "62"); ok {
		return "0" + rest
	}
	return p
}

// AnswerList writes a registration's answers as "question: ya; question:
// tidak", questions and answers named by word (nil: "key=yes", as stored).
func AnswerList(answers map[string]string, word func(string) string) string {
	keys := make([]string, 0, len(answers))
	for k := range answers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		if word == nil {
			parts[i] = k + "=" + answers[k]
		} else {
			parts[i] = word(k) + ": " + word(answers[k])
		}
	}
	return strings.Join(parts, "; ")
}

// BroadcastHeader are the columns of the broadcasts export.
var BroadcastHeader = []string{"id", "dibuat", "dijadwalkan", "mulai", "selesai", "pengirim", "status", "teks", "foto",
	"sasaran", "penerima", "terkirim", "gagal", "menunggu", "dibatalkan", "dilewati_berhenti",
	"dilewati_tak_terjangkau", "dilewati_tanpa_persetujuan"}

// Broadcasts is the broadcasts staff made in the period, with what became
// of them; store.ErrNoBroadcasts when the database has no broadcasts.
// Recipients are counted, never listed.
func Broadcasts(tx *store.Tx, r Range, l Labels) (Table, error) {
	bs, err := tx.BroadcastsCreatedBetween(r.From, r.To)
	if err != nil {
		return Table{}, err
	}
	t := Table{Sheet: "Siaran", Header: BroadcastHeader}
	for _, b := range bs {
		photo := "tidak"
		if b.Photo {
			photo = "ya"
		}
		sender := b.SenderName
		if sender == "" && b.SenderID != 0 {
			sender = "#" + strconv.FormatInt(b.SenderID, 10)
		}
		t.Rows = append(t.Rows, []any{b.ID, Stamp(b.CreatedAt, r.Loc), Stamp(b.ScheduledAt, r.Loc), Stamp(b.StartedAt, r.Loc),
			Stamp(b.Ended, r.Loc), sender, Label(l.Word, b.State), b.Text, photo, audienceText(b.Audience, l.Word), b.Recipients, b.Sent, b.Failed,
			b.Waiting, b.Cancel, b.SkippedOptedOut, b.SkippedUnreachable, b.SkippedNoConsent})
	}
	return t, nil
}

// audienceText reads a stored audience as "kind: value", with place names
// and the kind and role named by word.
func audienceText(raw string, word func(string) string) string {
	var a struct{ Kind, Value string }
	if err := json.Unmarshal([]byte(raw), &a); err != nil {
		return raw
	}
	value := a.Value
	switch a.Kind {
	case "kec":
		value, _ = placeNames(a.Value, "")
	case "desa":
		_, value = placeNames("", a.Value)
	case "role":
		value = Label(word, a.Value)
	}
	if value == "" {
		return Label(word, a.Kind)
	}
	return Label(word, a.Kind) + ": " + value
}

// Table is one sheet of an export: a header and rows. A cell is a string
// (text, neutralized), an int or a float64 (a number in XLSX), or nil.
type Table struct {
	Sheet  string // XLSX sheet name, at most 31 characters
	Header []string
	Rows   [][]any
	// Bold lists rows (indexes into Rows) shown in bold in XLSX: section
	// titles and their column names in a sheet with several sections.
	Bold []int
}

// Stamp is a time as exports show it (words.Stamp): WIB (loc),
// "2006-01-02 15:04"; "" for the zero time.
func Stamp(t time.Time, loc *time.Location) string { return words.Stamp(t, loc) }
