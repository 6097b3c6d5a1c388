package flows

import (
	"strings"

	"klabot/locales"
)

// category is what a report is about, with the KLA cluster and indicator
// it counts towards in the regency's recaps.
type category struct {
	key   string
	label string // locale key; also the option label, so at most 20 characters
	group string // "" for the first list, else the group it sits under
	// KLA cluster (roman numeral) and indicator number; "" when none fits.
	cluster, indicator string
}

// Category groups: the first list shows these and the ungrouped categories,
// so no list has more than seven choices.
const (
	groupWork    = "work"    // child labour and its worst forms
	groupExploit = "exploit" // exploitation and trafficking
)

var categoryGroups = []struct{ key, label, question string }{
	{groupWork, "report.group.work", "report.group.work_question"},
	{groupExploit, "report.group.exploit", "report.group.exploit_question"},
}

// categories: child labour and its worst forms count towards Klaster V
// indicator 21, child marriage towards Klaster II indicator 7, dropping out
// towards Klaster IV (indicator 17, twelve years of school); violence,
// neglect and trafficking towards Klaster V indicator 20; sexual
// exploitation and pornography towards Klaster V indicator 22.
var categories = []category{
	{"bpta_tambang", "report.cat.bpta_tambang", groupWork, "V", "21"},
	{"bpta_sawit", "report.cat.bpta_sawit", groupWork, "V", "21"},
	{"bpta_kayu", "report.cat.bpta_kayu", groupWork, "V", "21"},
	{"bpta_jalanan", "report.cat.bpta_jalanan", groupWork, "V", "21"},
	{"bpta_prt", "report.cat.bpta_prt", groupWork, "V", "21"},
	{"bpta_lain", "report.cat.bpta_lain", groupWork, "V", "21"},
	{"pekerja_anak", "report.cat.pekerja_anak", groupWork, "V", "21"},
	{"eksploitasi_ekonomi", "report.cat.eksploitasi_ekonomi", groupExploit, "V", "21"},
	{"eksploitasi_seksual", "report.cat.eksploitasi_seksual", groupExploit, "V", "22"},
	{"perdagangan", "report.cat.perdagangan", groupExploit, "V", "20"},
	{"kekerasan", "report.cat.kekerasan", "", "V", "20"},
	{"penelantaran", "report.cat.penelantaran", "", "V", "20"},
	{"perkawinan_anak", "report.cat.perkawinan_anak", "", "II", "7"},
	{"putus_sekolah", "report.cat.putus_sekolah", "", "IV", "17"},
	{"lainnya", "report.cat.lainnya", "", "", ""},
}

func categoryByKey(key string) (category, bool) {
	for _, c := range categories {
		if c.key == key {
			return c, true
		}
	}
	return category{}, false
}

// firstCategoryOptions are the groups, then the categories without one.
func firstCategoryOptions(t func(string, ...any) string) []Option {
	var opts []Option
	for _, g := range categoryGroups {
		opts = append(opts, Option{Key: "group:" + g.key, Label: t(g.label)})
	}
	for _, c := range categories {
		if c.group == "" {
			opts = append(opts, Option{Key: c.key, Label: t(c.label)})
		}
	}
	return opts
}

func groupOptions(group string, t func(string, ...any) string) []Option {
	var opts []Option
	for _, c := range categories {
		if c.group == group {
			opts = append(opts, Option{Key: c.key, Label: t(c.label)})
		}
	}
	return opts
}

// categoryName is how a category reads in a summary: "Anak bekerja:
// Tambang" for a grouped one.
func categoryName(lang, key string) string {
	c, ok := categoryByKey(key)
	if !ok {
		return key
	}
	for _, g := range categoryGroups {
		if g.key == c.group {
			return locales.T(lang, g.label) + ": " + locales.T(lang, c.label)
		}
	}
	return locales.T(lang, c.label)
}

// matchCategories finds the categories a typed filter means ("sawit",
// "kekerasan", "anak bekerja"), in any language.
func matchCategories(text string) []string {
	q := Normalize(text)
	if q == "" {
		return nil
	}
	matches := func(words string) bool {
		w := Normalize(words)
		return w == q || len(q) >= 4 && strings.Contains(w, q)
	}
	var out []string
	for _, g := range categoryGroups {
		for _, lang := range locales.Languages {
			if matches(locales.T(lang, g.label)) {
				for _, c := range categories {
					if c.group == g.key {
						out = append(out, c.key)
					}
				}
				return out
			}
		}
	}
	for _, c := range categories {
		found := matches(strings.ReplaceAll(c.key, "_", " "))
		for _, lang := range locales.Languages {
			found = found || matches(locales.T(lang, c.label))
		}
		if found {
			out = append(out, c.key)
		}
	}
	return out
}
