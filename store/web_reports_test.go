package store_test

import (
	"slices"
	"strings"
	"testing"

	"klabot/store"
)

// The dashboard's search finds stories by the words typed, each as the
// start of a word, in any case and with or without accents; what it
// finds follows the stories as they change, and typed punctuation is
// never read as query syntax.
func TestSearchStoriesByWords(t *testing.T) {
	f := newFixture(t)
	for _, d := range []string{
		"Dua anak memanen sawit di kebun dekat sungai",
		"Anak-anak dipukul dan tidak sekolah lagi",
		"Sawitnya dipanen oleh anak umur 12 tahun",
		"Café di pasar mempekerjakan anak",
	} {
		r := store.Report{Category: "lainnya", KecCode: "61.07.06", Description: d, ReporterID: f.reporter}
		f.tx(t, func(tx *store.Tx) error { return tx.CreateReport(&r, f.random, f.now) })
	}
	search := func(words string) []string {
		t.Helper()
		var found []string
		f.tx(t, func(tx *store.Tx) error {
			list, _, err := tx.QueryReports(store.ReportQuery{Words: words, Limit: 50})
			for _, r := range list {
				found = append(found, r.Description)
			}
			return err
		})
		slices.Sort(found)
		return found
	}
	for words, want := range map[string][]string{
		"sawit":          {"Dua anak memanen sawit di kebun dekat sungai", "Sawitnya dipanen oleh anak umur 12 tahun"},
		"SAWIT kebun":    {"Dua anak memanen sawit di kebun dekat sungai"},
		"anak 12":        {"Sawitnya dipanen oleh anak umur 12 tahun"},
		"sekolah lagi":   {"Anak-anak dipukul dan tidak sekolah lagi"},
		"cafe":           {"Café di pasar mempekerjakan anak"},
		`sawit" -anak*`:  {"Dua anak memanen sawit di kebun dekat sungai", "Sawitnya dipanen oleh anak umur 12 tahun"},
		"sawit OR tidak": nil, // every word must be there: "or" is one
		"tambang":        nil,
		"!!!":            nil,
		"awit":           nil, // the start of a word, not its middle
	} {
		if got := search(words); !slices.Equal(got, want) {
			t.Errorf("search %q = %q, want %q", words, got, want)
		}
	}
	// Part of a code finds its report.
	f.tx(t, func(tx *store.Tx) error {
		all, _, err := tx.QueryReports(store.ReportQuery{Limit: 50})
		if err != nil || len(all) == 0 {
			return err
		}
		code := all[0].Code // LPR-XXXX-YYYY
		for _, part := range []string{code[4:8], strings.ToLower(code[9:]), code[6:11]} {
			found, _, err := tx.QueryReports(store.ReportQuery{Words: part, Limit: 50})
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(found, func(r store.Report) bool { return r.Code == code }) {
				t.Errorf("part %q of %s does not find it", part, code)
			}
		}
		return nil
	})
	// A story purged with its report's personal details, after the
	// retention time, is no longer found by its old words.
	var cafe store.Report
	f.tx(t, func(tx *store.Tx) error {
		list, _, err := tx.QueryReports(store.ReportQuery{Words: "cafe", Limit: 1})
		if err != nil || len(list) != 1 {
			return err
		}
		cafe, err = tx.ChangeReportStatus(list[0].ID, store.StatusRejected, 0, "staff", "bukan kasus anak", f.now)
		return err
	})
	if _, err := f.db.ApplyRetention(f.ctx, f.now.AddDate(3, 0, 0), 365); err != nil {
		t.Fatal(err)
	}
	if got := search("cafe"); got != nil {
		t.Errorf("the purged story of %s is still found: %q", cafe.Code, got)
	}
	if got := search("sawit"); len(got) != 2 {
		t.Errorf("the other stories are lost from the search: %q", got)
	}
}
