package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"klabot/bot/schedule"
	"klabot/store"
)

const backupAbout = `Copies the database while klabot runs (SQLite VACUUM INTO: one consistent
snapshot, checked with PRAGMA integrity_check), mode 0600. klabot also
makes one every night at 02:00 WIB and keeps the last 14.`

const restoreAbout = `Replaces klabot's database with the backup FILE, after checking it. Stop
klabot first. The current database is kept in <data dir>/backups/ as
klabot-before-restore-YYYYMMDD-HHMMSS.db. Asks you to type YES (or YA)
unless --yes is given.`

// keepBackups is how many daily backups stay in <data dir>/backups.
const keepBackups = 14

// backupHour is when the daily backup runs (WIB): a quiet hour.
const backupHour = 2

func backupsDir(dataDir string) string { return filepath.Join(dataDir, "backups") }

// backupSetup is "klabot backup [--out FILE]".
func backupSetup(fs *flag.FlagSet) action {
	out := fs.String("out", "", "the backup `file` to write (default: <data dir>/backups/klabot-YYYYMMDD-HHMM.db)")
	return func(ctx context.Context, c *invocation) int {
		path := *out
		if path == "" {
			path = filepath.Join(backupsDir(c.cfg.DataDir), store.BackupName(time.Now(), c.cfg.Location))
		}
		if isDatabaseFile(path, c.db.Path()) {
			// The copy would replace the database under its own write-ahead
			// log, and klabot could not open it any more.
			return c.refuse(2, "cli.backup_own_db", path)
		}
		if err := c.db.Backup(ctx, path); err != nil {
			return c.fail(1, err)
		}
		size := "?"
		if info, err := os.Stat(path); err == nil {
			size = fmt.Sprintf("%.1f MB", float64(info.Size())/1e6)
		}
		fmt.Fprintln(c.stdout, c.t("export.backup_saved", path, size))
		return 0
	}
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

// restoreSetup is "klabot restore [--yes] FILE". It opens the database
// only once the backup is in place.
func restoreSetup(fs *flag.FlagSet) action {
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	return func(ctx context.Context, c *invocation) int {
		src := c.operand
		release, err := lockDataDir(c.cfg.DataDir)
		if errors.Is(err, errLocked) {
			fmt.Fprintln(c.stderr, c.t("export.restore_running"))
			return 1
		}
		if err != nil {
			return c.fail(1, err)
		}
		defer release()
		version, err := store.CheckFile(ctx, src)
		if err != nil {
			return c.fail(1, err)
		}
		keep := filepath.Join(backupsDir(c.cfg.DataDir), "klabot-before-restore-"+time.Now().In(c.cfg.Location).Format("20060102-150405")+".db")
		if !*yes {
			fmt.Fprint(c.stdout, c.t("export.restore_question", src, version, keep))
			answer, _ := bufio.NewReader(c.stdin).ReadString('\n')
			switch strings.ToUpper(strings.TrimSpace(answer)) {
			case "YES", "YA":
			default:
				fmt.Fprintln(c.stdout, c.t("export.restore_cancelled"))
				return 1
			}
		}
		dbPath := filepath.Join(c.cfg.DataDir, "klabot.db")
		if _, err := store.Restore(ctx, src, dbPath, keep); err != nil {
			return c.fail(1, err)
		}
		// Open once: applies the migrations a backup from an older klabot lacks.
		db, err := store.Open(ctx, dbPath)
		if err != nil {
			return c.fail(1, err)
		}
		db.Close()
		fmt.Fprintln(c.stdout, c.t("export.restore_done", src, keep))
		return 0
	}
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
