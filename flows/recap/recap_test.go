package recap

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"klabot/flows"
	"klabot/flows/exportdata"
	"klabot/flows/menu"
	"klabot/locales"
	"klabot/store"
	"klabot/store/exporttest"
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
// the hand-worked numbers, and the workbook and chart are asked for.
func TestStaffRecapInChat(t *testing.T) {
	ctx := context.Background()
	db, s := exporttest.OpenSeeded(t)
	dataDir := t.TempDir()
	e := flows.NewEngine(flows.Config{Location: exporttest.WIB, DataDir: dataDir}, menu.Add, Add)
	var msgs []flows.Message
	err := db.Tx(ctx, func(tx *store.Tx) error {
		staff, err := tx.User(s.People["Staf"])
		if err != nil {
			return err
		}
		tx.SaveSession(staff.ID, store.SessionState{JSON: []byte(`{"flow":"menu","version":1,"step":"main"}`), Flow: "menu"}, s.Now)
		msgs, err = e.Run(tx, flows.Request{User: staff, Staff: true, Input: flows.Input{Kind: flows.KindText, Text: "/rekap 2026-11"},
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
	// The workbook and the chart are asked for, to be made once the turn
	// is committed (bot/export); the turn itself writes no file.
	book, chart := msgs[1].Reply.Attachment, msgs[2].Reply.Attachment
	if book == nil || chart == nil || book.Kind != "document" || chart.Kind != "photo" {
		t.Fatalf("attachments %+v %+v", book, chart)
	}
	for _, c := range []struct {
		a          *flows.Attachment
		kind, name string
	}{{book, exportdata.FileRecapBook, "rekap-kla-2026-11-20261201-080000.xlsx"}, {chart, exportdata.FileRecapChart, "rekap-kla-2026-11-20261201-080000.png"}} {
		if c.a.Path != "" || c.a.File == nil || c.a.File.Kind != c.kind || c.a.Name != c.name ||
			c.a.File.Args[exportdata.ArgMonth] != "2026-11" || c.a.File.Args[exportdata.ArgActor] == "" {
			t.Errorf("attachment %+v %+v, want a request for %s named %s", c.a, c.a.File, c.kind, c.name)
		}
	}
	if files, _ := os.ReadDir(filepath.Join(dataDir, "exports")); len(files) != 0 {
		t.Errorf("the turn wrote %d files itself", len(files))
	}
}

// The recap's summary sheet is read by people: its columns are words in
// the staff's language, not the codes of the detail sheet.
func TestSummaryColumnsInWords(t *testing.T) {
	month := exporttest.At(time.November, 1, 0, 0)
	for lang, want := range map[string][]string{"id": {"Klaster KLA", "Median hari sampai ditutup", "Sesi terlaksana", "Forum Anak aktif"},
		"en": {"KLA cluster", "Median days to close", "Sessions held", "Forum Anak active"}} {
		sum := exportdata.Recap{}.Tables(ExportLabels(lang), Text(lang, month, month, exporttest.WIB))[0]
		var cells []string
		for _, row := range sum.Rows {
			for _, c := range row {
				cells = append(cells, fmt.Sprint(c))
			}
		}
		all := strings.Join(cells, "|")
		for _, w := range want {
			if !strings.Contains(all, "|"+w+"|") {
				t.Errorf("%s summary lacks the column %q: %s", lang, w, all)
			}
		}
		if strings.Contains(all, "_") {
			t.Errorf("%s summary shows a code: %s", lang, all)
		}
	}
}
