package store

import (
	"database/sql"
	"fmt"
)

// rowScanner is a single row or the current row of many.
type rowScanner = interface{ Scan(...any) error }

// extraScanner scans a row's usual columns and then some more.
type extraScanner struct {
	row   rowScanner
	extra []any
}

func (s extraScanner) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra...)...) }

// scanAll reads every row with scan and closes rows; what names a row in
// the error ("scan broadcast").
func scanAll[T any](rows *sql.Rows, what string, scan func(rowScanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// ids lists the ids a query selects.
func (tx *Tx) ids(query string, args ...any) ([]int64, error) {
	rows, err := tx.query(query, args...)
	if err != nil {
		return nil, fmt.Errorf("list ids: %w", err)
	}
	return scanAll(rows, "scan id", func(row rowScanner) (int64, error) {
		var id int64
		err := row.Scan(&id)
		return id, err
	})
}
