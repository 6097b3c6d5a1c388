package wilayah

import (
	"slices"
	"strings"

	"klabot/flows/match"
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

// normalize splits s into words the way every match in klabot folds text
// (see match.Normalize), and reads small numbers as the roman numerals the
// names use.
func normalize(s string) []string {
	words := strings.Fields(match.Normalize(s))
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
	return len(w) >= 7 && (match.Distance(w, "kecamatan") <= 2 || match.Distance(w, "kelurahan") <= 2)
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
			if s, ok := scoreName(v, names[p]); ok && (!found || s.less(best)) {
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

// score scores query words q against a name's words n.
func scoreName(q, n []string) (score, bool) {
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
	if d := match.Distance(qj, nj); d <= match.Tolerance(min(runeLen(qj), runeLen(nj))) {
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
	if d, ok := match.Close(q, n); ok {
		return d, false, true
	}
	return 0, false, false
}

func runeLen(s string) int { return len([]rune(s)) }
