package export_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"klabot/flows/exportdata"
	"klabot/flows/ops"
	"klabot/store"
	. "klabot/store/exporttest"
)

// The reports export counts the questions put to each reporter and those
// answered, and carries the questions and answers of the case history,
// with the reporter never named: an anonymous reporter's name and number
// appear nowhere in the row.
func TestReportsExportQuestions(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := At(time.November, 24, 10, 0)
	var code string
	err = db.Tx(context.Background(), func(tx *store.Tx) error {
		reporter, _, err := tx.UserByContact(store.Contact{Channel: "whatsapp", Address: "6281234567890"}, "id", now)
		if err != nil {
			return err
		}
		reporter.Name, reporter.ConsentAt = "Siti Rahayu", now
		if err := tx.SaveUser(reporter); err != nil {
			return err
		}
		staff, _, err := tx.UserByContact(store.Contact{Channel: "telegram", Address: "9001"}, "id", now)
		if err != nil {
			return err
		}
		r := store.Report{Category: "pekerja_anak", KecCode: "61.07.06", Anonymous: true, ReporterID: reporter.ID}
		if err := tx.CreateReport(&r, rand.Reader, now); err != nil {
			return err
		}
		code = r.Code
		a := ops.Actor{UserID: staff.ID, Staff: true}
		for i, q := range []string{"Di kebun mana?", "Berapa umur mereka?"} {
			if res, err := ops.Ask(tx, a, r.Code, q, now.Add(time.Duration(i)*time.Minute)); err != nil || res.Outcome != ops.Done {
				return fmt.Errorf("ask: %+v %v", res, err)
			}
		}
		_, err = ops.Answer(tx, reporter.ID, r.Code, ops.AnswerInput{Kind: "photo", Text: "blok 7",
			Media: &store.Media{Channel: "whatsapp", Ref: "m1", Mime: "image/jpeg"}}, now.Add(time.Hour))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	table := build(t, db, exportdata.KindReports)
	col := func(name string) int { return slices.Index(exportdata.ReportHeader, name) }
	if len(table.Rows) != 1 {
		t.Fatalf("rows: %v", table.Rows)
	}
	row := table.Rows[0]
	if row[0] != code || row[col("pertanyaan_diajukan")] != 2 || row[col("pertanyaan_dijawab")] != 1 {
		t.Errorf("counts: asked %v, answered %v", row[col("pertanyaan_diajukan")], row[col("pertanyaan_dijawab")])
	}
	want := "2026-11-24 10:00 pertanyaan petugas: Di kebun mana?\n2026-11-24 11:00 jawaban pelapor: [photo] blok 7\n" +
		"2026-11-24 10:01 pertanyaan petugas: Berapa umur mereka?"
	if got := row[col("tanya_jawab")]; got != want {
		t.Errorf("questions and answers:\n%v\nwant\n%s", got, want)
	}
	all := fmt.Sprint(row...)
	for _, secret := range []string{"Siti", "6281234567890", "whatsapp:"} {
		if strings.Contains(all, secret) {
			t.Errorf("the export names the anonymous reporter (%q): %v", secret, row)
		}
	}
}
