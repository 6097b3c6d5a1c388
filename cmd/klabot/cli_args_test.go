package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"klabot/locales"
	"klabot/store"
)

// Words left after the flags are a mistake ("klabot recap 2026-11"), not
// something to ignore with success: one line naming the word, exit 2.
func TestExtraArgumentsRefused(t *testing.T) {
	dir, _ := seededDataDir(t)
	for _, c := range []struct {
		args       []string
		cmd, stray string
	}{
		{[]string{"recap", "2026-11"}, "recap", "2026-11"},
		{[]string{"recap", "--month", "2026-11", "lagi"}, "recap", "lagi"},
		{[]string{"export", "reports", "xlsx"}, "export", "xlsx"},
		{[]string{"backup", "cadangan.db"}, "backup", "cadangan.db"},
		{[]string{"restore", "a.db", "b.db"}, "restore", "b.db"},
		{[]string{"run", "konsol"}, "run", "konsol"},
		{[]string{"console", "staff"}, "console", "staff"},
		{[]string{"whatsapp", "status", "sekarang"}, "whatsapp status", "sekarang"},
	} {
		code, out, errOut := klabot(t, dir, "", c.args...)
		want := "klabot: " + locales.T("id", "cli.unexpected", c.stray, c.cmd) + "\n"
		if code != 2 || errOut != want || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args, code, out, errOut, want)
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
		if code != 2 || !strings.Contains(errOut, "database klabot sendiri") {
			t.Errorf("--out %s: exit %d, %q %q", out, code, stdout, errOut)
		}
	}
	if _, err := store.CheckFile(context.Background(), dbPath); err != nil {
		t.Errorf("the database was harmed: %v", err)
	}
}
