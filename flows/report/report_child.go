package report

import (
	"klabot/flows"
	"klabot/flows/ops"
)

// A child who reports (a Forum Anak member, or someone who gave an age
// under 18 when registering for a training) is offered anonymity before
// anything else, is encouraged to tell an adult they trust, and is asked
// for nothing about themselves: no name, no phone number. Children's data
// is specific personal data (UU 27/2022): collect the minimum. Staff see
// "pelapor anak" on the card.

// isChildReporter tells whether the person said they are a child.
func isChildReporter(c *flows.Ctx) (bool, error) { return ops.IsChild(c.Tx, c.User) }

// askChildFirst: the report has just begun and its reporter is a child
// who has not yet said whether to stay anonymous.
func askChildFirst(c *flows.Ctx) bool {
	if c.Get(dChild) != "" || c.Get(dCategory) != "" {
		return false
	}
	child, err := isChildReporter(c)
	if err != nil {
		c.Fail(err)
		return false
	}
	return child
}

func childAnonPrompt(c *flows.Ctx) flows.Reply {
	return flows.Reply{Text: c.T("report.child_anon_question"), Options: []flows.Option{
		{Key: "anon", Label: c.T("report.anon_yes")},
		{Key: "named", Label: c.T("report.child_named")},
	}}
}

func childAnonChoice(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	switch choice {
	case "anon":
		c.Set(dAnon, "1")
	case "named":
		c.Set(dAnon, "0")
	default:
		// A child who starts with what happened must not lose it.
		if isMoreStory(in) {
			addToStory(c, in.Text)
			c.Say(c.T("report.story_kept_child"))
			return flows.Stay()
		}
		c.Misunderstood(in)
		return flows.Stay()
	}
	c.Set(dChild, "1")
	return flows.Stay() // now the first question of the report
}

// anonymityStep is where a report goes after its evidence: a child has
// answered already.
func anonymityStep(c *flows.Ctx) string {
	if c.Get(dChild) != "" {
		return "confirm"
	}
	return "anonymous"
}

// speaksToChild tells whether klabot is talking with a child about their
// report: the child's questions begin with "kamu", so all of the report
// keeps to it rather than switching to "Anda" after the first.
func speaksToChild(c *flows.Ctx) bool {
	switch {
	case c.Get(dChild) != "":
		return true
	case c.Get(dCategory) != "":
		return false // an adult's report is under way
	}
	return c.ChildPerson()
}
