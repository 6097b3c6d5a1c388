// Package locales holds every sentence klabot says to people, in Bahasa
// Indonesia ("id", complete and first) and English ("en").
//
// Each language is a folder of JSON files, one per area of the bot
// (core.json, report.json...), merged into one catalogue; a key defined
// twice is an error.
package locales

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed id/*.json en/*.json
var files embed.FS

// Default is the language used when a person's language is unknown.
const Default = "id"

// Languages are the supported language codes, default first.
var Languages = []string{"id", "en"}

var catalog = load()

func load() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, lang := range Languages {
		names, err := fs.Glob(files, lang+"/*.json")
		if err != nil || len(names) == 0 {
			panic(fmt.Sprintf("locales: no files for %s: %v", lang, err))
		}
		merged := map[string]string{}
		for _, name := range names {
			raw, err := files.ReadFile(name)
			if err != nil {
				panic(fmt.Sprintf("locales: read %s: %v", name, err))
			}
			m := map[string]string{}
			if err := json.Unmarshal(raw, &m); err != nil {
				panic(fmt.Sprintf("locales: %s is not valid JSON: %v", name, err))
			}
			for k, v := range m {
				if _, dup := merged[k]; dup {
					panic(fmt.Sprintf("locales: key %q defined twice (again in %s)", k, name))
				}
				merged[k] = v
			}
		}
		out[lang] = merged
	}
	return out
}

// WordsPrefix starts the keys that list the everyday words and phrases
// people type for an option, comma separated: "words.report.cat.bpta_sawit"
// is what people call the option labelled "report.cat.bpta_sawit" ("sawit,
// kebun sawit, brondolan..."). The office extends these lists in words.json;
// a language may list words for fewer options than Bahasa Indonesia.
const WordsPrefix = "words."

// Words are the words listed in lang for the option labelled labelKey.
func Words(lang, labelKey string) []string {
	var out []string
	for _, w := range strings.Split(catalog[lang][WordsPrefix+labelKey], ",") {
		if w = strings.TrimSpace(w); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// Supported tells whether lang is one of the languages klabot speaks.
func Supported(lang string) bool { _, ok := catalog[lang]; return ok }

// T returns the text for key in lang, formatted with args (fmt verbs). It
// falls back to Bahasa Indonesia, then to the key itself, so a gap never
// leaves a person without an answer.
func T(lang, key string, args ...any) string {
	s, ok := catalog[lang][key]
	if !ok {
		s, ok = catalog[Default][key]
	}
	if !ok {
		return key
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// Keys lists the keys of a language, sorted.
func Keys(lang string) []string {
	keys := make([]string, 0, len(catalog[lang]))
	for k := range catalog[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
