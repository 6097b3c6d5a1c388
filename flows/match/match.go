// Package match holds the one rule by which klabot compares what a person
// typed with the words it knows: menu options, answers to questions and
// place names all fold text the same way and forgive the same slips.
package match

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Normalize folds text for matching: lower case, accents removed,
// apostrophes dropped ("Saba'u" is "sabau", as people type it either way),
// other punctuation turned into spaces and spaces collapsed.
func Normalize(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, s)
	if err != nil {
		folded = s
	}
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(folded) {
		switch {
		case r == '\'' || r == '’' || r == '‘' || r == '`' || r == '´':
			// dropped, not a word break
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

// Distance is the optimal-string-alignment form of the Damerau-Levenshtein
// distance: inserting, dropping or changing a letter, or swapping two
// neighbouring letters ("sangagu", "pelatiahn"), each costs one. Swaps are
// the commonest slip on a phone keyboard, so they count as one slip.
func Distance(a, b string) int {
	x, y := []rune(a), []rune(b)
	// Three rolling rows: the swap rule looks two rows back.
	prev2 := make([]int, len(y)+1)
	prev := make([]int, len(y)+1)
	cur := make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = i
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(y)]
}

// Tolerance is how many slips are forgiven in a word of n letters: none up
// to three letters (too many short words would match each other: "ya",
// "iya", "dua"), one up to six, two from seven ("sangau" for "sanggau",
// "monterdo" for "monterado", "pelatiahn" for "pelatihan").
func Tolerance(n int) int {
	switch {
	case n <= 3:
		return 0
	case n <= 6:
		return 1
	default:
		return 2
	}
}

// Close tells whether typed is the word want with no more slips than
// Tolerance allows for the shorter of the two, and how many it has.
func Close(typed, want string) (int, bool) {
	if typed == want {
		return 0, true
	}
	lt, lw := len([]rune(typed)), len([]rune(want))
	lim := Tolerance(min(lt, lw))
	if lim == 0 || abs(lt-lw) > lim {
		return 0, false
	}
	d := Distance(typed, want)
	return d, d <= lim
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// shortForms are the chat spellings of everyday words that answers use
// ("tdk tau", "ya skrg", "blm"); Expand writes them out so that the words
// listed for an option need not repeat every spelling.
var shortForms = map[string]string{
	"tdk": "tidak", "tak": "tidak", "gak": "tidak", "ga": "tidak", "gk": "tidak", "g": "tidak",
	"nggak": "tidak", "ngga": "tidak", "ngak": "tidak", "enggak": "tidak", "engga": "tidak", "nda": "tidak", "ndak": "tidak",
	"skrg": "sekarang", "skrng": "sekarang", "skr": "sekarang", "skg": "sekarang", "skarang": "sekarang",
	"y": "ya", "iya": "ya", "iyaa": "ya", "iy": "ya", "yoi": "ya", "yup": "ya", "yap": "ya",
	"blm": "belum", "blom": "belum", "udh": "sudah", "udah": "sudah", "sdh": "sudah", "dah": "sudah",
	"bkn": "bukan", "tau": "tahu", "tw": "tahu", "thu": "tahu", "dll": "lain lain", "dsb": "lain lain",
}

// Expand writes out the short forms in normalised text, word by word.
func Expand(norm string) string {
	words := strings.Fields(norm)
	changed := false
	for i, w := range words {
		if long, ok := shortForms[w]; ok {
			words[i], changed = long, true
		}
	}
	if !changed {
		return norm
	}
	return strings.Join(words, " ")
}
