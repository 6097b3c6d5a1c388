// Package csvexport writes tables to CSV files for staff to open in a
// spreadsheet. Files hold personal data: they are private to klabot's user
// (mode 0600, in a 0700 folder) and appear whole or not at all.
package csvexport

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
)

// Separator is ';', what Excel in Indonesian (and most European) settings
// expects; a UTF-8 byte order mark makes Excel read names with accents right.
const Separator = ';'

// Write saves header and rows as dir/name and returns the file's path. It
// writes to a temporary file first and renames it, so a crash never leaves
// a half-written export behind under the real name.
func Write(dir, name string, header []string, rows [][]string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create export folder: %w", err)
	}
	f, err := os.CreateTemp(dir, ".export-*.tmp") // mode 0600
	if err != nil {
		return "", fmt.Errorf("create export file: %w", err)
	}
	defer os.Remove(f.Name()) // after a successful rename this does nothing
	b := bufio.NewWriter(f)
	b.WriteString("\ufeff")
	w := csv.NewWriter(b)
	w.Comma = Separator
	w.Write(header)
	w.WriteAll(rows) // flushes
	err = w.Error()
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
		return "", fmt.Errorf("write export file: %w", err)
	}
	path := filepath.Join(dir, filepath.Base(name))
	if err := os.Rename(f.Name(), path); err != nil {
		return "", fmt.Errorf("save export file: %w", err)
	}
	return path, nil
}
