package export_test

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"klabot/flows/exportdata"
	"klabot/store"
	. "klabot/store/exporttest"
)

// Staff must know a reporter is a child: the reports export says so, in
// the words the labels give yes and no.
func TestReportsExportChildReporter(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := At(time.November, 24, 10, 0)
	err = db.Tx(context.Background(), func(tx *store.Tx) error {
		u, _, err := tx.UserByContact(store.Contact{Channel: "telegram", Address: "77"}, "id", now)
		if err != nil {
			return err
		}
		for _, child := range []bool{true, false} {
			r := store.Report{Category: "kekerasan", KecCode: "61.07.06", ReporterID: u.ID, Anonymous: true, ChildReporter: child}
			if err := tx.CreateReport(&r, rand.Reader, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var table exportdata.Table
	err = db.View(context.Background(), func(tx *store.Tx) error {
		words := map[string]string{"yes": "ya", "no": "tidak"}
		table, err = exportdata.Build(tx, exportdata.KindReports, november, exportdata.Labels{Word: func(c string) string { return words[c] }})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(exportdata.ReportHeader, "pelapor_anak")
	if col < 0 || len(table.Rows) != 2 {
		t.Fatalf("no pelapor_anak column (%d) or rows %d", col, len(table.Rows))
	}
	var got []any
	for _, row := range table.Rows {
		got = append(got, row[col])
	}
	if !slices.Contains(got, any("ya")) || !slices.Contains(got, any("tidak")) {
		t.Errorf("pelapor_anak: %v, want ya and tidak", got)
	}
}
