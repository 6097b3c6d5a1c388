// Package locales holds every sentence klabot says to people, in Bahasa
// Indonesia ("id", complete and first) and English ("en").
package locales

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
)

//go:embed *.json
var files embed.FS

// Default is the language used when a person's language is unknown.
const Default = "id"

// Languages are the supported language codes, default first.
var Languages = []string{"id", "en"}

var catalog = load()

func load() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, lang := range Languages {
		raw, err := files.ReadFile(lang + ".json")
		if err != nil {
			panic(fmt.Sprintf("locales: %s.json missing: %v", lang, err))
		}
		m := map[string]string{}
		if err := json.Unmarshal(raw, &m); err != nil {
			panic(fmt.Sprintf("locales: %s.json is not valid JSON: %v", lang, err))
		}
		out[lang] = m
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
