package main

import (
	"bytes"
	"context"
	"database/sql"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"klabot/store"
	"klabot/store/exporttest"
)

// seededDataDir is a data folder whose klabot.db holds the seeded month.
func seededDataDir(t *testing.T) (string, exporttest.Seeded) {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	s := exporttest.Seed(t, db)
	db.Close()
	return dir, s
}

// openSeededDataDir is a seeded data folder with its database open.
func openSeededDataDir(t *testing.T) (string, *store.DB) {
	t.Helper()
	dir, _ := seededDataDir(t)
	db, err := store.Open(context.Background(), filepath.Join(dir, "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return dir, db
}

func klabot(t *testing.T, dir, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errOut, envOf(map[string]string{"KLABOT_DATA_DIR": dir}))
	return code, out.String(), errOut.String()
}

func TestExportCommand(t *testing.T) {
	dir, s := seededDataDir(t)
	code, out, errOut := klabot(t, dir, "", "export", "reports", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "xlsx")
	path := filepath.Join(dir, "exports", "reports-20261101-20261130.xlsx")
	if code != 0 || !strings.Contains(out, path) || !strings.Contains(out, "4 baris") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("%s: %v, %v", path, err, info)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(f.GetSheetName(0))
	f.Close()
	text := ""
	for _, r := range rows {
		text += strings.Join(r, "|") + "\n"
	}
	if len(rows) != 5 || !strings.Contains(text, s.Reports["R1"].Code) || strings.Contains(text, exporttest.AnonName) ||
		strings.Contains(text, exporttest.AnonAddress) {
		t.Errorf("export holds %d rows:\n%s", len(rows), text)
	}

	out2 := filepath.Join(t.TempDir(), "hadir.csv")
	code, out, errOut = klabot(t, dir, "", "export", "attendance", "--from", "2026-11-01", "--to", "2026-11-30", "--out", out2)
	raw, _ := os.ReadFile(out2)
	if code != 0 || !strings.HasPrefix(string(raw), "\ufeffid_pelatihan;") || strings.Count(string(raw), "\n") != 7 {
		t.Errorf("attendance: exit %d, %q %q, file:\n%s", code, out, errOut, raw)
	}
	for _, kind := range []string{"registrations", "broadcasts"} {
		if code, out, errOut := klabot(t, dir, "", "export", kind); code != 0 {
			t.Errorf("%s: exit %d, %q %q", kind, code, out, errOut)
		}
	}
	for _, bad := range [][]string{{"export"}, {"export", "people"}, {"export", "reports", "--format", "pdf"},
		{"export", "reports", "--from", "1/11/2026"}, {"export", "reports", "--from", "2026-11-30", "--to", "2026-11-01"}} {
		if code, _, _ := klabot(t, dir, "", bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
}

func TestRecapCommand(t *testing.T) {
	dir, _ := seededDataDir(t)
	code, out, errOut := klabot(t, dir, "", "recap", "--month", "2026-11")
	if code != 0 || !strings.Contains(out, "Laporan masuk: 4 (diverifikasi 2, dirujuk 2, ditutup 3, selesai 2)") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	book := filepath.Join(dir, "exports", "rekap-kla-2026-11.xlsx")
	f, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	chart, err := os.Open(strings.TrimSuffix(book, ".xlsx") + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer chart.Close()
	if _, err := png.Decode(chart); err != nil {
		t.Errorf("chart: %v", err)
	}
	// Months are read as in the chat's /rekap.
	if code, out, errOut := klabot(t, dir, "", "recap", "--month", "november 2026", "--out", filepath.Join(dir, "nov.xlsx")); code != 0 ||
		!strings.Contains(out, "Rekap KLA November 2026") {
		t.Errorf("november 2026: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	for _, bad := range []string{"Novembre", "13/2026", "2999-01"} {
		if code, _, errOut := klabot(t, dir, "", "recap", "--month", bad); code != 2 || !strings.Contains(errOut, bad) {
			t.Errorf("%s: exit %d, stderr %q", bad, code, errOut)
		}
	}
}

func auditCount(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM audit WHERE action = 'later'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBackupAndRestoreCommands(t *testing.T) {
	dir, _ := seededDataDir(t)
	dbPath := filepath.Join(dir, "klabot.db")
	code, out, errOut := klabot(t, dir, "", "backup")
	backups, _ := store.Backups(filepath.Join(dir, "backups"))
	if code != 0 || len(backups) != 1 || !strings.Contains(out, backups[0]) {
		t.Fatalf("backup: exit %d, %q %q, backups %v", code, out, errOut, backups)
	}
	if info, _ := os.Stat(backups[0]); info.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v", info.Mode().Perm())
	}
	// Something happens after the backup.
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	db.Tx(context.Background(), func(tx *store.Tx) error { return tx.Audit(time.Now(), "test", "later", "", "") })
	db.Close()

	if code, out, _ := klabot(t, dir, "tidak\n", "restore", backups[0]); code != 1 || !strings.Contains(out, "Dibatalkan") ||
		auditCount(t, dbPath) != 1 {
		t.Errorf("restore answered no: exit %d, %q", code, out)
	}
	// While klabot runs (it holds the data folder's lock), restore refuses.
	release, err := lockDataDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut = klabot(t, dir, "YA\n", "restore", backups[0])
	release()
	if code != 1 || !strings.Contains(errOut, "sedang berjalan") || auditCount(t, dbPath) != 1 {
		t.Errorf("restore while running: exit %d, %q", code, errOut)
	}
	code, out, errOut = klabot(t, dir, "YA\n", "restore", backups[0])
	if code != 0 || auditCount(t, dbPath) != 0 {
		t.Fatalf("restore: exit %d, %q %q", code, out, errOut)
	}
	kept, _ := filepath.Glob(filepath.Join(dir, "backups", "klabot-before-restore-*.db"))
	if len(kept) != 1 || auditCount(t, kept[0]) != 1 {
		t.Errorf("the database before the restore was not kept: %v", kept)
	}
	bad := filepath.Join(t.TempDir(), "bad.db")
	os.WriteFile(bad, []byte("bukan database"), 0o600)
	if code, _, _ := klabot(t, dir, "", "restore", "--yes", bad); code != 1 {
		t.Errorf("restore of a bad file: exit %d", code)
	}
}

func TestDailyBackupKeepsFourteen(t *testing.T) {
	dir, db := openSeededDataDir(t)
	night := exporttest.At(time.November, 1, 2, 0)
	for i := 0; i < 16; i++ {
		if err := dailyBackup(context.Background(), db, dir, night.AddDate(0, 0, i), exporttest.WIB, newLogger(&bytes.Buffer{}, "error", true, nil)); err != nil {
			t.Fatal(err)
		}
	}
	all, _ := store.Backups(filepath.Join(dir, "backups"))
	if len(all) != keepBackups || filepath.Base(all[0]) != "klabot-20261103-0200.db" {
		t.Errorf("backups kept: %v", all)
	}
}

func TestRetentionSetting(t *testing.T) {
	for _, v := range []string{"10", "lama", "0"} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"backup"}, strings.NewReader(""), &out, &errOut,
			envOf(map[string]string{"KLABOT_DATA_DIR": t.TempDir(), "KLABOT_RETENTION_DAYS": v}))
		if code != 2 || !strings.Contains(errOut.String(), "KLABOT_RETENTION_DAYS") {
			t.Errorf("KLABOT_RETENTION_DAYS=%s: exit %d, %q", v, code, errOut.String())
		}
	}
}

// Files in exports/ hold names and phone numbers (a training's
// registrations sent to staff in the chat): the nightly retention deletes
// them after a month, as it does the messages they were sent with, so
// that neither erasure nor the retention rule is undone by a forgotten file.
func TestRetentionDeletesOldExports(t *testing.T) {
	dir, db := openSeededDataDir(t)
	now := exporttest.At(time.December, 20, 2, 30)
	exports := filepath.Join(dir, "exports")
	os.MkdirAll(exports, 0o700)
	old, recent := filepath.Join(exports, "pelatihan-1-20261101-090000.csv"), filepath.Join(exports, "pelatihan-1-20261215-090000.csv")
	for path, made := range map[string]time.Time{old: now.AddDate(0, 0, -store.OutboxKeepDays-1), recent: now.AddDate(0, 0, -5)} {
		if err := os.WriteFile(path, []byte("nama_lengkap;telepon\nAnak A;0812"), 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(path, made, made)
	}
	if err := dailyRetention(context.Background(), db, dir, store.DefaultRetentionDays, now, newLogger(&bytes.Buffer{}, "error", true, nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("an export older than %d days is still kept: %v", store.OutboxKeepDays, err)
	}
	if _, err := os.Stat(recent); err != nil {
		t.Errorf("a recent export is gone: %v", err)
	}
}
