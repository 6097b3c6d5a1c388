package flows

import (
	"strings"
	"sync"

	"klabot/flows/match"
	"klabot/flows/words"
	"klabot/locales"
)

// TableReply asks the question textKey with one option per row of table
// (key, label key), the labels in the person's language.
func TableReply(c *Ctx, textKey string, table []words.Choice) Reply {
	r := Reply{Text: c.T(textKey)}
	for _, o := range table {
		r.Options = append(r.Options, Option{Key: o.Key, Label: c.T(o.Label)})
	}
	return r
}

// signed tells a number typed with a sign ("-1", "+2"): no option has it,
// though folding the text would drop the sign.
func signed(typed string) bool {
	t := strings.TrimSpace(typed)
	return len(t) > 1 && (t[0] == '-' || t[0] == '+') && t[1] >= '0' && t[1] <= '9'
}

// MatchOption finds the option a typed answer means: its number ("2",
// "dua"), its label or the everyday words listed for it in locales
// (words.json), in any order and with small typos. loose also takes an
// answer that contains an option's words inside a longer sentence ("anak
// tetangga kerja di kebun sawit"); steps that take free text do not, so a
// story is never read as a choice. An answer that fits two options equally
// well picks neither.
func MatchOption(opts []Option, in Input, loose bool) (string, bool) {
	if in.Kind != KindText {
		return "", false
	}
	text := Normalize(in.Text)
	if text == "" {
		return "", false
	}
	if key := yesNoKey(text); key != "" && hasOption(opts, key) {
		return key, true
	}
	text = match.Expand(text)
	if key := yesNoKey(text); key != "" && hasOption(opts, key) {
		return key, true
	}
	if n := OptionNumber(text); n > 0 {
		if n <= len(opts) && !signed(in.Text) {
			return opts[n-1].Key, true
		}
		return "", false
	}
	typed := strings.Fields(text)
	if len(typed) > maxAnswerWords {
		typed = typed[:maxAnswerWords]
	}
	best, bestScore, ambiguous := "", noMatch, false
	for _, o := range opts {
		s := noMatch
		for _, phrase := range phrasesOf(o.Label) {
			s = min(s, phraseScore(typed, phrase, loose))
		}
		switch {
		case s == noMatch:
		case s < bestScore:
			best, bestScore, ambiguous = o.Key, s, false
		case s == bestScore && o.Key != best:
			ambiguous = true
		}
	}
	if best == "" || ambiguous {
		return "", false
	}
	return best, true
}

// maxAnswerWords bounds the work on a pasted paragraph.
const maxAnswerWords = 40

const noMatch = 1 << 30

// fillerWords carry no choice: "mau lapor", "yang sawit", "pilih kebun".
var fillerWords = map[string]bool{
	"di": true, "ke": true, "dari": true, "yang": true, "yg": true, "dan": true, "atau": true, "itu": true,
	"ini": true, "saya": true, "aku": true, "mau": true, "ingin": true, "pengen": true, "pilih": true,
	"aja": true, "saja": true, "dong": true, "deh": true, "ya": true, "nya": true, "untuk": true, "utk": true,
	"the": true, "a": true, "an": true, "to": true, "of": true, "i": true, "want": true, "please": true,
}

// phraseScore tells how well typed words fit one phrase naming an option
// (lower is better; noMatch if they do not): the whole answer with a slip
// or two, then every typed word in the phrase in any order, then, when
// loose, the phrase found inside a longer answer.
func phraseScore(typed, phrase []string, loose bool) int {
	tj, pj := strings.Join(typed, ""), strings.Join(phrase, "")
	if tj == pj {
		return 0
	}
	if d := match.Distance(tj, pj); d <= match.Tolerance(min(len([]rune(tj)), len([]rune(pj)))) {
		return 1 + d
	}
	var kept []string
	for _, w := range typed {
		if !fillerWords[w] {
			kept = append(kept, w)
		}
	}
	if len(kept) == 0 {
		kept = typed
	}
	// Every word typed is one of the phrase's words (or starts it).
	if cost, ok := wordsWithin(kept, phrase, true); ok {
		return 10 + cost + (len(phrase) - len(kept))
	}
	// Every word of the phrase is among those typed, exactly: inside a
	// sentence a slip would too often make another word ("bahasa" is not
	// "bahaya"). A longer phrase found says more ("kebun sawit" over
	// "kerja").
	if loose && len(kept) > len(phrase) {
		if _, ok := wordsWithin(phrase, kept, false); ok {
			return 40 - min(len(phrase), 9)
		}
	}
	return noMatch
}

// wordsWithin matches each word of some with a different word of all, in
// any order, and sums the slips. With fuzzy, small slips are forgiven and
// a word of some of four letters or more may stand for a longer word of
// all ("lapor" for "laporkan"); without, words must be the same.
func wordsWithin(some, all []string, fuzzy bool) (int, bool) {
	if len(some) > len(all) {
		return 0, false
	}
	used := make([]bool, len(all))
	total := 0
	for _, w := range some {
		bestJ, bestD := -1, noMatch
		for j, a := range all {
			if used[j] {
				continue
			}
			d, ok := 0, w == a
			if fuzzy && !ok {
				d, ok = match.Close(w, a)
			}
			if fuzzy && !ok && len([]rune(w)) >= 4 && strings.HasPrefix(a, w) {
				d, ok = 1, true
			}
			if ok && d < bestD {
				bestJ, bestD = j, d
			}
		}
		if bestJ < 0 {
			return 0, false
		}
		used[bestJ] = true
		total += bestD
	}
	return total, true
}

// phrasesOf are the ways of naming the option labelled label: the label
// and the words listed for it in every language, each split into words.
func phrasesOf(label string) [][]string {
	norm := Normalize(label)
	out := [][]string{strings.Fields(match.Expand(norm))}
	for _, w := range optionWords()[norm] {
		out = append(out, strings.Fields(match.Expand(w)))
	}
	return out
}

// optionWords maps each label (normalised, in every language) to the
// words listed for it, normalised. Built once: locales are embedded.
var optionWords = sync.OnceValue(func() map[string][]string {
	m := map[string][]string{}
	for _, lang := range locales.Languages {
		for _, key := range locales.Keys(lang) {
			labelKey, ok := strings.CutPrefix(key, locales.WordsPrefix)
			if !ok {
				continue
			}
			for _, labelLang := range locales.Languages {
				label := Normalize(locales.T(labelLang, labelKey))
				for _, w := range locales.Words(lang, labelKey) {
					m[label] = append(m[label], Normalize(w))
				}
			}
		}
	}
	return m
})

// isOptionLabel tells whether a typed answer is exactly one option's label.
func isOptionLabel(opts []Option, in Input) bool {
	text := Normalize(in.Text)
	for _, o := range opts {
		if Normalize(o.Label) == text {
			return true
		}
	}
	return false
}

// ShortLabel fits a name into an option label (20 characters), cutting
// at a word when it can.
func ShortLabel(s string) string { return ShortLabelWith(s, "") }

// ShortLabelWith is ShortLabel keeping room for suffix at the end.
func ShortLabelWith(s, suffix string) string {
	limit := 20 - len([]rune(suffix))
	r := []rune(strings.TrimSpace(s))
	if len(r) <= limit {
		return string(r) + suffix
	}
	cut := limit - 1
	for i := cut; i > limit/2; i-- {
		if r[i] == ' ' {
			cut = i
			break
		}
	}
	return strings.TrimRight(string(r[:cut]), " ,.:-") + "…" + suffix
}
