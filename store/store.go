// Package store keeps everything klabot knows in one SQLite file: people,
// conversations, the inbound dedupe log, the outbox and the audit log.
//
// There is one writer connection (SQLite allows one writer at a time, and a
// single connection makes BEGIN IMMEDIATE queue in Go instead of failing
// with SQLITE_BUSY) and a separate pool for reads.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // the SQLite driver
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// TimeLayout is how times are stored: UTC, fixed width so that text order is
// time order, and understood by SQLite's own date functions.
const TimeLayout = "2006-01-02 15:04:05.000"

// FormatTime renders t for storage.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime reads a stored time; an empty or broken value is the zero time.
func ParseTime(s string) time.Time {
	t, err := time.ParseInLocation(TimeLayout, s, time.UTC)
	if err != nil {
		return time.Time{}
	}
	return t
}

// DB is the klabot database.
type DB struct {
	write *sql.DB
	read  *sql.DB
	path  string
}

// Open opens (creating if needed) the database at path with mode 0600 and
// applies any pending migrations.
func Open(ctx context.Context, path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	// Create the file ourselves so it gets 0600; SQLite gives its -wal and
	// -shm files the same mode as the database file.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create database file: %w", err)
	}
	// A file that was already there (copied from another server) keeps
	// its mode: make it private before SQLite copies that mode.
	err = f.Chmod(0o600)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("make database file private: %w", err)
	}

	// The statement cache saves re-parsing the same few queries per message.
	dsn := "file:" + path + "?_foreign_keys=on&_busy_timeout=5000&_stmt_cache_size=64"
	write, err := sql.Open("sqlite3", dsn+"&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	read, err := sql.Open("sqlite3", dsn+"&mode=ro")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open database for reading: %w", err)
	}
	read.SetMaxOpenConns(4)
	db := &DB{write: write, read: read, path: path}
	if err := db.migrate(ctx, migrationFiles); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Path is the database file's location.
func (db *DB) Path() string { return db.path }

// Close closes both connection pools.
func (db *DB) Close() error {
	return errors.Join(db.write.Close(), db.read.Close())
}

// migration is one numbered file in migrations/, applied once, in order.
type migration struct {
	version int
	file    string // its path in the file system it came from
}

// listMigrations reads the migration files of fsys (migrations/NNNN_name.sql)
// in the order of their numbers. Two files with one number are refused: the
// database records numbers, so the second would never run.
func listMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	byVersion := map[int]string{}
	var out []migration
	for _, name := range names {
		base := path.Base(name)
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil || version <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a number above 0, like 0008_", base)
		}
		if other, dup := byVersion[version]; dup {
			return nil, fmt.Errorf("migrations %s and %s have the same number %d: renumber one of them", other, base, version)
		}
		byVersion[version] = base
		out = append(out, migration{version: version, file: name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// SchemaVersion is the newest migration this program knows.
func SchemaVersion() int {
	all, _ := listMigrations(migrationFiles) // refused at Open and in the tests
	if len(all) == 0 {
		return 0
	}
	return all[len(all)-1].version
}

// NewerDatabaseError: the database was written by a newer klabot, whose
// migrations this one does not know. This klabot would misread it, and
// writing to it could spoil what the newer one keeps there.
type NewerDatabaseError struct {
	File    string // the database file's name
	Version int    // its newest migration
	Known   int    // the newest this klabot knows
}

func (e *NewerDatabaseError) Error() string {
	return fmt.Sprintf("%s was written by a newer klabot (schema version %d; this klabot knows up to %d): update klabot",
		e.File, e.Version, e.Known)
}

// checkVersion is the one rule for a database's schema version, for the
// database klabot opens and for a backup it restores alike.
func checkVersion(file string, version int) error {
	if known := SchemaVersion(); version > known {
		return &NewerDatabaseError{File: filepath.Base(file), Version: version, Known: known}
	}
	return nil
}

func (db *DB) migrate(ctx context.Context, fsys fs.FS) error {
	all, err := listMigrations(fsys)
	if err != nil {
		return err
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	var applied int
	if err := db.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&applied); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if err := checkVersion(db.path, applied); err != nil {
		return err
	}
	for _, m := range all {
		base := path.Base(m.file)
		body, err := fs.ReadFile(fsys, m.file)
		if err != nil {
			return fmt.Errorf("read migration %s: %w", base, err)
		}
		err = db.Tx(ctx, func(tx *Tx) error {
			var n int
			if err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, base, FormatTime(time.Now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("apply migration %s: %w", base, err)
		}
	}
	return nil
}

// Tx is one write transaction. Every change klabot makes goes through one.
type Tx struct {
	tx  *sql.Tx
	ctx context.Context
	// queued are the messages Enqueue added, handed to the senders after
	// the commit so they need not read them back. outboxChanged marks
	// other changes to pending outbox rows (broadcasts queued or resumed),
	// which the senders must read from the database.
	queued        []OutboxMessage
	outboxChanged bool
	// filesAdded: file jobs were added, for the maker of files.
	filesAdded bool
}

// Queued is what a committed transaction put into the outbox.
type Queued struct {
	// Messages were added one by one, with their payloads.
	Messages []OutboxMessage
	// Changed: other pending rows were added or released; read the outbox.
	Changed bool
	// Files: files were asked for (AddFileJob).
	Files bool
}

// Any tells whether there is something new to send.
func (q Queued) Any() bool { return len(q.Messages) > 0 || q.Changed || q.Files }

// Tx runs fn in a write transaction and commits if fn returns nil.
func (db *DB) Tx(ctx context.Context, fn func(*Tx) error) error {
	_, err := db.TxOutbox(ctx, fn)
	return err
}

// TxOutbox is Tx that also reports whether the transaction queued outbox
// messages, so the caller can wake the sender right after the commit.
func (db *DB) TxOutbox(ctx context.Context, fn func(*Tx) error) (bool, error) {
	q, err := db.TxQueued(ctx, fn)
	return q.Any(), err
}

// TxQueued is Tx that also returns what the transaction put into the
// outbox, for the senders.
//
// A panic in fn rolls the transaction back before it goes on up: the
// single writer connection would otherwise stay inside an open
// transaction, and every later write would wait for it for good.
func (db *DB) TxQueued(ctx context.Context, fn func(*Tx) error) (Queued, error) {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return Queued{}, fmt.Errorf("begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			sqlTx.Rollback()
		}
	}()
	tx := &Tx{tx: sqlTx, ctx: ctx}
	if err := fn(tx); err != nil {
		return Queued{}, err
	}
	committed = true
	if err := sqlTx.Commit(); err != nil {
		return Queued{}, fmt.Errorf("commit: %w", err)
	}
	return Queued{Messages: tx.queued, Changed: tx.outboxChanged, Files: tx.filesAdded}, nil
}

// Savepoint runs fn so that its changes are undone alone if it fails, while
// the surrounding transaction goes on. Used to commit several chats'
// messages in one transaction without one bad message spoiling the rest.
func (tx *Tx) Savepoint(fn func() error) error {
	if _, err := tx.tx.ExecContext(tx.ctx, `SAVEPOINT msg`); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	queuedBefore, changedBefore, filesBefore := len(tx.queued), tx.outboxChanged, tx.filesAdded
	if err := fn(); err != nil {
		tx.queued, tx.outboxChanged, tx.filesAdded = tx.queued[:queuedBefore], changedBefore, filesBefore
		if _, rbErr := tx.tx.ExecContext(tx.ctx, `ROLLBACK TO msg; RELEASE msg`); rbErr != nil {
			return errors.Join(err, fmt.Errorf("rollback to savepoint: %w", rbErr))
		}
		return err
	}
	if _, err := tx.tx.ExecContext(tx.ctx, `RELEASE msg`); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

func (tx *Tx) exec(query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(tx.ctx, query, args...)
}

func (tx *Tx) queryRow(query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(tx.ctx, query, args...)
}

func (tx *Tx) query(query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(tx.ctx, query, args...)
}

// Context is the context the transaction runs under.
func (tx *Tx) Context() context.Context { return tx.ctx }
