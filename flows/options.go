package flows

import "klabot/flows/words"

// tableReply asks the question textKey with one option per row of table
// (key, label key), the labels in the person's language.
func tableReply(c *Ctx, textKey string, table []struct{ key, label string }) Reply {
	r := Reply{Text: c.T(textKey)}
	for _, o := range table {
		r.Options = append(r.Options, Option{Key: o.key, Label: c.T(o.label)})
	}
	return r
}

// choices turns a shared table of choices into a table for tableReply.
func choices(table []words.Choice) []struct{ key, label string } {
	out := make([]struct{ key, label string }, len(table))
	for i, c := range table {
		out[i].key, out[i].label = c.Key, c.Label
	}
	return out
}
