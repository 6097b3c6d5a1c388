package flows

import (
	"strings"

	"klabot/flows/words"
	"klabot/locales"
)

// The categories and their groups live in flows/words, shared with the
// staff operations.
var (
	categories     = words.Categories
	categoryGroups = words.CategoryGroups
	categoryByKey  = words.CategoryByKey
	categoryName   = words.CategoryName
)

// firstCategoryOptions are the groups, then the categories without one.
func firstCategoryOptions(t func(string, ...any) string) []Option {
	var opts []Option
	for _, g := range categoryGroups {
		opts = append(opts, Option{Key: "group:" + g.Key, Label: t(g.Label)})
	}
	for _, c := range categories {
		if c.Group == "" {
			opts = append(opts, Option{Key: c.Key, Label: t(c.Label)})
		}
	}
	return opts
}

// namedCategory is the category, or failing that the group, that a
// person named at the first question in words of their own: what a group
// holds ("tambang", "brondolan"), named straight away, is as good as
// picking it in two steps.
func namedCategory(t func(string, ...any) string, in Input) (string, bool) {
	if OptionNumber(Normalize(in.Text)) > 0 {
		return "", false // a number is of the list on screen
	}
	if key, ok := MatchOption(allCategoryOptions(t), in, true); ok {
		return key, true
	}
	var groups []Option
	for _, g := range categoryGroups {
		groups = append(groups, Option{Key: "group:" + g.Key, Label: t(g.Label)})
	}
	return MatchOption(groups, in, true)
}

// allCategoryOptions are every category, grouped or not.
func allCategoryOptions(t func(string, ...any) string) []Option {
	var opts []Option
	for _, c := range categories {
		opts = append(opts, Option{Key: c.Key, Label: t(c.Label)})
	}
	return opts
}

func groupOptions(group string, t func(string, ...any) string) []Option {
	var opts []Option
	for _, c := range categories {
		if c.Group == group {
			opts = append(opts, Option{Key: c.Key, Label: t(c.Label)})
		}
	}
	return opts
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
			if matches(locales.T(lang, g.Label)) {
				for _, c := range categories {
					if c.Group == g.Key {
						out = append(out, c.Key)
					}
				}
				return out
			}
		}
	}
	for _, c := range categories {
		found := matches(strings.ReplaceAll(c.Key, "_", " "))
		for _, lang := range locales.Languages {
			found = found || matches(locales.T(lang, c.Label))
		}
		if found {
			out = append(out, c.Key)
		}
	}
	return out
}
