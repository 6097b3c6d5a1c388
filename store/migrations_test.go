package store

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// The migrations built into klabot have one number each, above 0, so none
// is skipped; a second file numbered like another fails here, before any
// database meets it.
func TestMigrationNumbersUnique(t *testing.T) {
	entries, err := migrationFiles.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]string{}
	for _, e := range entries {
		number, _, _ := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(number)
		if err != nil || v <= 0 || !strings.HasSuffix(e.Name(), ".sql") {
			t.Errorf("%s: a migration is named NNNN_what.sql", e.Name())
			continue
		}
		if other, dup := seen[v]; dup {
			t.Errorf("%s and %s have the same number %d", other, e.Name(), v)
		}
		seen[v] = e.Name()
	}
	all, err := listMigrations(migrationFiles)
	if err != nil || len(all) != len(entries) {
		t.Fatalf("listMigrations: %d of %d files, %v", len(all), len(entries), err)
	}
	if SchemaVersion() != all[len(all)-1].version || SchemaVersion() < len(all) {
		t.Errorf("SchemaVersion %d, newest file %v", SchemaVersion(), all[len(all)-1])
	}
}

func appliedVersions(t *testing.T, db *DB) []int {
	t.Helper()
	rows, err := db.read.Query(`SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		rows.Scan(&v)
		out = append(out, v)
	}
	return out
}

// Opening a database refuses two migrations with one number instead of
// running the first and skipping the second, and applies none of the new
// ones.
func TestMigrateRefusesDuplicateNumbers(t *testing.T) {
	db := openLinkTest(t)
	before := appliedVersions(t, db)
	next := strconv.Itoa(SchemaVersion() + 1)
	dup := fstest.MapFS{
		"migrations/" + next + "_alpha.sql": {Data: []byte(`CREATE TABLE alpha (x);`)},
		"migrations/" + next + "_beta.sql":  {Data: []byte(`CREATE TABLE beta (x);`)},
	}
	err := db.migrate(context.Background(), dup)
	if err == nil || !strings.Contains(err.Error(), next+"_alpha.sql") || !strings.Contains(err.Error(), next+"_beta.sql") {
		t.Fatalf("migrate with a duplicate number: %v; want an error naming both files", err)
	}
	if after := appliedVersions(t, db); len(after) != len(before) {
		t.Errorf("applied %v, was %v: nothing should run", after, before)
	}
	// Numbers are compared as numbers: 0009 and 9 are one number.
	dup = fstest.MapFS{
		"migrations/0009_alpha.sql": {Data: []byte(`SELECT 1;`)},
		"migrations/9_beta.sql":     {Data: []byte(`SELECT 1;`)},
	}
	if _, err := listMigrations(dup); err == nil {
		t.Error("0009_alpha.sql and 9_beta.sql were both accepted")
	}
}

// A database written by a newer klabot (a migration this one does not
// know) is refused at Open with a message naming both versions, and is
// left as it was.
func TestOpenRefusesNewerDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "klabot.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	newer := SchemaVersion() + 3
	if _, err := db.write.Exec(`INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, '0099_future.sql', '')`, newer); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(path)

	db, err = Open(ctx, path)
	if err == nil {
		db.Close()
		t.Fatal("a database from a newer klabot was opened")
	}
	var ne *NewerDatabaseError
	if !errors.As(err, &ne) || ne.Version != newer || ne.Known != SchemaVersion() || ne.File != "klabot.db" {
		t.Fatalf("Open: %v (%#v); want a NewerDatabaseError for version %d", err, ne, newer)
	}
	msg := err.Error()
	for _, want := range []string{strconv.Itoa(newer), strconv.Itoa(SchemaVersion()), "update klabot"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("the refused database was changed")
	}

	// Restoring such a file is refused by the same rule, before anything
	// is swapped.
	target := filepath.Join(t.TempDir(), "klabot.db")
	if _, err := Restore(ctx, path, target, target+".kept"); !errors.As(err, &ne) || ne.Version != newer {
		t.Errorf("Restore of a newer database: %v", err)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Errorf("restore went ahead: %v", err)
	}
}

// The story index is filled from the reports a database already holds
// when klabot is updated to it, not only from reports made afterwards.
func TestReportWordsFilledFromExistingReports(t *testing.T) {
	db := openLinkTest(t)
	ctx := context.Background()
	// The database as an older klabot left it: no index, a report in it.
	for _, q := range []string{`DROP TRIGGER report_words_insert`, `DROP TRIGGER report_words_before_update`,
		`DROP TRIGGER report_words_after_update`, `DROP TRIGGER report_words_delete`, `DROP TABLE report_words`,
		`DELETE FROM schema_migrations WHERE version = 13`} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	err := db.Tx(ctx, func(tx *Tx) error {
		u, _, err := tx.UserByContact(Contact{Channel: "console", Address: "ani"}, "id", time.Now())
		if err != nil {
			return err
		}
		r := Report{Category: "lainnya", KecCode: "61.07.06", Description: "anak memanen sawit", ReporterID: u.ID}
		return tx.CreateReport(&r, rand.Reader, time.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.migrate(ctx, migrationFiles); err != nil {
		t.Fatal(err)
	}
	err = db.Tx(ctx, func(tx *Tx) error {
		found, _, err := tx.QueryReports(ReportQuery{Words: "sawit", Limit: 5})
		if len(found) != 1 {
			t.Errorf("%d reports found by an old story's word, want 1", len(found))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
