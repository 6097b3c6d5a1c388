package csvexport_test

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"klabot/bot/export/csvexport"
)

func TestWritePrivateSemicolonFileWithBOM(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "exports")
	path, err := csvexport.Write(dir, "../peserta.csv", []string{"nama", "umur"},
		[][]string{{"Siti; Aminah", "34"}, {"Budi \"Ucok\"", "17"}})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(path) != dir {
		t.Errorf("file written to %s, want inside %s", path, dir)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v, mode %v; want 0600", err, info.Mode().Perm())
	}
	if info, _ := os.Stat(dir); info.Mode().Perm() != 0o700 {
		t.Errorf("export folder mode %o, want 700", info.Mode().Perm())
	}
	raw, _ := os.ReadFile(path)
	text, ok := strings.CutPrefix(string(raw), "\ufeff")
	if !ok {
		t.Error("no UTF-8 byte order mark")
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || len(rows) != 3 || rows[1][0] != "Siti; Aminah" || rows[2][0] != `Budi "Ucok"` {
		t.Errorf("read back %q, %v", rows, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".export-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// Cells a spreadsheet would run as a formula get a leading apostrophe;
// other text, and the inside of a cell, stay as they are.
func TestFormulasNeutralized(t *testing.T) {
	dir := t.TempDir()
	path, err := csvexport.Write(dir, "x.csv", []string{"=header"}, [][]string{
		{"=SUM(A1:A9)"}, {"+62812"}, {"-3"}, {"@cmd"}, {"\tx"}, {"\rx"}, {"a=b"}, {"Siti"},
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(raw), "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range rows {
		got = append(got, row[0])
	}
	want := []string{"'=header", "'=SUM(A1:A9)", "'+62812", "'-3", "'@cmd", "'\tx", "'\rx", "a=b", "Siti"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("cells %q\nwant  %q", got, want)
	}
}
