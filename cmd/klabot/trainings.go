package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"klabot/flows"
	"klabot/locales"
	"klabot/store"
)

const trainingsUsage = `Usage:
  klabot trainings import [flags] FILE.csv

Imports training sessions from a CSV file (columns: see README.md,
"Trainings CSV"). Every bad row is reported by its line number, and then
nothing is imported.
`

// trainingsCommand runs "klabot trainings import FILE.csv".
func trainingsCommand(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprint(stderr, trainingsUsage)
		return 2
	}
	fs := newFlagSet(stderr)
	cfg, err := loadConfig(fs, args[1:], getenv)
	if code := configExit(err, stderr, trainingsUsage); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprint(stderr, trainingsUsage)
		return 2
	}
	path := fs.Arg(0)
	if cfg.DataDir, err = prepareDataDir(cfg.DataDir); err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 2
	}
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 1
	}
	defer f.Close()

	now := time.Now()
	rows, err := flows.ParseTrainingsCSV(f, cfg.Location, now, cfg.Lang)
	if err != nil {
		return importFailed(stderr, path, cfg.Lang, err)
	}
	db, err := store.Open(ctx, filepath.Join(cfg.DataDir, "klabot.db"))
	if err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 1
	}
	defer db.Close()
	var saved []store.Training
	// One transaction: a problem in any row leaves the database as it was.
	err = db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		saved, err = flows.ImportTrainings(tx, rows, rand.Reader, now, cfg.Lang)
		return err
	})
	if err != nil {
		return importFailed(stderr, path, cfg.Lang, err)
	}
	fmt.Fprintln(stdout, locales.T(cfg.Lang, "training.import_done", len(saved)))
	for _, t := range saved {
		fmt.Fprintln(stdout, flows.TrainingLine(t, cfg.Location, cfg.Lang))
	}
	return 0
}

// importFailed prints why nothing was imported: every bad line, or the
// error that stopped the import.
func importFailed(stderr io.Writer, path, lang string, err error) int {
	var bad *flows.ImportError
	if errors.As(err, &bad) {
		fmt.Fprintln(stderr, locales.T(lang, "training.import_failed", filepath.Base(path)))
		fmt.Fprintln(stderr, bad.Error())
		return 1
	}
	fmt.Fprintf(stderr, "klabot: %v\n", err)
	return 1
}
