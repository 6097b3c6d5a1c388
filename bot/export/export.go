// Package export makes the files staff open: CSV (UTF-8 with a byte order
// mark, ';') and XLSX from exportdata's tables, and the monthly KLA
// recap's chart as a PNG. Its Maker makes the files the chat asks for,
// after the asking turn is committed, and queues the messages that carry
// them.
//
// Two rules hold in every file: a reporter who chose to stay anonymous
// stays anonymous (the identity comes only from store.Tx.ReporterIdentity,
// which gives nothing for an anonymous report), and text never becomes a
// formula (csvexport.Neutralize on every text cell, in CSV and XLSX alike).
// Column names are fixed, not translated, so that spreadsheets and scripts
// built on an export keep working.
package export

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"klabot/bot/export/csvexport"
	"klabot/flows/exportdata"
)

// Table is one sheet of an export (see exportdata.Table).
type Table = exportdata.Table

// Formats of export files.
const (
	CSV  = "csv"
	XLSX = "xlsx"
)

// ErrFormat: a format other than csv or xlsx.
var ErrFormat = errors.New("format must be csv or xlsx")

// cellText is a cell as CSV text.
func cellText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return fmt.Sprint(v)
	}
}

// WriteCSV writes one table as CSV.
func WriteCSV(w io.Writer, t Table) error {
	rows := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = make([]string, len(r))
		for j, v := range r {
			rows[i][j] = cellText(v)
		}
	}
	return csvexport.Encode(w, t.Header, rows)
}

// WriteXLSX writes the tables as the sheets of one workbook, each with a
// bold, frozen header row and a filter.
func WriteXLSX(w io.Writer, tables ...Table) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	first := f.GetSheetName(0)
	for i, t := range tables {
		name := sheetName(t.Sheet, i)
		if i == 0 {
			err = f.SetSheetName(first, name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err != nil {
			return fmt.Errorf("xlsx sheet %q: %w", name, err)
		}
		if err := writeSheet(f, name, t, bold); err != nil {
			return fmt.Errorf("xlsx sheet %q: %w", name, err)
		}
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

// writeSheet fills a sheet through excelize's cell API, not its stream
// writer: a streamed sheet loses the filter added after it is flushed, and
// exports are small enough to hold in memory.
func writeSheet(f *excelize.File, name string, t Table, bold int) error {
	cols := len(t.Header)
	for _, r := range t.Rows {
		cols = max(cols, len(r))
	}
	// Column widths from the longest cell, within reason.
	for c := 0; c < cols; c++ {
		width := 8
		if c < len(t.Header) {
			width = max(width, len([]rune(t.Header[c]))+2)
		}
		for _, r := range t.Rows {
			if c < len(r) {
				width = max(width, min(len([]rune(cellText(r[c])))+2, 60))
			}
		}
		col, err := excelize.ColumnNumberToName(c + 1)
		if err != nil {
			return err
		}
		if err := f.SetColWidth(name, col, col, float64(width)); err != nil {
			return err
		}
	}
	setRow := func(row int, cells []any, style bool) error {
		first, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(name, first, &cells); err != nil {
			return err
		}
		if !style || len(cells) == 0 {
			return nil
		}
		last, err := excelize.CoordinatesToCellName(len(cells), row)
		if err != nil {
			return err
		}
		return f.SetCellStyle(name, first, last, bold)
	}
	offset := 0
	if len(t.Header) > 0 {
		offset = 1
		header := make([]any, len(t.Header))
		for i, h := range t.Header {
			header[i] = csvexport.Neutralize(h)
		}
		if err := setRow(1, header, true); err != nil {
			return err
		}
	}
	bolds := map[int]bool{}
	for _, i := range t.Bold {
		bolds[i] = true
	}
	for i, r := range t.Rows {
		cells := make([]any, len(r))
		for j, v := range r {
			cells[j] = xlsxValue(v)
		}
		if err := setRow(i+1+offset, cells, bolds[i]); err != nil {
			return err
		}
	}
	if len(t.Header) == 0 {
		return nil
	}
	// The header stays in view while scrolling, and carries filter
	// buttons over every column, rows or none.
	if err := f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	last, err := excelize.CoordinatesToCellName(len(t.Header), len(t.Rows)+1)
	if err != nil {
		return err
	}
	return f.AutoFilter(name, "A1:"+last, nil)
}

// xlsxValue is a cell for excelize: numbers stay numbers, text is
// neutralized (and always stored as text, never as a formula).
func xlsxValue(v any) any {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		return csvexport.Neutralize(v)
	case int, int64, float64:
		return v
	default:
		return csvexport.Neutralize(fmt.Sprint(v))
	}
}

// sheetName makes a valid, non-empty sheet name: at most 31 characters,
// none of : \ / ? * [ ].
func sheetName(name string, i int) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 31 {
		name = string(r[:31])
	}
	if strings.TrimSpace(name) == "" {
		name = "Sheet" + strconv.Itoa(i+1)
	}
	return name
}

// Write writes the tables in a format: CSV takes the first table only.
func Write(w io.Writer, format string, tables ...Table) error {
	switch format {
	case CSV:
		if len(tables) == 0 {
			return WriteCSV(w, Table{})
		}
		return WriteCSV(w, tables[0])
	case XLSX:
		return WriteXLSX(w, tables...)
	}
	return ErrFormat
}

// Save writes the tables to path in a format, privately (0600) and
// atomically.
func Save(path, format string, tables ...Table) error {
	if format != CSV && format != XLSX {
		return ErrFormat
	}
	return csvexport.SaveFile(path, func(w io.Writer) error { return Write(w, format, tables...) })
}
