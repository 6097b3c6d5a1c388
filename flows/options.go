package flows

// tableReply asks the question textKey with one option per row of table
// (key, label key), the labels in the person's language.
func tableReply(c *Ctx, textKey string, table []struct{ key, label string }) Reply {
	r := Reply{Text: c.T(textKey)}
	for _, o := range table {
		r.Options = append(r.Options, Option{Key: o.key, Label: c.T(o.label)})
	}
	return r
}
