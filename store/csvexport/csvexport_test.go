package csvexport_test

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"klabot/store/csvexport"
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
