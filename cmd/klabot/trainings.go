package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"klabot/flows/training"
	"klabot/store"
)

const trainingsAbout = `Imports training sessions from a CSV file (columns: see README.md,
"Trainings CSV"). Every bad row is reported by its line number, and then
nothing is imported.`

// trainingsSetup is "klabot trainings import FILE.csv".
func trainingsSetup(*flag.FlagSet) action {
	return func(ctx context.Context, c *invocation) int {
		path := c.operand
		f, err := os.Open(path)
		if err != nil {
			return c.fail(1, err)
		}
		defer f.Close()

		now := time.Now()
		rows, err := training.ParseCSV(f, c.cfg.Location, now, c.cfg.Lang)
		if err != nil {
			return importFailed(c, path, err)
		}
		var saved []store.Training
		// One transaction: a problem in any row leaves the database as it was.
		err = c.db.Tx(ctx, func(tx *store.Tx) error {
			var err error
			saved, err = training.Import(tx, rows, rand.Reader, now, c.cfg.Lang)
			return err
		})
		if err != nil {
			return importFailed(c, path, err)
		}
		fmt.Fprintln(c.stdout, c.t("training.import_done", len(saved)))
		for _, t := range saved {
			fmt.Fprintln(c.stdout, training.Line(t, c.cfg.Location, c.cfg.Lang))
		}
		return 0
	}
}

// importFailed prints why nothing was imported: every bad line, or the
// error that stopped the import.
func importFailed(c *invocation, path string, err error) int {
	var bad *training.ImportError
	if errors.As(err, &bad) {
		fmt.Fprintln(c.stderr, c.t("training.import_failed", filepath.Base(path)))
		fmt.Fprintln(c.stderr, bad.Error())
		return 1
	}
	return c.fail(1, err)
}
