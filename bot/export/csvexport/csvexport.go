// Package csvexport writes tables to CSV files for staff to open in a
// spreadsheet. Files hold personal data: they are private to klabot's user
// (mode 0600, in a 0700 folder) and appear whole or not at all.
//
// Cells are made safe for spreadsheets: text that a spreadsheet would run
// as a formula (starting with =, +, -, @, a tab or a carriage return) is
// written with a leading apostrophe, so a report's story or a person's name
// can never become a formula on a staff member's computer.
package csvexport

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Separator is ';', what Excel in Indonesian (and most European) settings
// expects; a UTF-8 byte order mark makes Excel read names with accents right.
const Separator = ';'

// BOM is the UTF-8 byte order mark every CSV file starts with.
const BOM = "\ufeff"

// Neutralize makes a text cell safe from formula injection: a cell that
// starts with a character a spreadsheet treats as the start of a formula
// gets a leading apostrophe, which spreadsheets show as plain text.
func Neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n':
		return "'" + s
	}
	return s
}

// Encode writes header and rows as CSV (byte order mark, ';'), every cell
// neutralized.
func Encode(w io.Writer, header []string, rows [][]string) error {
	if _, err := io.WriteString(w, BOM); err != nil {
		return err
	}
	c := csv.NewWriter(w)
	c.Comma = Separator
	safe := func(cells []string) []string {
		out := make([]string, len(cells))
		for i, s := range cells {
			out[i] = Neutralize(s)
		}
		return out
	}
	c.Write(safe(header))
	for _, r := range rows {
		c.Write(safe(r))
	}
	c.Flush()
	return c.Error()
}

// Write saves header and rows as dir/name and returns the file's path. It
// writes to a temporary file first and renames it, so a crash never leaves
// a half-written export behind under the real name.
func Write(dir, name string, header []string, rows [][]string) (string, error) {
	path := filepath.Join(dir, filepath.Base(name))
	err := SaveFile(path, func(w io.Writer) error { return Encode(w, header, rows) })
	if err != nil {
		return "", err
	}
	return path, nil
}

// SaveFile writes a file through write, privately (0600, its folder 0700
// if it has to be made) and atomically: to a temporary file in the same
// folder, synced, then renamed to path.
func SaveFile(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create export folder: %w", err)
	}
	f, err := os.CreateTemp(dir, ".export-*.tmp") // mode 0600
	if err != nil {
		return fmt.Errorf("create export file: %w", err)
	}
	defer os.Remove(f.Name()) // after a successful rename this does nothing
	b := bufio.NewWriter(f)
	err = write(b)
	if err == nil {
		err = b.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return fmt.Errorf("write export file: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("save export file: %w", err)
	}
	return nil
}
