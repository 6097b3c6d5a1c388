package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Backups: a consistent copy of the live database made with VACUUM INTO,
// safe while the bot runs (it reads one snapshot on the read pool and never
// takes the write lock), checked with PRAGMA integrity_check before it is
// given its name.

// BackupPrefix and BackupSuffix frame the daily backups' names:
// klabot-20261124-0200.db, so that name order is time order.
const (
	BackupPrefix = "klabot-"
	BackupSuffix = ".db"
	backupLayout = "20060102-1504"
)

// BackupName is the name of a backup made at t (in loc).
func BackupName(t time.Time, loc *time.Location) string {
	return BackupPrefix + t.In(loc).Format(backupLayout) + BackupSuffix
}

// ErrBadBackup: a file that is not a sound klabot database. Every
// *BadFileError is one.
var ErrBadBackup = errors.New("not a sound klabot database")

// BadFileError says what is wrong with a file that should hold a klabot
// database, for a message in the reader's language.
type BadFileError struct {
	File   string // the file's name
	Kind   BadFileKind
	Detail string // what SQLite said, or what the check found
}

// BadFileKind is what is wrong with the file.
type BadFileKind int

const (
	NotAFile  BadFileKind = iota // a folder or a device, not a file
	Damaged                      // not an SQLite database, or a broken one
	NotKlabot                    // a sound database, but not klabot's
)

func (e *BadFileError) Error() string {
	return fmt.Sprintf("%s: %v: %s", e.File, ErrBadBackup, e.Detail)
}

func (e *BadFileError) Is(target error) bool { return target == ErrBadBackup }

// Backup writes a consistent copy of the database to path, mode 0600. The
// copy is made under a temporary name in the same folder, synced, checked
// and only then renamed, so path is either a good backup or not there.
func (db *DB) Backup(ctx context.Context, path string) error {
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer conn.Close()
	return vacuumInto(ctx, conn, path)
}

// vacuumInto copies the database behind conn to path, privately and atomically.
func vacuumInto(ctx context.Context, conn *sql.Conn, path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("backup: create folder: %w", err)
	}
	// VACUUM INTO accepts an empty file: creating it first gives it 0600.
	tmp, err := os.CreateTemp(dir, ".backup-*.tmp")
	if err != nil {
		return fmt.Errorf("backup: create file: %w", err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, tmp.Name()); err != nil {
		return fmt.Errorf("backup: copy database: %w", err)
	}
	if err := syncFile(tmp.Name()); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := CheckFile(ctx, tmp.Name()); err != nil {
		return fmt.Errorf("backup: the copy failed its check: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("backup: name the copy: %w", err)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// CheckFile opens a database file read-only and checks that it is sound
// (PRAGMA integrity_check), is klabot's (it has klabot's migrations table
// and reports) and was not written by a newer klabot. It returns the
// file's schema version: its last migration.
func CheckFile(ctx context.Context, path string) (int, error) {
	info, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	name := filepath.Base(path)
	if !info.Mode().IsRegular() {
		return 0, &BadFileError{File: name, Kind: NotAFile, Detail: "not a regular file"}
	}
	conn, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", path, err)
	}
	defer conn.Close()
	var result string
	if err := conn.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&result); err != nil {
		return 0, &BadFileError{File: name, Kind: Damaged, Detail: err.Error()}
	}
	if result != "ok" {
		return 0, &BadFileError{File: name, Kind: Damaged, Detail: fmt.Sprintf("integrity check says %q", result)}
	}
	var version int
	var reports int
	err = conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0),
		(SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'reports') FROM schema_migrations`).Scan(&version, &reports)
	if err != nil || reports == 0 {
		return 0, &BadFileError{File: name, Kind: NotKlabot, Detail: "no klabot tables"}
	}
	return version, checkVersion(path, version)
}

// Backups lists the daily backups in dir, oldest first.
func Backups(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list backups: %w", err)
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if e.Type().IsRegular() && strings.HasPrefix(name, BackupPrefix) && strings.HasSuffix(name, BackupSuffix) {
			if _, err := time.Parse(backupLayout, strings.TrimSuffix(strings.TrimPrefix(name, BackupPrefix), BackupSuffix)); err == nil {
				out = append(out, filepath.Join(dir, name))
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// BackupTime reads when a daily backup was made from its name; zero if the
// name is not a daily backup's.
func BackupTime(path string, loc *time.Location) time.Time {
	stamp := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), BackupPrefix), BackupSuffix)
	t, err := time.ParseInLocation(backupLayout, stamp, loc)
	if err != nil {
		return time.Time{}
	}
	return t
}

// RotateBackups deletes the oldest daily backups in dir beyond the newest
// keep, and returns the deleted files.
func RotateBackups(dir string, keep int) ([]string, error) {
	all, err := Backups(dir)
	if err != nil {
		return nil, err
	}
	var removed []string
	for len(all) > keep {
		if err := os.Remove(all[0]); err != nil {
			return removed, fmt.Errorf("delete old backup: %w", err)
		}
		removed = append(removed, all[0])
		all = all[1:]
	}
	return removed, nil
}

// Restore replaces the database at dbPath with the backup src. It checks
// src first, keeps a consistent copy of the current database as keepPath,
// and swaps the files so that dbPath is at every moment either the old or
// the new database. klabot must not be running on dbPath (the caller makes
// sure). It returns src's schema version.
func Restore(ctx context.Context, src, dbPath, keepPath string) (int, error) {
	version, err := CheckFile(ctx, src)
	if err != nil {
		return 0, err
	}
	if _, err := os.Stat(dbPath); err == nil {
		if err := backupFile(ctx, dbPath, keepPath); err != nil {
			return 0, fmt.Errorf("keep the current database: %w", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return 0, err
	}
	dir := filepath.Dir(dbPath)
	tmp, err := os.CreateTemp(dir, ".restore-*.tmp")
	if err != nil {
		return 0, fmt.Errorf("restore: %w", err)
	}
	defer os.Remove(tmp.Name())
	in, err := os.Open(src)
	if err != nil {
		tmp.Close()
		return 0, fmt.Errorf("restore: %w", err)
	}
	_, err = io.Copy(tmp, in)
	in.Close()
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("restore: copy backup: %w", err)
	}
	// The old database's write-ahead log must not be replayed into the
	// new file; its content is in keepPath.
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(dbPath + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return 0, fmt.Errorf("restore: %w", err)
		}
	}
	if err := os.Rename(tmp.Name(), dbPath); err != nil {
		return 0, fmt.Errorf("restore: %w", err)
	}
	if _, err := CheckFile(ctx, dbPath); err != nil {
		return 0, fmt.Errorf("restore: check the restored database: %w", err)
	}
	return version, nil
}

// backupFile copies the database file at path (with its write-ahead log)
// to dest with VACUUM INTO.
func backupFile(ctx context.Context, path, dest string) error {
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return vacuumInto(ctx, conn, dest)
}
