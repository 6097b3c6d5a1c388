package words

import (
	"regexp"
	"strings"
)

// anda is the formal "you" of Bahasa Indonesia, as a word.
var anda = regexp.MustCompile(`\bAnda\b`)

// ChildForm speaks to a child: "kamu" where the text says "Anda" (the two
// stand in the same places in a sentence), capitalised where a sentence
// begins. English texts have no "Anda".
func ChildForm(s string) string {
	var b strings.Builder
	last := 0
	for _, at := range anda.FindAllStringIndex(s, -1) {
		b.WriteString(s[last:at[0]])
		before := strings.TrimRight(s[:at[0]], " ")
		if before == "" || strings.ContainsAny(before[len(before)-1:], ".?!:\n") {
			b.WriteString("Kamu")
		} else {
			b.WriteString("kamu")
		}
		last = at[1]
	}
	b.WriteString(s[last:])
	return b.String()
}
