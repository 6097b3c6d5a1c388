package report

import (
	"strings"

	"klabot/flows"
	"klabot/flows/words"
	"klabot/locales"
)

// firstCategoryOptions are the groups, then the words.Categories without one.
func firstCategoryOptions(t func(string, ...any) string) []flows.Option {
	var opts []flows.Option
	for _, g := range words.CategoryGroups {
		opts = append(opts, flows.Option{Key: "group:" + g.Key, Label: t(g.Label)})
	}
	for _, c := range words.Categories {
		if c.Group == "" {
			opts = append(opts, flows.Option{Key: c.Key, Label: t(c.Label)})
		}
	}
	return opts
}

// namedCategory is the category, or failing that the group, that a
// person named at the first question in words of their own: what a group
// holds ("tambang", "brondolan"), named straight away, is as good as
// picking it in two steps.
func namedCategory(t func(string, ...any) string, in flows.Input) (string, bool) {
	if flows.OptionNumber(flows.Normalize(in.Text)) > 0 {
		return "", false // a number is of the list on screen
	}
	if key, ok := flows.MatchOption(allCategoryOptions(t), in, true); ok {
		return key, true
	}
	var groups []flows.Option
	for _, g := range words.CategoryGroups {
		groups = append(groups, flows.Option{Key: "group:" + g.Key, Label: t(g.Label)})
	}
	return flows.MatchOption(groups, in, true)
}

// allCategoryOptions are every category, grouped or not.
func allCategoryOptions(t func(string, ...any) string) []flows.Option {
	var opts []flows.Option
	for _, c := range words.Categories {
		opts = append(opts, flows.Option{Key: c.Key, Label: t(c.Label)})
	}
	return opts
}

func groupOptions(group string, t func(string, ...any) string) []flows.Option {
	var opts []flows.Option
	for _, c := range words.Categories {
		if c.Group == group {
			opts = append(opts, flows.Option{Key: c.Key, Label: t(c.Label)})
		}
	}
	return opts
}

// matchCategories finds the words.Categories a typed filter means ("sawit",
// "kekerasan", "anak bekerja"), in any language.
func matchCategories(text string) []string {
	q := flows.Normalize(text)
	if q == "" {
		return nil
	}
	matches := func(words string) bool {
		w := flows.Normalize(words)
		return w == q || len(q) >= 4 && strings.Contains(w, q)
	}
	var out []string
	for _, g := range words.CategoryGroups {
		for _, lang := range locales.Languages {
			if matches(locales.T(lang, g.Label)) {
				for _, c := range words.Categories {
					if c.Group == g.Key {
						out = append(out, c.Key)
					}
				}
				return out
			}
		}
	}
	for _, c := range words.Categories {
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
