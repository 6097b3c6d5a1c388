package flows

// childWords tells whether klabot speaks to a child now: the current
// flow says so (ChildWords), or, in a flow without its own rule, the
// person is a child.
func (c *Ctx) childWords() bool {
	if c.state == nil || c.Tx == nil {
		return false
	}
	if f := c.engine.flows[c.state.Flow]; f != nil && f.ChildWords != nil {
		return f.ChildWords(c)
	}
	return c.ChildPerson()
}

// SpeaksToChildren sets the rule that tells a child from an adult; without
// one, everyone is spoken to as an adult.
func (e *Engine) SpeaksToChildren(isChild func(c *Ctx) (bool, error)) { e.isChild = isChild }

// ChildPerson tells whether the person of this turn is a child (see
// SpeaksToChildren), asked once a turn.
func (c *Ctx) ChildPerson() bool {
	if c.engine.isChild == nil || c.Tx == nil {
		return false
	}
	return c.Once("child person", func() bool {
		child, err := c.engine.isChild(c)
		return err == nil && child
	})
}
