package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"klabot/flows"
	"klabot/locales"
	"klabot/store"
	"klabot/store/csvexport"
	"klabot/store/export"
)

const exportUsage = `Usage:
  klabot export reports|registrations|attendance|broadcasts [flags]

Writes a spreadsheet file for staff (columns: see README.md, "Exports").
  --from 2026-11-01   first day, WIB (default: the first of this month)
  --to 2026-11-30     last day, WIB, included (default: the end of this month)
  --format csv|xlsx   default: the --out file's extension, else csv (UTF-8 with BOM, ';')
  --out FILE          default <data dir>/exports/<kind>-<from>-<to>.<format>
Reports and broadcasts are those made in the period; registrations and
attendance those of the trainings starting in it. Files are mode 0600.
`

const recapUsage = `Usage:
  klabot recap [--month 2026-11] [--out FILE.xlsx]

Writes the monthly KLA recap (default: this month) as an XLSX workbook and
a PNG chart beside it (same name, .png), and prints a summary. The month
may also be written 11/2026, "november 2026", november (the latest one),
"bulan ini" or "bulan lalu", as in the chat's /rekap.
`

// exportCommand runs "klabot export KIND [flags]".
func exportCommand(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 || !slices.Contains(export.Kinds, args[0]) {
		fmt.Fprint(stderr, exportUsage)
		return 2
	}
	kind := args[0]
	fs := newFlagSet(stderr)
	from := fs.String("from", "", "first day, YYYY-MM-DD (WIB)")
	to := fs.String("to", "", "last day, YYYY-MM-DD (WIB), included")
	format := fs.String("format", export.CSV, "csv or xlsx")
	out := fs.String("out", "", "output file")
	cfg, err := loadConfig(fs, args[1:], getenv)
	if code := configExit(err, stderr, exportUsage); code >= 0 {
		return code
	}
	if code := extraArgs(fs, stderr, exportUsage); code >= 0 {
		return code
	}
	if cfg.DataDir, err = prepareDataDir(cfg.DataDir); err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 2
	}
	*format = strings.ToLower(*format)
	if *format != export.CSV && *format != export.XLSX {
		fmt.Fprintln(stderr, "klabot: --format must be csv or xlsx")
		return 2
	}
	// "--out laporan.xlsx" alone means an XLSX file: a CSV file named .xlsx
	// does not open in Excel.
	if ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(*out), ".")); ext == export.CSV || ext == export.XLSX {
		if !flagSet(fs, "format") {
			*format = ext
		} else if ext != *format {
			fmt.Fprintf(stderr, "klabot: --out %s does not match --format %s\n", *out, *format)
			return 2
		}
	}
	r, err := exportRange(*from, *to, time.Now(), cfg.Location)
	if err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 2
	}
	path := *out
	if path == "" {
		last := r.To.AddDate(0, 0, -1)
		path = filepath.Join(cfg.DataDir, "exports", fmt.Sprintf("%s-%s-%s.%s", kind, r.From.Format("20060102"),
			last.Format("20060102"), *format))
	}
	db, err := store.Open(ctx, filepath.Join(cfg.DataDir, "klabot.db"))
	if err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 1
	}
	defer db.Close()
	var t export.Table
	err = db.View(ctx, func(tx *store.Tx) error {
		var err error
		t, err = export.Build(tx, kind, r, flows.ExportLabels(cfg.Lang))
		return err
	})
	if errors.Is(err, store.ErrNoBroadcasts) {
		fmt.Fprintln(stdout, locales.T(cfg.Lang, "export.cli_no_broadcasts"))
		return 0
	}
	if err == nil {
		err = export.Save(path, *format, t)
	}
	if err == nil {
		err = db.Tx(ctx, func(tx *store.Tx) error {
			return tx.Audit(time.Now(), "cli", "export_"+kind, r.From.Format("2006-01-02")+".."+r.To.Format("2006-01-02"),
				fmt.Sprintf("%d rows", len(t.Rows)))
		})
	}
	if err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, locales.T(cfg.Lang, "export.cli_saved", path, len(t.Rows)))
	return 0
}

// exportRange reads --from and --to (days in loc, both included); either
// left out defaults to this month's.
func exportRange(from, to string, now time.Time, loc *time.Location) (export.Range, error) {
	start, end := export.MonthOf(now, loc)
	if from != "" {
		t, err := time.ParseInLocation("2006-01-02", from, loc)
		if err != nil {
			return export.Range{}, fmt.Errorf("--from %q: use a date like 2026-11-01", from)
		}
		start = t
	}
	if to != "" {
		t, err := time.ParseInLocation("2006-01-02", to, loc)
		if err != nil {
			return export.Range{}, fmt.Errorf("--to %q: use a date like 2026-11-30", to)
		}
		end = t.AddDate(0, 0, 1)
	}
	if !end.After(start) {
		return export.Range{}, fmt.Errorf("--to must not be before --from")
	}
	return export.Range{From: start, To: end, Loc: loc}, nil
}

// recapCommand runs "klabot recap [--month 2026-11] [--out FILE]".
func recapCommand(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := newFlagSet(stderr)
	month := fs.String("month", "", "month, e.g. 2026-11, 11/2026, \"november 2026\", \"bulan lalu\" (default: this month)")
	out := fs.String("out", "", "output XLSX file")
	cfg, err := loadConfig(fs, args, getenv)
	if code := configExit(err, stderr, recapUsage); code >= 0 {
		return code
	}
	if code := extraArgs(fs, stderr, recapUsage); code >= 0 {
		return code
	}
	if cfg.DataDir, err = prepareDataDir(cfg.DataDir); err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 2
	}
	now := time.Now()
	from, to := export.MonthOf(now, cfg.Location)
	if *month != "" {
		if from, to, err = flows.ParseMonth(*month, now, cfg.Location); errors.Is(err, flows.ErrMonthFuture) {
			fmt.Fprintf(stderr, "klabot: --month %q has not begun yet: it has no recap\n", *month)
			return 2
		} else if err != nil {
			fmt.Fprintf(stderr, "klabot: --month %q: use a month like 2026-11, 11/2026, \"november 2026\" or \"bulan lalu\"\n", *month)
			return 2
		}
	}
	path := *out
	if path == "" {
		path = filepath.Join(cfg.DataDir, "exports", "rekap-kla-"+from.Format("2006-01")+".xlsx")
	}
	chartPath := strings.TrimSuffix(path, filepath.Ext(path)) + ".png"
	db, err := store.Open(ctx, filepath.Join(cfg.DataDir, "klabot.db"))
	if err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 1
	}
	defer db.Close()
	var rc export.Recap
	err = db.View(ctx, func(tx *store.Tx) error {
		var err error
		rc, err = export.BuildRecap(tx, from, to, now, cfg.Location)
		return err
	})
	labels := flows.ExportLabels(cfg.Lang)
	if err == nil {
		err = export.Save(path, export.XLSX, rc.Tables(labels, flows.RecapText(cfg.Lang, from, now, cfg.Location))...)
	}
	if err == nil {
		var png bytes.Buffer
		if err = rc.Chart(&png, labels, flows.ChartText(cfg.Lang, from)); err == nil {
			err = csvexport.SaveFile(chartPath, func(w io.Writer) error { _, err := w.Write(png.Bytes()); return err })
		}
	}
	if err == nil {
		err = db.Tx(ctx, func(tx *store.Tx) error {
			return tx.Audit(now, "cli", "recap_export", from.Format("2006-01"), filepath.Base(path))
		})
	}
	if err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, flows.RecapSummary(cfg.Lang, rc, flows.MonthName(cfg.Lang, from)))
	fmt.Fprintln(stdout, locales.T(cfg.Lang, "export.cli_recap_saved", path, chartPath))
	return 0
}

// extraArgs refuses words left after the flags ("klabot recap 2026-11"
// instead of --month 2026-11): ignoring them would do something else than
// asked. -1 means go on.
func extraArgs(fs *flag.FlagSet, stderr io.Writer, usage string) int {
	if fs.NArg() == 0 {
		return -1
	}
	fmt.Fprintf(stderr, "klabot: unexpected %q\n%s", strings.Join(fs.Args(), " "), usage)
	return 2
}

// flagSet tells whether a flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

// configExit turns a settings error into an exit code; -1 means go on.
func configExit(err error, stderr io.Writer, usage string) int {
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stderr, usage)
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 2
	}
	return -1
}
