package report

import (
	"testing"
	"unicode/utf8"

	"klabot/flows/words"
	"klabot/locales"
)

// Every label of a report option fits a small screen in every language.
func TestReportOptionLabelsFit(t *testing.T) {
	var keys []string
	for _, c := range words.Categories {
		keys = append(keys, c.Label)
	}
	for _, g := range words.CategoryGroups {
		keys = append(keys, g.Label)
	}
	for _, list := range [][]words.Choice{ageOptions, childrenOptions, editOptions, referralTargets} {
		for _, o := range list {
			keys = append(keys, o.Label)
		}
	}
	for _, a := range statusActions {
		keys = append(keys, a.label)
	}
	keys = append(keys, "report.skip", "report.done", "report.urgent_yes", "report.urgent_no", "report.anon_yes",
		"report.anon_no", "report.send", "report.edit", "report.cancel", "track.add_info", "track.add_media",
		"track.other", "track.see", "triage.accept", "triage.assign", "triage.reassign", "triage.open", "triage.note",
		"triage.evidence", "triage.menu_reports", "triage.menu_new", "triage.menu_open", "triage.menu_urgent",
		"triage.menu_closed", "triage.menu_volunteers", "triage.reopen", "triage.volunteer_remove", "triage.volunteers_back",
		"report.leave_continue", "report.leave_restart", "report.leave_menu", "report.leave_other")
	for _, lang := range locales.Languages {
		for _, key := range keys {
			if s := locales.T(lang, key); utf8.RuneCountInString(s) > 20 || s == key {
				t.Errorf("%s %s = %q: an option label must exist and fit 20 characters", lang, key, s)
			}
		}
	}
}

// No list of words.Categories has more than seven choices.
func TestCategoryListsAreShort(t *testing.T) {
	tr := func(k string, a ...any) string { return locales.T("id", k, a...) }
	if n := len(firstCategoryOptions(tr)); n > 7 {
		t.Errorf("first list has %d options", n)
	}
	for _, g := range words.CategoryGroups {
		if n := len(groupOptions(g.Key, tr)); n > 7 || n == 0 {
			t.Errorf("group %s has %d options", g.Key, n)
		}
	}
}

func TestCategoriesCarryTheirKLAIndicator(t *testing.T) {
	want := map[string]string{
		"pekerja_anak": "V/21", "bpta_tambang": "V/21", "bpta_sawit": "V/21", "bpta_kayu": "V/21",
		"bpta_jalanan": "V/21", "bpta_prt": "V/21", "bpta_lain": "V/21", "eksploitasi_ekonomi": "V/21",
		"perkawinan_anak": "II/7", "putus_sekolah": "IV/17",
	}
	for key, kla := range want {
		c, ok := words.CategoryByKey(key)
		if !ok || c.Cluster+"/"+c.Indicator != kla {
			t.Errorf("%s: %s/%s, want %s", key, c.Cluster, c.Indicator, kla)
		}
	}
	for _, c := range words.Categories {
		if c.Key != "lainnya" && c.Cluster == "" {
			t.Errorf("%s has no KLA cluster", c.Key)
		}
	}
	if got := matchCategories("SAWIT"); len(got) != 1 || got[0] != "bpta_sawit" {
		t.Errorf("matchCategories(sawit) = %v", got)
	}
	if got := matchCategories("anak bekerja"); len(got) != 7 {
		t.Errorf("matchCategories(anak bekerja) = %v, want the whole group", got)
	}
}

func TestDropDraft(t *testing.T) {
	out, ok := DropDraft([]byte(`{"flow":"report","version":1,"step":"evidence","data":{"desc":"x"},"back":["age"],"seq":9}`))
	if !ok || string(out) != `{"flow":"menu","version":1,"step":"main","seq":9,"updated":"0001-01-01T00:00:00Z"}` {
		t.Errorf("DropDraft = %s %v", out, ok)
	}
	if _, ok := DropDraft([]byte(`{"flow":"training","step":"x"}`)); ok {
		t.Error("dropped a conversation that holds no answers")
	}
	out, ok = DropDraft([]byte(`{"flow":"training","version":1,"step":"phone","data":{"name":"Siti"},"seq":4}`))
	if !ok || string(out) != `{"flow":"menu","version":1,"step":"main","seq":4,"updated":"0001-01-01T00:00:00Z"}` {
		t.Errorf("DropDraft(half-done registration) = %s %v", out, ok)
	}
}
