package report

import (
	"testing"

	"klabot/flows"
	"klabot/flows/words"
	"klabot/locales"
)

// People name options in their own words and word orders, with slips.
func TestOptionsInPeoplesWords(t *testing.T) {
	tr := func(key string, args ...any) string { return locales.T("id", key, args...) }
	work := groupOptions(words.GroupWork, tr)
	first := firstCategoryOptions(tr)
	table := func(rows []words.Choice) []flows.Option {
		var out []flows.Option
		for _, r := range rows {
			out = append(out, flows.Option{Key: r.Key, Label: tr(r.Label)})
		}
		return out
	}
	roleOpts := table(words.Roles)
	menu := table([]words.Choice{{Key: "lapor", Label: "menu.report"}, {Key: "pelatihan", Label: "menu.training"},
		{Key: "pengingat", Label: "menu.reminders"}, {Key: "status", Label: "menu.status"}, {Key: "info", Label: "menu.info"}, {Key: "bantuan", Label: "menu.help"},
		{Key: "bahasa", Label: "menu.language"}})
	tests := []struct {
		opts  []flows.Option
		typed string
		loose bool
		want  string // "" for no choice
	}{
		{work, "sawit", true, "bpta_sawit"},
		{work, "kebun kelapa sawit", true, "bpta_sawit"},
		{work, "sawit kebun", true, "bpta_sawit"},      // other word order
		{work, "brondolan", true, "bpta_sawit"},        // everyday word
		{work, "swait", true, "bpta_sawit"},            // swapped letters
		{work, "motong karet", true, "bpta_sawit"},     // rubber tapping
		{work, "dompeng", true, "bpta_tambang"},        // a local word for a gold dredge
		{work, "tambnag emas", true, "bpta_tambang"},   // typo
		{work, "kayu tebang", true, "bpta_kayu"},       // other word order
		{work, "ngamen", true, "bpta_jalanan"},         // busking
		{work, "pembantu", true, "bpta_prt"},           // a maid
		{work, "kerja", true, ""},                      // fits several
		{first, "kerja anak", true, "group:work"},      // other word order
		{first, "nikah muda", true, "perkawinan_anak"}, // everyday words
		{first, "dipukul", true, "kekerasan"},          // what happened
		{first, "gak sekolah lagi", true, "putus_sekolah"},
		{first, "dia dipukul ayahnya", true, "kekerasan"}, // inside a sentence
		{first, "dia dipukul ayahnya", false, ""},         // not in a free-text step
		{roleOpts, "relawan", true, "satgas"},
		{roleOpts, "forum", true, "forum_anak"},
		{roleOpts, "masyarakat biasa", true, "warga"},
		{menu, "mau lapor", false, "lapor"},
		{menu, "pelatiahn", false, "pelatihan"}, // a swap is one slip
		{menu, "bnatuan", false, "bantuan"},
		{menu, "2", false, "pelatihan"},
		{menu, "-1", false, ""}, // a sign makes it no option's number
		{menu, "+2", false, ""},
	}
	named := map[string]string{
		"anak tetangga kerja di kebun sawit": "bpta_sawit", // a whole sentence
		"pelecehan":                          "eksploitasi_seksual",
		"anak disuruh kerja":                 "group:work",
		"9":                                  "", // not the ninth of a longer list
	}
	for typed, want := range named {
		if got, _ := namedCategory(tr, flows.Input{Kind: flows.KindText, Text: typed}); got != want {
			t.Errorf("first question, %q: got %q, want %q", typed, got, want)
		}
	}
	for _, tt := range tests {
		got, ok := flows.MatchOption(tt.opts, flows.Input{Kind: flows.KindText, Text: tt.typed}, tt.loose)
		if !ok {
			got = ""
		}
		if got != tt.want {
			t.Errorf("%q (loose %v): got %q, want %q", tt.typed, tt.loose, got, tt.want)
		}
	}
}

// Every category and work type has everyday words of its own.
func TestEveryCategoryHasWords(t *testing.T) {
	for _, c := range words.Categories {
		if len(locales.Words("id", c.Label)) == 0 {
			t.Errorf("category %s: no words in locales/id/words.json", c.Key)
		}
	}
	for _, g := range words.CategoryGroups {
		if len(locales.Words("id", g.Label)) == 0 {
			t.Errorf("group %s: no words", g.Key)
		}
	}
}
