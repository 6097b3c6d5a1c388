package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"klabot/store"
)

// Words left after the flags are a mistake ("klabot recap 2026-11"), not
// something to ignore with success.
func TestExtraArgumentsRefused(t *testing.T) {
	dir, _ := seededDataDir(t)
	for _, args := range [][]string{{"recap", "2026-11"}, {"recap", "--month", "2026-11", "lagi"},
		{"export", "reports", "xlsx"}, {"backup", "cadangan.db"}, {"run", "konsol"}, {"console", "staff"}} {
		code, out, errOut := klabot(t, dir, "", args...)
		if code != 2 || !strings.Contains(errOut, "unexpected") || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}

// An --out file named .xlsx is an XLSX workbook, not CSV text with that
// name (which Excel refuses to open); a clash with --format is an error.
func TestExportFormatFromOutName(t *testing.T) {
	dir, _ := seededDataDir(t)
	book := filepath.Join(t.TempDir(), "laporan.xlsx")
	code, out, errOut := klabot(t, dir, "", "export", "reports", "--from", "2026-11-01", "--to", "2026-11-30", "--out", book)
	raw, _ := os.ReadFile(book)
	if code != 0 || !bytes.HasPrefix(raw, []byte("PK")) {
		t.Errorf("exit %d, %q %q; file starts %q", code, out, errOut, raw[:min(len(raw), 10)])
	}
	clash := filepath.Join(t.TempDir(), "laporan.csv")
	if code, _, errOut := klabot(t, dir, "", "export", "reports", "--format", "xlsx", "--out", clash); code != 2 ||
		!strings.Contains(errOut, "--format") {
		t.Errorf("clash: exit %d, %q", code, errOut)
	}
}

// A backup written over the database itself would leave klabot unable to
// open it.
func TestBackupRefusesTheDatabaseItself(t *testing.T) {
	dir, _ := seededDataDir(t)
	dbPath := filepath.Join(dir, "klabot.db")
	db, err := store.Open(context.Background(), dbPath) // a running klabot: the -wal file exists
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, out := range []string{dbPath, filepath.Join(dir, ".", "klabot.db-wal")} {
		code, stdout, errOut := klabot(t, dir, "", "backup", "--out", out)
		if code != 2 || !strings.Contains(errOut, "own database") {
			t.Errorf("--out %s: exit %d, %q %q", out, code, stdout, errOut)
		}
	}
	if _, err := store.CheckFile(context.Background(), dbPath); err != nil {
		t.Errorf("the database was harmed: %v", err)
	}
}
