package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"klabot/bot/schedule"
	"klabot/locales"
	"klabot/store"
)

const backupUsage = `Usage:
  klabot backup [--out FILE]

Copies the database while klabot runs (SQLite VACUUM INTO: one consistent
snapshot, checked with PRAGMA integrity_check). Default FILE:
<data dir>/backups/klabot-YYYYMMDD-HHMM.db (mode 0600). klabot also makes
one every night at 02:00 WIB and keeps the last 14.
`

const restoreUsage = `Usage:
  klabot restore [--yes] FILE

Replaces klabot's database with the backup FILE, after checking it. Stop
klabot first. The current database is kept in <data dir>/backups/ as
klabot-before-restore-YYYYMMDD-HHMMSS.db. Asks you to type YES (or YA)
unless --yes is given.
`

// keepBackups is how many daily backups stay in <data dir>/backups.
const keepBackups = 14

// backupHour is when the daily backup runs (WIB): a quiet hour.
const backupHour = 2

func backupsDir(dataDir string) string { return filepath.Join(dataDir, "backups") }

// backupCommand runs "klabot backup [--out FILE]".
func backupCommand(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := newFlagSet(stderr)
	out := fs.String("out", "", "backup file")
	cfg, err := loadConfig(fs, args, getenv)
	if code := configExit(err, stderr, backupUsage); code >= 0 {
		return code
	}
	if code := extraArgs(fs, stderr, backupUsage); code >= 0 {
		return code
	}
	if cfg.DataDir, err = prepareDataDir(cfg.DataDir); err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 2
	}
	path := *out
	if path == "" {
		path = filepath.Join(backupsDir(cfg.DataDir), store.BackupName(time.Now(), cfg.Location))
	}
	if isDatabaseFile(path, filepath.Join(cfg.DataDir, "klabot.db")) {
		// The copy would replace the database under its own write-ahead
		// log, and klabot could not open it any more.
		fmt.Fprintf(stderr, "klabot: --out %s is klabot's own database; write the backup to another file\n", path)
		return 2
	}
	db, err := store.Open(ctx, filepath.Join(cfg.DataDir, "klabot.db"))
	if err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 1
	}
	defer db.Close()
	if err := db.Backup(ctx, path); err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 1
	}
	size := "?"
	if info, err := os.Stat(path); err == nil {
		size = fmt.Sprintf("%.1f MB", float64(info.Size())/1e6)
	}
	fmt.Fprintln(stdout, locales.T(cfg.Lang, "export.backup_saved", path, size))
	return 0
}

// isDatabaseFile tells whether path is the database dbPath or one of its
// SQLite side files (-wal, -shm, -journal).
func isDatabaseFile(path, dbPath string) bool {
	abs, _ := filepath.Abs(path)
	info, statErr := os.Stat(path)
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		db, _ := filepath.Abs(dbPath + suffix)
		if abs == db {
			return true
		}
		if di, err := os.Stat(db); statErr == nil && err == nil && os.SameFile(info, di) {
			return true
		}
	}
	return false
}

// restoreCommand runs "klabot restore [--yes] FILE".
func restoreCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := newFlagSet(stderr)
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	cfg, err := loadConfig(fs, args, getenv)
	if code := configExit(err, stderr, restoreUsage); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprint(stderr, restoreUsage)
		return 2
	}
	src := fs.Arg(0)
	if cfg.DataDir, err = prepareDataDir(cfg.DataDir); err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 2
	}
	release, err := lockDataDir(cfg.DataDir)
	if errors.Is(err, errLocked) {
		fmt.Fprintln(stderr, locales.T(cfg.Lang, "export.restore_running"))
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 1
	}
	defer release()
	version, err := store.CheckFile(ctx, src)
	if err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 1
	}
	keep := filepath.Join(backupsDir(cfg.DataDir), "klabot-before-restore-"+time.Now().In(cfg.Location).Format("20060102-150405")+".db")
	if !*yes {
		fmt.Fprint(stdout, locales.T(cfg.Lang, "export.restore_question", src, version, keep))
		answer, _ := bufio.NewReader(stdin).ReadString('\n')
		switch strings.ToUpper(strings.TrimSpace(answer)) {
		case "YES", "YA":
		default:
			fmt.Fprintln(stdout, locales.T(cfg.Lang, "export.restore_cancelled"))
			return 1
		}
	}
	if _, err := store.Restore(ctx, src, filepath.Join(cfg.DataDir, "klabot.db"), keep); err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 1
	}
	// Open once: applies the migrations a backup from an older klabot lacks.
	db, err := store.Open(ctx, filepath.Join(cfg.DataDir, "klabot.db"))
	if err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 1
	}
	db.Close()
	fmt.Fprintln(stdout, locales.T(cfg.Lang, "export.restore_done", src, keep))
	return 0
}

// dailyBackup makes the night's backup and keeps the last keepBackups.
func dailyBackup(ctx context.Context, db *store.DB, dataDir string, now time.Time, loc *time.Location, log *slog.Logger) error {
	dir := backupsDir(dataDir)
	path := filepath.Join(dir, store.BackupName(now, loc))
	if err := db.Backup(ctx, path); err != nil {
		return err
	}
	removed, err := store.RotateBackups(dir, keepBackups)
	log.Info("daily backup made", "file", filepath.Base(path), "old_removed", len(removed))
	return err
}

// dailyRetention applies KLABOT_RETENTION_DAYS, and deletes exports older
// than the messages they were sent with.
func dailyRetention(ctx context.Context, db *store.DB, dataDir string, days int, now time.Time, log *slog.Logger) error {
	res, err := db.ApplyRetention(ctx, now, days)
	if err != nil {
		return err
	}
	exports, err := store.PruneFiles(filepath.Join(dataDir, "exports"), now.AddDate(0, 0, -store.OutboxKeepDays))
	log.Info("retention applied", "reports", res.Reports, "files", res.Files, "registrations", res.Registrations,
		"conversations", res.Sessions, "messages", res.Messages, "exports", exports)
	return err
}

// addDailyJobs adds the night's backup (02:00 WIB) and the retention rule
// (02:30 WIB) to the scheduler; a night missed while klabot was down is
// made up at the next start.
func (a *app) addDailyJobs(s *schedule.Scheduler) {
	jobs := []struct {
		name, spec string
		fn         schedule.JobFunc
	}{
		{"backup", fmt.Sprintf("0 %d * * *", backupHour), func(ctx context.Context, now time.Time) error {
			return dailyBackup(ctx, a.db, a.cfg.DataDir, now, a.cfg.Location, a.log)
		}},
		{"retention", fmt.Sprintf("30 %d * * *", backupHour), func(ctx context.Context, now time.Time) error {
			return dailyRetention(ctx, a.db, a.cfg.DataDir, a.cfg.RetentionDays, now, a.log)
		}},
	}
	for _, j := range jobs {
		if err := s.Every(j.name, j.spec, j.fn, schedule.CatchUp(22*time.Hour)); err != nil {
			panic(err) // fixed names and specs: a programming error
		}
	}
}
