package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"klabot/bot/export"
	"klabot/flows/exportdata"
	"klabot/flows/recap"
	"klabot/store"
)

const exportAbout = `Writes a spreadsheet file for staff (columns: see README.md, "Exports"). KIND
is reports, registrations, attendance or broadcasts.
Reports and broadcasts are those made in the period; registrations and
attendance those of the trainings starting in it. Files are mode 0600.`

const recapAbout = `Writes the monthly KLA recap (default: this month) as an XLSX workbook and
a PNG chart beside it (same name, .png), and prints a summary. The month
may also be written 11/2026, "november 2026", november (the latest one),
"bulan ini" or "bulan lalu", as in the chat's /rekap.`

// exportSetup is "klabot export KIND [flags]".
func exportSetup(fs *flag.FlagSet) action {
	from := fs.String("from", "", "the first `date`, WIB, like 2026-11-01 (default: the first of this month)")
	to := fs.String("to", "", "the last `date`, WIB, included, like 2026-11-30 (default: the end of this month)")
	format := fs.String("format", export.CSV, "file `format`: csv or xlsx (default: the --out file's extension, else csv: UTF-8 with BOM, ';')")
	out := fs.String("out", "", "the `file` to write (default: <data dir>/exports/<kind>-<from>-<to>.<format>)")
	return func(ctx context.Context, c *invocation) int {
		kind := c.operand
		if !slices.Contains(exportdata.Kinds, kind) {
			return c.refuse(2, "cli.export_kind_bad", kind)
		}
		*format = strings.ToLower(*format)
		if *format != export.CSV && *format != export.XLSX {
			return c.refuse(2, "cli.format_bad")
		}
		// "--out laporan.xlsx" alone means an XLSX file: a CSV file named .xlsx
		// does not open in Excel.
		if ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(*out), ".")); ext == export.CSV || ext == export.XLSX {
			if !flagSet(fs, "format") {
				*format = ext
			} else if ext != *format {
				return c.refuse(2, "cli.out_format_clash", *out, *format)
			}
		}
		r, err := exportRange(*from, *to, time.Now(), c.cfg.Location)
		if err != nil {
			return c.fail(2, err)
		}
		path := *out
		if path == "" {
			last := r.To.AddDate(0, 0, -1)
			path = filepath.Join(c.cfg.DataDir, "exports", fmt.Sprintf("%s-%s-%s.%s", kind, r.From.Format("20060102"),
				last.Format("20060102"), *format))
		}
		var t exportdata.Table
		err = c.db.View(ctx, func(tx *store.Tx) error {
			var err error
			t, err = exportdata.Build(tx, kind, r, recap.ExportLabels(c.cfg.Lang))
			return err
		})
		if errors.Is(err, store.ErrNoBroadcasts) {
			fmt.Fprintln(c.stdout, c.t("export.cli_no_broadcasts"))
			return 0
		}
		if err == nil {
			err = export.Save(path, *format, t)
		}
		if err == nil {
			err = c.db.Tx(ctx, func(tx *store.Tx) error {
				return tx.Audit(time.Now(), "cli", "export_"+kind, r.From.Format("2006-01-02")+".."+r.To.Format("2006-01-02"),
					fmt.Sprintf("%d rows", len(t.Rows)))
			})
		}
		if err != nil {
			return c.fail(1, err)
		}
		fmt.Fprintln(c.stdout, c.t("export.cli_saved", path, len(t.Rows)))
		return 0
	}
}

// exportRange reads --from and --to (days in loc, both included); either
// left out defaults to this month's.
func exportRange(from, to string, now time.Time, loc *time.Location) (exportdata.Range, error) {
	start, end := exportdata.MonthOf(now, loc)
	if from != "" {
		t, err := time.ParseInLocation("2006-01-02", from, loc)
		if err != nil {
			return exportdata.Range{}, &problem{"cli.from_bad", []any{from}}
		}
		start = t
	}
	if to != "" {
		t, err := time.ParseInLocation("2006-01-02", to, loc)
		if err != nil {
			return exportdata.Range{}, &problem{"cli.to_bad", []any{to}}
		}
		end = t.AddDate(0, 0, 1)
	}
	if !end.After(start) {
		return exportdata.Range{}, &problem{"cli.range_bad", nil}
	}
	return exportdata.Range{From: start, To: end, Loc: loc}, nil
}

// recapSetup is "klabot recap [--month 2026-11] [--out FILE]".
func recapSetup(fs *flag.FlagSet) action {
	month := fs.String("month", "", "the `month`: 2026-11, 11/2026, \"november 2026\", \"bulan lalu\"... (default: this month)")
	out := fs.String("out", "", "the XLSX `file` to write, the chart beside it (default: <data dir>/exports/rekap-kla-<month>.xlsx)")
	return func(ctx context.Context, c *invocation) int {
		now := time.Now()
		from, to := exportdata.MonthOf(now, c.cfg.Location)
		if *month != "" {
			var err error
			if from, to, err = recap.ParseMonth(*month, now, c.cfg.Location); errors.Is(err, recap.ErrMonthFuture) {
				return c.refuse(2, "cli.month_future", *month)
			} else if err != nil {
				return c.refuse(2, "cli.month_bad", *month)
			}
		}
		path := *out
		if path == "" {
			path = filepath.Join(c.cfg.DataDir, "exports", "rekap-kla-"+from.Format("2006-01")+".xlsx")
		}
		chartPath := strings.TrimSuffix(path, filepath.Ext(path)) + ".png"
		var rc exportdata.Recap
		err := c.db.View(ctx, func(tx *store.Tx) error {
			var err error
			rc, err = exportdata.BuildRecap(tx, from, to, now, c.cfg.Location)
			return err
		})
		if err == nil {
			err = export.SaveRecapBook(path, rc, c.cfg.Lang)
		}
		if err == nil {
			err = export.SaveRecapChart(chartPath, rc, c.cfg.Lang)
		}
		if err == nil {
			err = c.db.Tx(ctx, func(tx *store.Tx) error {
				return tx.Audit(now, "cli", "recap_export", from.Format("2006-01"), filepath.Base(path))
			})
		}
		if err != nil {
			return c.fail(1, err)
		}
		fmt.Fprintln(c.stdout, recap.Summary(c.cfg.Lang, rc, recap.MonthName(c.cfg.Lang, from)))
		fmt.Fprintln(c.stdout, c.t("export.cli_recap_saved", path, chartPath))
		return 0
	}
}

// flagSet tells whether a flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}
