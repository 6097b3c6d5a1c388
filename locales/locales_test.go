package locales

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every language has every key, with the same placeholders.
func TestLanguagesComplete(t *testing.T) {
	verbs := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)
	for _, lang := range Languages {
		for _, key := range Keys(Default) {
			s, ok := catalog[lang][key]
			if !ok && strings.HasPrefix(key, WordsPrefix) {
				continue // fewer words in another language is fine
			}
			if !ok {
				t.Errorf("%s: key %q missing", lang, key)
				continue
			}
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s: key %q is empty", lang, key)
			}
			want := verbs.FindAllString(catalog[Default][key], -1)
			got := verbs.FindAllString(s, -1)
			if strings.Join(want, " ") != strings.Join(got, " ") {
				t.Errorf("%s: key %q has placeholders %v, %s has %v", lang, key, got, Default, want)
			}
		}
		for _, key := range Keys(lang) {
			if _, ok := catalog[Default][key]; !ok {
				t.Errorf("%s: key %q is not in %s", lang, key, Default)
			}
		}
	}
}

// Every key is used by the code, and every key the code names exists.
func TestKeysUsedAndDefined(t *testing.T) {
	source := goSources(t)
	for _, key := range Keys(Default) {
		if label, ok := strings.CutPrefix(key, WordsPrefix); ok {
			key = label // the words of a label are used with it
		}
		if !strings.Contains(source, `"`+key+`"`) {
			t.Errorf("key %q is not used by any code; remove it or use it", key)
		}
	}
	namespaces := map[string]bool{}
	for _, key := range Keys(Default) {
		namespaces[strings.SplitN(key, ".", 2)[0]] = true
	}
	literal := regexp.MustCompile(`"([a-z_]+)\.([a-z0-9_.]+)"`)
	for _, m := range literal.FindAllStringSubmatch(source, -1) {
		if namespaces[m[1]] && !hasKey(m[1]+"."+m[2]) {
			t.Errorf("code names key %q, which no locale defines", m[1]+"."+m[2])
		}
	}
	// Whatever the namespace, a literal handed to T must exist.
	call := regexp.MustCompile(`\bT\((?:[^()"]*,\s*)?"([^"]+)"`)
	for _, m := range call.FindAllStringSubmatch(source, -1) {
		if !hasKey(m[1]) {
			t.Errorf("code translates key %q, which no locale defines", m[1])
		}
	}
}

// Every list of words belongs to an option label that exists, in every
// language that lists it.
func TestWordsOfLabels(t *testing.T) {
	for _, lang := range Languages {
		for _, key := range Keys(lang) {
			label, ok := strings.CutPrefix(key, WordsPrefix)
			if !ok {
				continue
			}
			if _, found := catalog[lang][label]; !found {
				t.Errorf("%s: %s lists words for %q, which is not a key", lang, key, label)
			}
			if len(Words(lang, label)) == 0 {
				t.Errorf("%s: %s lists no words", lang, key)
			}
		}
	}
}

// Button labels fit a small screen.
func TestOptionLabelsShort(t *testing.T) {
	for _, lang := range Languages {
		for key, s := range catalog[lang] {
			if strings.HasPrefix(key, WordsPrefix) {
				continue
			}
			if strings.HasPrefix(key, "menu.") && key != "menu.title" && key != "menu.not_ready" ||
				strings.HasPrefix(key, "role.") || strings.HasSuffix(key, ".agree") || strings.HasSuffix(key, ".disagree") {
				if n := len([]rune(s)); n > 20 {
					t.Errorf("%s: label %q (%s) is %d characters; keep option labels to 20", lang, key, s, n)
				}
			}
		}
	}
}

func hasKey(key string) bool { _, ok := catalog[Default][key]; return ok }

// goSources reads every non-test Go file of the module.
func goSources(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		// Web page templates name keys too.
		if !d.IsDir() && (strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, ".html")) {
			raw, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			b.Write(raw)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
