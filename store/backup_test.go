package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"klabot/store"
)

// A backup made while other transactions keep writing is a consistent
// snapshot: it opens, passes PRAGMA integrity_check, and holds every
// transaction whole or not at all.
func TestBackupWhileWriting(t *testing.T) {
	db, path := openTemp(t)
	ctx := context.Background()
	stop := make(chan struct{})
	var written atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			// Two rows per transaction: a torn copy would have one without the other.
			err := db.Tx(ctx, func(tx *store.Tx) error {
				subject := fmt.Sprint("pair-", i)
				if err := tx.Audit(time.Now(), "test", "first", subject, strings.Repeat("x", 200)); err != nil {
					return err
				}
				return tx.Audit(time.Now(), "test", "second", subject, strings.Repeat("y", 200))
			})
			if err != nil {
				t.Error(err)
				return
			}
			written.Add(1)
		}
	}()
	// Wait for the writer to get going, without sleeping on a guess.
	deadline := time.Now().Add(10 * time.Second)
	for written.Load() < 50 {
		if time.Now().After(deadline) {
			t.Fatal("writer did not start")
		}
		runtime.Gosched()
	}
	dir := filepath.Join(filepath.Dir(path), "backups")
	var copies []string
	for i := 0; i < 3; i++ {
		copy := filepath.Join(dir, fmt.Sprintf("copy-%d.db", i))
		if err := db.Backup(ctx, copy); err != nil {
			t.Fatal(err)
		}
		copies = append(copies, copy)
	}
	close(stop)
	wg.Wait()
	for _, copy := range copies {
		info, err := os.Stat(copy)
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("backup %s: %v, mode %v", copy, err, info.Mode().Perm())
		}
		if _, err := store.CheckFile(ctx, copy); err != nil {
			t.Fatalf("backup fails its check: %v", err)
		}
		raw, err := sql.Open("sqlite3", "file:"+copy+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		var check string
		var first, second int
		raw.QueryRow(`PRAGMA integrity_check`).Scan(&check)
		raw.QueryRow(`SELECT COALESCE(SUM(action = 'first'), 0), COALESCE(SUM(action = 'second'), 0) FROM audit`).Scan(&first, &second)
		raw.Close()
		if check != "ok" || first == 0 || first != second {
			t.Errorf("backup %s: integrity %q, %d first rows and %d second rows", filepath.Base(copy), check, first, second)
		}
		if int64(first) > written.Load() {
			t.Errorf("backup holds %d transactions, only %d were written", first, written.Load())
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".backup-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestRotateBackupsKeepsTheNewest(t *testing.T) {
	dir := t.TempDir()
	loc := time.FixedZone("WIB", 7*3600)
	start := time.Date(2026, 11, 1, 2, 0, 0, 0, loc)
	for i := 0; i < 16; i++ {
		os.WriteFile(filepath.Join(dir, store.BackupName(start.AddDate(0, 0, i), loc)), []byte("x"), 0o600)
	}
	os.WriteFile(filepath.Join(dir, "klabot-before-restore-20261101-020000.db"), []byte("x"), 0o600)
	removed, err := store.RotateBackups(dir, 14)
	if err != nil || len(removed) != 2 {
		t.Fatalf("removed %v, %v", removed, err)
	}
	left, _ := store.Backups(dir)
	if len(left) != 14 || filepath.Base(left[0]) != "klabot-20261103-0200.db" || filepath.Base(left[13]) != "klabot-20261116-0200.db" {
		t.Errorf("left %v", left)
	}
	if _, err := os.Stat(filepath.Join(dir, "klabot-before-restore-20261101-020000.db")); err != nil {
		t.Errorf("a pre-restore copy was rotated away: %v", err)
	}
	if got := store.BackupTime(left[0], loc); !got.Equal(start.AddDate(0, 0, 2)) {
		t.Errorf("backup time %v", got)
	}
}

func TestRestoreKeepsTheCurrentDatabase(t *testing.T) {
	ctx := context.Background()
	db, path := openTemp(t)
	audit := func(db *store.DB, action string) {
		if err := db.Tx(ctx, func(tx *store.Tx) error { return tx.Audit(time.Now(), "test", action, "", "") }); err != nil {
			t.Fatal(err)
		}
	}
	audit(db, "before-backup")
	backup := filepath.Join(t.TempDir(), "b.db")
	if err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	audit(db, "after-backup")
	db.Close()

	keep := filepath.Join(filepath.Dir(path), "backups", "before-restore.db")
	if _, err := store.Restore(ctx, backup, path, keep); err != nil {
		t.Fatal(err)
	}
	actions := func(file string) string {
		raw, err := sql.Open("sqlite3", "file:"+file+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		rows, err := raw.Query(`SELECT action FROM audit ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var a string
			rows.Scan(&a)
			out = append(out, a)
		}
		return strings.Join(out, ",")
	}
	if got := actions(path); got != "before-backup" {
		t.Errorf("restored database holds %q", got)
	}
	if got := actions(keep); got != "before-backup,after-backup" {
		t.Errorf("kept database holds %q", got)
	}
	reopened, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	reopened.Close()

	// A broken file and a database that is not klabot's are refused, and
	// the database stays as it is.
	broken := filepath.Join(t.TempDir(), "broken.db")
	raw, _ := os.ReadFile(backup)
	os.WriteFile(broken, append(raw[:len(raw)/2:len(raw)/2], make([]byte, 4096)...), 0o600)
	other := filepath.Join(t.TempDir(), "other.db")
	o, _ := sql.Open("sqlite3", other)
	o.Exec(`CREATE TABLE x(y)`)
	o.Close()
	text := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(text, []byte("bukan database"), 0o600)
	for _, bad := range []string{broken, other, text} {
		if _, err := store.Restore(ctx, bad, path, keep+".2"); !errors.Is(err, store.ErrBadBackup) {
			t.Errorf("restore from %s: %v, want ErrBadBackup", filepath.Base(bad), err)
		}
	}
	if got := actions(path); got != "before-backup" {
		t.Errorf("after refused restores the database holds %q", got)
	}
}
