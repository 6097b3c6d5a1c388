package wilayah

import (
	"slices"
	"strings"
	"unicode"
)

// Matching is deliberately simple: a few hundred short names, so every
// query is compared with every candidate. Each comparison gets a tier (how
// good the kind of match is) and a cost (how good within the tier); the
// caller gets the whole best tier, so an ambiguous answer stays ambiguous
// and the bot can ask the person to choose.
const (
	tierExact     = iota // same words once normalised ("SANGGAU-LEDO", "sgu ledo")
	tierPrefix           // words are prefixes, left-aligned ("sanggau led", "sungai jaga")
	tierTypo             // same words with small typos ("sangau ledo")
	tierMixed            // prefixes and typos together ("sangau led")
	tierInner            // matches later words of the name ("lemukutan")
	tierInnerTypo        // the same with typos; kept apart so "raya" is not "jaya"
)

type score struct{ tier, cost int }

func (a score) less(b score) bool {
	if a.tier != b.tier {
		return a.tier < b.tier
	}
	return a.cost < b.cost
}

// maxQueryRunes bounds the work done on pasted paragraphs; no name is
// anywhere near this long.
const maxQueryRunes = 80

// leadWords are the words people put before a place name. Only the first
// word of a query is dropped, and only when something follows it.
var leadWords = map[string]bool{
	"kecamatan": true, "kec": true, "kc": true,
	"desa": true, "ds": true,
	"kelurahan": true, "kel": true,
}

// abbrev expands short forms used in West Kalimantan. "sg" is listed both
// ways: the brief's "sg" for Sanggau, but Malay/Sarawak writing (next door)
// uses "Sg." for Sungai, and the names decide which fits.
var abbrev = map[string][]string{
	"sgu":  {"sanggau"},
	"sgau": {"sanggau"},
	"sg":   {"sanggau", "sungai"},
	"sei":  {"sungai"},
	"sui":  {"sungai"},
	"sng":  {"sungai"},
	"bkt":  {"bukit"},
	"tj":   {"tanjung"},
	"tg":   {"tanjung"},
	"tjg":  {"tanjung"},
	"pl":   {"pulau"},
	"p":    {"pulau"},
	"kep":  {"kepulauan"},
}

// romans lets "sungkung 2" find "Sungkung II".
var romans = map[string]string{"1": "i", "2": "ii", "3": "iii", "4": "iv", "5": "v"}

// normalize lower-cases s, drops apostrophes ("Saba'u" = "sabau"), turns
// any other punctuation into a space and splits into words.
func normalize(s string) []string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '\'' || r == '’' || r == '‘' || r == '`' || r == '´':
			// dropped: people type "sabau" as often as "saba'u"
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	words := strings.Fields(b.String())
	for i, w := range words {
		if r, ok := romans[w]; ok {
			words[i] = r
		}
	}
	return words
}

// queryVariants normalises a query, drops a leading "kec."/"desa" word and
// expands abbreviations. Ambiguous abbreviations yield several variants.
func queryVariants(q string) [][]string {
	if r := []rune(q); len(r) > maxQueryRunes {
		q = string(r[:maxQueryRunes])
	}
	words := normalize(q)
	if len(words) > 1 && isLeadWord(words[0]) {
		words = words[1:]
	}
	if len(words) == 0 {
		return nil
	}
	variants := [][]string{nil}
	for _, w := range words {
		alts, ok := abbrev[w]
		if !ok || len(variants)*len(alts) > 8 { // cap blow-up from "sg sg sg ..."
			alts = []string{w}
		}
		var next [][]string
		for _, v := range variants {
			for _, a := range alts {
				next = append(next, append(slices.Clone(v), a))
			}
		}
		variants = next
	}
	return variants
}

func isLeadWord(w string) bool {
	if leadWords[w] {
		return true
	}
	// "kecamtan", "kelurahn": long enough that a typo is still unambiguous.
	return len(w) >= 7 && (osa(w, "kecamatan") <= 2 || osa(w, "kelurahan") <= 2)
}

// rank returns the positions (into names) of the best matches for query, in
// order of quality then file order. only, when non-nil, limits the search to
// those positions.
func rank(query string, names [][]string, only []int) []int {
	variants := queryVariants(query)
	if variants == nil {
		return nil
	}
	if only == nil {
		only = make([]int, len(names))
		for i := range only {
			only[i] = i
		}
	}
	type hit struct {
		pos int
		s   score
	}
	var hits []hit
	for _, p := range only {
		best, found := score{}, false
		for _, v := range variants {
			if s, ok := match(v, names[p]); ok && (!found || s.less(best)) {
				best, found = s, true
			}
		}
		if found {
			hits = append(hits, hit{p, best})
		}
	}
	if len(hits) == 0 {
		return nil
	}
	minTier := hits[0].s.tier
	for _, h := range hits {
		minTier = min(minTier, h.s.tier)
	}
	hits = slices.DeleteFunc(hits, func(h hit) bool { return h.s.tier != minTier })
	slices.SortStableFunc(hits, func(a, b hit) int { return a.s.cost - b.s.cost })
	out := make([]int, len(hits))
	for i, h := range hits {
		out[i] = h.pos
	}
	return out
}

// match scores query words q against a name's words n.
func match(q, n []string) (score, bool) {
	qj, nj := strings.Join(q, ""), strings.Join(n, "")
	// Joining ignores spacing: "sukamaju" and "suka maju" are the same.
	if qj == nj {
		return score{tierExact, 0}, true
	}
	best, found := score{}, false
	consider := func(s score) {
		if !found || s.less(best) {
			best, found = s, true
		}
	}
	// A typo anywhere in the whole string, e.g. a missing space plus a
	// slip ("sanggauledo"), or a word split wrongly.
	if d := osa(qj, nj); d <= typoLimit(min(runeLen(qj), runeLen(nj))) {
		consider(score{tierTypo, d})
	}
	// Word by word, with the query aligned at each word of the name.
	for start := 0; start+len(q) <= len(n); start++ {
		typos, prefixes, ok := 0, 0, true
		for i, w := range q {
			d, pre, good := wordMatch(w, n[start+i])
			if !good {
				ok = false
				break
			}
			typos += d
			if pre {
				prefixes++
			}
		}
		if !ok {
			continue
		}
		unmatched := len(n) - len(q) // name words the query left out
		switch {
		case start > 0 && typos == 0:
			consider(score{tierInner, unmatched})
		case start > 0:
			consider(score{tierInnerTypo, typos + unmatched})
		case typos == 0:
			// Prefer "Sungai Raya" over "Sungai Raya Kepulauan" for "sungai r".
			consider(score{tierPrefix, unmatched})
		case prefixes == 0 && unmatched == 0:
			consider(score{tierTypo, typos})
		default:
			consider(score{tierMixed, typos + unmatched})
		}
	}
	return best, found
}

// wordMatch compares one query word with one name word: an exact match, a
// prefix of at least two letters, or a typo within the allowed distance.
func wordMatch(q, n string) (typos int, prefix, ok bool) {
	if q == n {
		return 0, false, true
	}
	if runeLen(q) >= 2 && strings.HasPrefix(n, q) {
		return 0, true, true
	}
	lim := typoLimit(min(runeLen(q), runeLen(n)))
	if lim == 0 || abs(runeLen(q)-runeLen(n)) > lim {
		return 0, false, false
	}
	if d := osa(q, n); d <= lim {
		return d, false, true
	}
	return 0, false, false
}

// typoLimit is the number of slips allowed in a word of n letters: none in
// one or two letters (too many names would match), one up to six, two from
// seven ("sangau" for "sanggau", "monterdo" for "monterado").
func typoLimit(n int) int {
	switch {
	case n <= 2:
		return 0
	case n < 7:
		return 1
	default:
		return 2
	}
}

// osa is the optimal-string-alignment form of the Damerau-Levenshtein
// distance: insertions, deletions, substitutions and swaps of two
// neighbouring letters ("sangagu") each cost one.
func osa(a, b string) int {
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

func runeLen(s string) int { return len([]rune(s)) }

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
