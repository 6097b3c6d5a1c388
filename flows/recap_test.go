package flows

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"klabot/locales"
	"klabot/store"
	"klabot/store/export/exporttest"
)

// Option labels of the recap and privacy flows fit a small screen.
func TestRecapAndPrivacyLabelsFit(t *testing.T) {
	for _, lang := range locales.Languages {
		for _, key := range []string{"export.staff_entry", "export.opt_this_month", "export.opt_last_month",
			"privacy.opt_erase", "privacy.opt_menu", "privacy.opt_yes", "privacy.opt_no"} {
			if s := locales.T(lang, key); utf8.RuneCountInString(s) > 20 || s == key {
				t.Errorf("%s %s = %q: an option label must exist and fit 20 characters", lang, key, s)
			}
		}
	}
}

// A staff member's "/rekap 2026-11" on the seeded month: the summary has
// the hand-worked numbers, and the workbook and chart are real files.
func TestStaffRecapInChat(t *testing.T) {
	ctx := context.Background()
	db, s := exporttest.OpenSeeded(t)
	dataDir := t.TempDir()
	e := NewEngine(Config{Location: exporttest.WIB, DataDir: dataDir})
	var msgs []Message
	err := db.Tx(ctx, func(tx *store.Tx) error {
		staff, err := tx.User(s.People["Staf"])
		if err != nil {
			return err
		}
		tx.SaveSession(staff.ID, []byte(`{"flow":"menu","version":1,"step":"main"}`), s.Now)
		msgs, err = e.Run(tx, Request{User: staff, Staff: true, Input: Input{Kind: KindText, Text: "/rekap 2026-11"},
			Now: s.Now, Channel: "console"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want the summary, the workbook and the chart", len(msgs))
	}
	summary := msgs[0].Reply.Text
	for _, want := range []string{"Laporan masuk: 4 (diverifikasi 2, dirujuk 2, ditutup 3, selesai 2)", "(median): 7 hari",
		"3 sesi, 5 pendaftar, 4 hadir", "Satgas PA aktif: 2 dari 3", "Forum Anak aktif: 2"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	book, chart := msgs[1].Reply.Attachment, msgs[2].Reply.Attachment
	if book == nil || chart == nil || book.Kind != "document" || chart.Kind != "photo" {
		t.Fatalf("attachments %+v %+v", book, chart)
	}
	for _, a := range []*Attachment{book, chart} {
		if info, err := os.Stat(a.Path); err != nil || info.Mode().Perm() != 0o600 || filepath.Dir(a.Path) != filepath.Join(dataDir, "exports") {
			t.Errorf("%s: %v (%v)", a.Path, err, info)
		}
	}
	f, err := excelize.OpenFile(book.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "Rekap,Rincian,Keterangan" {
		t.Errorf("sheets %s", got)
	}
	raw, _ := os.Open(chart.Path)
	defer raw.Close()
	if _, err := png.Decode(raw); err != nil {
		t.Errorf("chart: %v", err)
	}
}
