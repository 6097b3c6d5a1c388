package training

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"klabot/flows"
	"klabot/flows/ops"
	"klabot/flows/wilayah"
	"klabot/flows/words"
	"klabot/locales"
	"klabot/store"
)

// Trainings from a CSV file (klabot trainings import): the same checks as
// a session created by chat, every bad row reported by its line, and
// nothing imported unless every row is good.

// trainingColumns are the columns of the file, with the other names
// people may give them (Indonesian headers are welcome).
var trainingColumns = []struct {
	name     string
	aliases  []string
	required bool
}{
	{"program", []string{"programme", "program_key"}, true},
	{"title", []string{"judul", "nama_pelatihan"}, true},
	{"kecamatan", []string{"kec", "kec_code", "district"}, true},
	{"place", []string{"tempat", "lokasi"}, true},
	{"starts_at", []string{"mulai", "start", "waktu_mulai"}, true},
	{"ends_at", []string{"selesai", "end", "waktu_selesai"}, true},
	{"capacity", []string{"kapasitas", "kuota", "kursi"}, true},
	{"description", []string{"keterangan", "deskripsi"}, false},
}

// Row is one training read from a file, with the line it came from.
type Row struct {
	Line     int
	Training store.Training
}

// RowProblem is what is wrong with one line of a file.
type RowProblem struct {
	Line   int
	Column string // "" when it is about the whole line
	Reason string // in the language asked for
}

// ImportError lists every problem found; nothing was imported.
type ImportError struct {
	Problems []RowProblem
	lang     string
}

func (e *ImportError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		if p.Column == "" {
			lines[i] = locales.T(e.lang, "training.csv_line", p.Line, p.Reason)
		} else {
			lines[i] = locales.T(e.lang, "training.csv_line_column", p.Line, p.Column, p.Reason)
		}
	}
	return strings.Join(lines, "\n")
}

// ParseCSV reads and checks a file of trainings. It accepts a
// UTF-8 byte order mark and ';' or ',' between columns (Excel in Indonesia
// writes ';'). Dates are local time (loc) and must be after now; lang is the
// language of the problems reported in an *ImportError.
func ParseCSV(r io.Reader, loc *time.Location, now time.Time, lang string) ([]Row, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read trainings file: %w", err)
	}
	raw = bytes.TrimPrefix(raw, []byte("\ufeff"))
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.Comma = separatorOf(raw)
	cr.FieldsPerRecord = -1 // counted here, to say which line is wrong
	cr.TrimLeadingSpace = true

	bad := &ImportError{lang: lang}
	shownAs := map[string]string{} // a column as the file's header names it ("mulai")
	problem := func(line int, column, key string, args ...any) {
		if name, ok := shownAs[column]; ok {
			column = name
		}
		bad.Problems = append(bad.Problems, RowProblem{Line: line, Column: column, Reason: locales.T(lang, key, args...)})
	}
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		problem(1, "", "training.csv_empty")
		return nil, bad
	}
	if err != nil {
		return nil, csvSyntax(err, bad, lang)
	}
	index, ok := columnIndex(header, problem)
	if !ok {
		return nil, bad
	}
	for column, i := range index {
		shownAs[column] = strings.TrimSpace(header[i])
	}

	var rows []Row
	seen := map[string]int{} // program, title and start -> line
	for {
		record, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvSyntax(err, bad, lang)
		}
		line, _ := cr.FieldPos(0)
		if blank(record) {
			continue // Excel leaves rows of empty cells behind
		}
		if len(record) != len(header) {
			problem(line, "", "training.csv_field_count", len(record), len(header))
			continue
		}
		get := func(column string) string {
			if i, ok := index[column]; ok {
				return strings.TrimSpace(record[i])
			}
			return ""
		}
		before := len(bad.Problems)
		t := store.Training{Description: get("description")}
		for _, col := range trainingColumns {
			if col.required && get(col.name) == "" {
				problem(line, col.name, "training.csv_required")
			}
		}
		if len(bad.Problems) > before {
			continue
		}
		var ok bool
		if t.Program, ok = programFromText(get("program")); !ok {
			problem(line, "program", "training.csv_bad_program", get("program"), programKeys())
		}
		var key string
		if t.Title, key = checkTitle(get("title")); key != "" {
			problem(line, "title", key, maxTitle)
		}
		if t.KecCode, ok = kecamatanFromText(get("kecamatan")); !ok {
			problem(line, "kecamatan", "training.csv_bad_kec", get("kecamatan"))
		}
		if t.Place, key = checkPlace(get("place")); key != "" {
			problem(line, "place", key, maxPlace)
		}
		example := now.In(loc).AddDate(0, 0, 7).Format("02-01-2006") + " 09:00"
		if t.StartsAt, key = checkStart(get("starts_at"), now, loc); key != "" {
			problem(line, "starts_at", key, example)
		} else if t.EndsAt, key = checkEnd(get("ends_at"), t.StartsAt, loc); key != "" {
			problem(line, "ends_at", key, exampleEnd(t.StartsAt))
		}
		if t.Capacity, key = parseCapacity(get("capacity")); key != "" {
			problem(line, "capacity", key, maxCapacity)
		}
		if n := len([]rune(t.Description)); n > maxDescription {
			problem(line, "description", "training.desc_too_long", maxDescription)
		}
		if len(bad.Problems) > before {
			continue
		}
		same := t.Program + "\x00" + t.Title + "\x00" + t.StartsAt.UTC().String()
		if first, dup := seen[same]; dup {
			problem(line, "", "training.csv_duplicate", first)
			continue
		}
		seen[same] = line
		rows = append(rows, Row{Line: line, Training: t})
	}
	if len(bad.Problems) > 0 {
		return nil, bad
	}
	if len(rows) == 0 {
		problem(2, "", "training.csv_empty")
		return nil, bad
	}
	return rows, nil
}

// Import saves rows read by ParseTrainingsCSV in tx, by the same
// rules as a session made by chat, each with a new attendance code; the
// audit log names the command line. A row that is already in the
// database (same programme, title and start: the file was imported
// before) is a problem too, and then nothing is saved: the caller rolls tx
// back on error.
func Import(tx *store.Tx, rows []Row, random io.Reader, now time.Time, lang string) ([]store.Training, error) {
	return ImportAs(tx, ops.CLI, rows, random, now, lang)
}

// ImportAs is ImportTrainings by a person (a staff member on the
// dashboard), who is checked and named in the audit log.
func ImportAs(tx *store.Tx, a ops.Actor, rows []Row, random io.Reader, now time.Time, lang string) ([]store.Training, error) {
	ts := make([]store.Training, len(rows))
	for i, r := range rows {
		ts[i] = r.Training
	}
	im, err := ops.ImportTrainings(tx, a, ts, random, now)
	if err != nil {
		return nil, err
	}
	if im.Outcome == ops.Done {
		return im.Trainings, nil
	}
	bad := &ImportError{lang: lang}
	for i, r := range rows {
		ch, ok := im.Problems[i]
		switch {
		case !ok:
		case ch.Outcome == ops.AlreadyDone:
			bad.Problems = append(bad.Problems, RowProblem{Line: r.Line, Reason: locales.T(lang, ch.Why)})
		default:
			limits := map[string]any{ops.FieldTitle: maxTitle, ops.FieldPlace: maxPlace,
				ops.FieldDescription: maxDescription, ops.FieldCapacity: maxCapacity}
			bad.Problems = append(bad.Problems, RowProblem{Line: r.Line, Column: ch.Field,
				Reason: locales.T(lang, ch.Why, limits[ch.Field])})
		}
	}
	if len(bad.Problems) == 0 {
		return nil, fmt.Errorf("import trainings: %v", im.Outcome)
	}
	return nil, bad
}

// separatorOf picks ';' or ',' by which the header line has more of.
func separatorOf(raw []byte) rune {
	first, _, _ := bytes.Cut(raw, []byte("\n"))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		return ';'
	}
	return ','
}

// columnIndex maps each known column to its position in the header.
func columnIndex(header []string, problem func(int, string, string, ...any)) (map[string]int, bool) {
	index := map[string]int{}
	ok := true
	for i, h := range header {
		found := columnOf(h)
		_, twice := index[found]
		switch {
		case found == "":
			problem(1, strings.TrimSpace(h), "training.csv_unknown_column", columnNames())
			ok = false
		case twice:
			problem(1, found, "training.csv_column_twice")
			ok = false
		default:
			index[found] = i
		}
	}
	for _, col := range trainingColumns {
		if _, has := index[col.name]; col.required && !has && ok {
			problem(1, col.name, "training.csv_missing_column", columnNames())
			ok = false
		}
	}
	return index, ok
}

// columnOf is the column a header names ("Starts at", "mulai"), or "".
func columnOf(header string) string {
	name := strings.ReplaceAll(flows.Normalize(header), " ", "_")
	for _, col := range trainingColumns {
		if name == col.name || name == strings.ReplaceAll(col.name, "_", "") {
			return col.name
		}
		for _, a := range col.aliases {
			if name == a {
				return col.name
			}
		}
	}
	return ""
}

func columnNames() string {
	names := make([]string, len(trainingColumns))
	for i, c := range trainingColumns {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

func programKeys() string {
	keys := make([]string, len(words.Programs))
	for i, p := range words.Programs {
		keys[i] = p.Key
	}
	return strings.Join(keys, ", ")
}

// programFromText reads a programme by its key or by its name in any language.
func programFromText(s string) (string, bool) {
	want := flows.Normalize(s)
	for _, p := range words.Programs {
		if want == flows.Normalize(p.Key) {
			return p.Key, true
		}
		for _, lang := range locales.Languages {
			if want == flows.Normalize(locales.T(lang, p.Label)) || want == flows.Normalize(locales.T(lang, p.Name)) {
				return p.Key, true
			}
		}
	}
	return "", false
}

// kecamatanFromText reads a kecamatan by code or name; a name must fit
// exactly one.
func kecamatanFromText(s string) (string, bool) {
	if k, ok := wilayah.KecamatanByCode(strings.TrimSpace(s)); ok {
		return k.Code, true
	}
	if found := wilayah.MatchKecamatan(s); len(found) == 1 {
		return found[0].Code, true
	}
	return "", false
}

func blank(record []string) bool {
	for _, f := range record {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// csvSyntax reports a file the CSV reader cannot read past (a stray quote).
func csvSyntax(err error, bad *ImportError, lang string) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("read trainings file: %w", err)
	}
	bad.Problems = append(bad.Problems, RowProblem{Line: pe.Line, Reason: locales.T(lang, "training.csv_syntax")})
	return bad
}

// Line describes an imported training in one line, for the CLI.
func Line(t store.Training, loc *time.Location, lang string) string {
	return strconv.FormatInt(t.ID, 10) + "  " + t.AttendanceCode + "  " + words.When(lang, loc, t.StartsAt, t.EndsAt) + "  " + t.Title
}
