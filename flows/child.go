package flows

import (
	"regexp"
	"strings"
)

// childWords tells whether klabot speaks to a child now: the current
// flow says so (ChildWords).
func (c *Ctx) childWords() bool {
	if c.state == nil || c.Tx == nil {
		return false
	}
	f := c.engine.flows[c.state.Flow]
	return f != nil && f.ChildWords != nil && f.ChildWords(c)
}

// anda is the formal "you" of Bahasa Indonesia, as a word.
var anda = regexp.MustCompile(`\bAnda\b`)

// childForm speaks to a child: "kamu" where the text says "Anda" (the two
// stand in the same places in a sentence), capitalised where a sentence
// begins. English texts have no "Anda".
func childForm(s string) string {
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
