package all_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"klabot/locales"
)

// Every option klabot offers with a fixed label has everyday words of its
// own in locales/id/words.json, so that the office sees each one and can
// extend it. Option labels are found in the source of every feature: the
// label of an Option, or the label of a choice in a table.
func TestEveryOptionHasWords(t *testing.T) {
	var files []string
	for _, dir := range []string{"..", "../menu", "../place", "../report", "../training", "../broadcast", "../reminders", "../privacy", "../recap"} {
		more, err := filepath.Glob(dir + "/*.go")
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, more...)
	}
	labels := []*regexp.Regexp{
		regexp.MustCompile(`Label:\s*(?:c\.T|t|flows\.StaffT|StaffT)\("([a-z_]+\.[a-z_.0-9]+)"`),
		regexp.MustCompile(`Label:\s*"((?:report|role|menu|training|broadcast|reminders|triage|privacy|link|export)\.[a-z_.0-9]+)"`),
		regexp.MustCompile(`\{(?:"[a-z_:0-9]+"|[a-zA-Z.]+),\s*"((?:report|role|menu|training|broadcast|reminders|triage|privacy|link|export)\.[a-z_.0-9]+)"\}`),
	}
	found := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range labels {
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				key := m[1]
				if locales.T("id", key) == key || strings.Contains(locales.T("id", key), "%") ||
					strings.HasPrefix(key, "triage.role.") {
					continue // not a label, one with a number in it, or words of a history line
				}
				found++
				if len(locales.Words("id", key)) == 0 {
					t.Errorf("%s: option %q (%s) has no words in locales/id/words.json", f, key, locales.T("id", key))
				}
			}
		}
	}
	if found < 100 {
		t.Errorf("found only %d option labels; has the source changed shape?", found)
	}
}
