package export_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"klabot/bot/export"
	"klabot/flows/exportdata"
	"klabot/store"
	. "klabot/store/exporttest"
)

var november = exportdata.Range{From: At(time.November, 1, 0, 0), To: At(time.December, 1, 0, 0), Loc: WIB}

func build(t *testing.T, db *store.DB, kind string) export.Table {
	t.Helper()
	var table export.Table
	err := db.View(context.Background(), func(tx *store.Tx) error {
		var err error
		table, err = exportdata.Build(tx, kind, november, exportdata.Labels{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return table
}

// readCSV checks the byte order mark and reads the file back.
func readCSV(t *testing.T, raw []byte) [][]string {
	t.Helper()
	text, ok := strings.CutPrefix(string(raw), "\ufeff")
	if !ok {
		t.Fatal("no UTF-8 byte order mark")
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// readXLSX reads the first sheet back.
func readXLSX(t *testing.T, raw []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// both writes a table as CSV and XLSX and reads each back.
func both(t *testing.T, table export.Table) map[string][][]string {
	t.Helper()
	out := map[string][][]string{}
	for _, format := range []string{export.CSV, export.XLSX} {
		var buf bytes.Buffer
		if err := export.Write(&buf, format, table); err != nil {
			t.Fatal(err)
		}
		if format == export.CSV {
			out[format] = readCSV(t, buf.Bytes())
		} else {
			out[format] = readXLSX(t, buf.Bytes())
		}
	}
	return out
}

func column(rows [][]string, name string) int {
	for i, h := range rows[0] {
		if h == name {
			return i
		}
	}
	return -1
}

func TestReportsExportColumnsAndAnonymity(t *testing.T) {
	db, s := OpenSeeded(t)
	for format, rows := range both(t, build(t, db, exportdata.KindReports)) {
		if strings.Join(rows[0], ",") != strings.Join(exportdata.ReportHeader, ",") {
			t.Fatalf("%s header %v", format, rows[0])
		}
		// R1, R2, R3, R5 were made in November (R6 on 1 December WIB).
		if len(rows) != 5 {
			t.Fatalf("%s: %d reports, want 4", format, len(rows)-1)
		}
		byCode := map[string][]string{}
		for _, r := range rows[1:] {
			byCode[r[0]] = r
		}
		named, anon := byCode[s.Reports["R1"].Code], byCode[s.Reports["R2"].Code]
		reporter, contact := column(rows, "pelapor"), column(rows, "kontak_pelapor")
		if named[reporter] != NamedName || named[contact] != "whatsapp:"+NamedPhone {
			t.Errorf("%s: named report shows reporter %q, contact %q", format, named[reporter], named[contact])
		}
		if anon[reporter] != exportdata.ReporterAnonymous || anon[contact] != "" {
			t.Errorf("%s: anonymous report shows reporter %q, contact %q", format, anon[reporter], anon[contact])
		}
		for _, code := range []string{"R2", "R3", "R5"} {
			r := byCode[s.Reports[code].Code]
			line := strings.Join(r, "|")
			if strings.Contains(line, AnonName) || strings.Contains(line, AnonAddress) {
				t.Errorf("%s: anonymous report %s names its reporter: %s", format, code, line)
			}
		}
		checks := map[string]string{"dibuat": "2026-11-03 10:00", "kategori": "bpta_sawit", "klaster_kla": "V",
			"indikator_kla": "21", "kecamatan": "Bengkayang", "desa": "Tirta Kencana", "status": store.StatusDone,
			"diverifikasi": "2026-11-05 09:00", "dirujuk": "2026-11-06 09:00", "ditutup": "2026-11-10 10:00",
			"hari_sampai_ditutup": "7", "relawan": "V1", "jumlah_anak": "2", "mendesak": "tidak"}
		for col, want := range checks {
			if got := named[column(rows, col)]; got != want {
				t.Errorf("%s: R1 %s = %q, want %q", format, col, got, want)
			}
		}
		pin := byCode[s.Reports["R5"].Code]
		if pin[column(rows, "lintang")] != "1.05" || pin[column(rows, "bujur")] != "109.6" || pin[column(rows, "dibuat")] != "2026-11-30 23:30" {
			t.Errorf("%s: R5 pin/time %v", format, pin)
		}
	}
}

// Text that a spreadsheet would run as a formula is written with a
// leading apostrophe, in CSV and in XLSX, in every kind of cell.
func TestExportsNeutralizeFormulas(t *testing.T) {
	db, s := OpenSeeded(t)
	for format, rows := range both(t, build(t, db, exportdata.KindReports)) {
		byCode := map[string][]string{}
		for _, r := range rows[1:] {
			byCode[r[0]] = r
		}
		story, place := column(rows, "cerita"), column(rows, "catatan_tempat")
		for code, want := range map[string]string{"R1": "'" + Formula, "R2": "'@anak kerja", "R3": "'-1 anak"} {
			if got := byCode[s.Reports[code].Code][story]; got != want {
				t.Errorf("%s: %s story %q, want %q", format, code, got, want)
			}
		}
		if got := byCode[s.Reports["R1"].Code][place]; got != "'+62 kebun belakang" {
			t.Errorf("%s: place note %q", format, got)
		}
		for _, r := range rows {
			for _, cell := range r {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("%s: cell %q starts a formula", format, cell)
				}
			}
		}
	}
	// A formula typed as a name ends up neutralized in the XLSX cell as
	// text, never as a formula.
	var buf bytes.Buffer
	table := export.Table{Sheet: "x", Header: []string{"nama"}, Rows: [][]any{{"=1+1"}, {"\tTAB"}, {"\rCR"}, {"biasa"}, {7}}}
	if err := export.Write(&buf, export.XLSX, table); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if formula, _ := f.GetCellFormula("x", "A2"); formula != "" {
		t.Errorf("A2 holds a formula %q", formula)
	}
	for cell, want := range map[string]string{"A2": "'=1+1", "A3": "'\tTAB", "A5": "biasa", "A6": "7"} {
		if got, _ := f.GetCellValue("x", cell); got != want {
			t.Errorf("%s = %q, want %q", cell, got, want)
		}
	}
	if typ, _ := f.GetCellType("x", "A6"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("a count is stored as %v, want a number", typ)
	}
}

func TestRegistrationAndAttendanceExports(t *testing.T) {
	db, s := OpenSeeded(t)
	regs := both(t, build(t, db, exportdata.KindRegistrations))
	for format, rows := range regs {
		if strings.Join(rows[0], ",") != strings.Join(exportdata.RegistrationHeader, ",") {
			t.Fatalf("%s header %v", format, rows[0])
		}
		// Trainings starting in November: T1 (A, B, C, D), T2 (V2, F), T3 (E),
		// T6 (A); T4 is in December.
		if len(rows)-1 != 8 {
			t.Errorf("%s: %d registrations, want 8", format, len(rows)-1)
		}
		status, name := column(rows, "status"), column(rows, "nama_lengkap")
		got := map[string]string{}
		for _, r := range rows[1:] {
			got[r[name]+"@"+r[column(rows, "id_pelatihan")]] = r[status]
		}
		t1 := func(who string) string { return who + " Lengkap@" + itoa(s.Trainings["T1"].ID) }
		if got[t1("Anak D")] != store.RegCancelled || got[t1("Anak A")] != store.RegRegistered ||
			got["F Lengkap@"+itoa(s.Trainings["T2"].ID)] != store.RegWaitlisted {
			t.Errorf("%s: statuses %v", format, got)
		}
		for _, r := range rows {
			if strings.Contains(strings.Join(r, "|"), "AAAAA") {
				t.Errorf("%s: an attendance code leaked into the export: %v", format, r)
			}
		}
	}
	for format, rows := range both(t, build(t, db, exportdata.KindAttendance)) {
		if strings.Join(rows[0], ",") != strings.Join(exportdata.AttendanceHeader, ",") {
			t.Fatalf("%s header %v", format, rows[0])
		}
		// Seats only: T1 A, B, C; T2 V2; T3 E (cancelled session, seat kept); T6 A.
		var came []string
		for _, r := range rows[1:] {
			if r[column(rows, "hadir")] == "ya" {
				came = append(came, r[column(rows, "nama_lengkap")]+"/"+r[column(rows, "dicatat")])
			}
		}
		if len(rows)-1 != 6 || strings.Join(came, ",") != "Anak A Lengkap/mandiri,Anak B Lengkap/petugas,V2 Lengkap/petugas,Anak A Lengkap/mandiri" {
			t.Errorf("%s: %d rows, came %v", format, len(rows)-1, came)
		}
	}
}

// One row per broadcast made in the period: who made it, its audience, and
// what became of its recipients, counted (never listed), including who was
// left out and why; the text is neutralised like any free text.
func TestBroadcastExport(t *testing.T) {
	db, s := OpenSeeded(t)
	err := db.Tx(context.Background(), func(tx *store.Tx) error {
		// Of the 13 seeded people, F said berhenti and E blocked the bot.
		f, err := tx.User(s.People["F"])
		if err != nil {
			return err
		}
		f.OptedOutAt = At(time.November, 8, 9, 0)
		if err := tx.SaveUser(f); err != nil {
			return err
		}
		if err := tx.MarkUnreachable(store.Contact{Channel: "console", Address: "e"}, At(time.November, 8, 9, 0)); err != nil {
			return err
		}
		b, err := tx.CreateBroadcast(store.Broadcast{CreatedBy: s.People["Staf"], Text: "=Rapat Satgas besok",
			Audience: store.BroadcastAudience{Kind: store.ToAll}, ScheduledAt: At(time.November, 9, 9, 0)}, At(time.November, 9, 8, 0))
		if err != nil {
			return err
		}
		if _, err := tx.StartBroadcast(b.ID, At(time.November, 9, 9, 0)); err != nil {
			return err
		}
		if err := tx.CancelBroadcast(b.ID, At(time.November, 9, 9, 5)); err != nil {
			return err
		}
		// Made in December: not in November's export.
		_, err = tx.CreateBroadcast(store.Broadcast{CreatedBy: s.People["Staf"], Text: "Desember",
			Audience: store.BroadcastAudience{Kind: store.ToRole, Value: "satgas"}, ScheduledAt: At(time.December, 2, 9, 0)}, At(time.December, 1, 8, 0))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for format, rows := range both(t, build(t, db, exportdata.KindBroadcasts)) {
		if strings.Join(rows[0], ",") != strings.Join(exportdata.BroadcastHeader, ",") {
			t.Fatalf("%s header %v", format, rows[0])
		}
		if len(rows) != 2 {
			t.Fatalf("%s: %d broadcasts exported, want 1", format, len(rows)-1)
		}
		want := map[string]string{"dibuat": "2026-11-09 08:00", "dijadwalkan": "2026-11-09 09:00", "mulai": "2026-11-09 09:00",
			"pengirim": "Staf", "status": store.BroadcastCancelled, "teks": "'=Rapat Satgas besok", "foto": "tidak",
			"sasaran": store.ToAll, "penerima": "11", "terkirim": "0", "gagal": "0", "menunggu": "0", "dibatalkan": "11",
			"dilewati_berhenti": "1", "dilewati_tak_terjangkau": "1", "dilewati_tanpa_persetujuan": "0"}
		for col, w := range want {
			if got := rows[1][column(rows, col)]; got != w {
				t.Errorf("%s: %s = %q, want %q", format, col, got, w)
			}
		}
		for _, cell := range rows[1] {
			if strings.Contains(cell, AnonName) || strings.Contains(cell, AnonAddress) || strings.Contains(cell, NamedPhone) {
				t.Errorf("%s: a recipient is named in the broadcasts export: %v", format, rows[1])
			}
		}
	}
}

func TestBroadcastExportWithoutTheFeature(t *testing.T) {
	db, _ := OpenSeeded(t)
	err := db.View(context.Background(), func(tx *store.Tx) error {
		_, err := exportdata.Build(tx, exportdata.KindBroadcasts, exportdata.Range{From: november.From, To: november.From, Loc: WIB}, exportdata.Labels{})
		return err
	})
	if err != nil && !errors.Is(err, store.ErrNoBroadcasts) {
		t.Fatal(err)
	}
}

func TestSaveIsPrivate(t *testing.T) {
	db, _ := OpenSeeded(t)
	path := filepath.Join(t.TempDir(), "exports", "laporan.xlsx")
	if err := export.Save(path, export.XLSX, build(t, db, exportdata.KindReports)); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v, mode %v", err, info.Mode().Perm())
	}
	if err := export.Save(path, "pdf"); !errors.Is(err, export.ErrFormat) {
		t.Errorf("pdf: %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Every sheet with a header keeps it in view and puts filter buttons on it,
// in the sheet itself (where spreadsheets look), rows or none.
func TestXLSXHeaderFrozenWithFilter(t *testing.T) {
	db, _ := OpenSeeded(t)
	var buf bytes.Buffer
	empty := export.Table{Sheet: "Kosong", Header: []string{"a", "b", "c"}}
	if err := export.Write(&buf, export.XLSX, build(t, db, exportdata.KindReports), empty); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		rows, _ := f.GetRows(sheet)
		panes, err := f.GetPanes(sheet)
		if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
			t.Errorf("%s: header not frozen: %+v %v", sheet, panes, err)
		}
		col, _ := excelize.ColumnNumberToName(len(rows[0]))
		want := `<autoFilter ref="$A$1:$` + col + "$" + strconv.Itoa(len(rows)) + `"`
		xml := sheetXML(t, buf.Bytes(), sheet, f)
		if !strings.Contains(xml, want) {
			t.Errorf("%s: no filter %s on the header row in the sheet", sheet, want)
		}
	}
}

// sheetXML is the worksheet part of a workbook's sheet, as stored.
func sheetXML(t *testing.T, book []byte, sheet string, f *excelize.File) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	i, err := f.GetSheetIndex(sheet)
	if err != nil {
		t.Fatal(err)
	}
	name := "xl/worksheets/sheet" + strconv.Itoa(i+1) + ".xml"
	for _, file := range z.File {
		if file.Name == name {
			r, err := file.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			raw, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			return string(raw)
		}
	}
	t.Fatalf("no %s in the workbook", name)
	return ""
}
