package flows

import (
	"klabot/flows/words"
	"klabot/locales"
)

// The welcome comes before anything else: the data notice to agree to,
// then the person's role. Nothing is collected before consent.

func welcomeFlow() *Flow {
	return &Flow{ID: FlowWelcome, Version: 1, Start: "consent", Steps: map[string]*Step{
		"consent": {
			Prompt: func(c *Ctx) Reply {
				hours := c.T("office.open_now")
				if !c.OfficeOpen() {
					hours = c.T("office.closed_now")
				}
				return Reply{
					Text: c.T("welcome.intro") + "\n\n" + hours + "\n\n" + c.T("welcome.consent"),
					Options: []Option{
						{Key: "yes", Label: c.T("welcome.agree")},
						{Key: "no", Label: c.T("welcome.disagree")},
					},
				}
			},
			// Not the whole welcome again for an answer that is no choice.
			Again: func(c *Ctx) string {
				return c.T("welcome.choose", c.T("welcome.agree"), c.T("welcome.disagree"))
			},
			Handle: handleConsent,
		},
		// Asked again after a "no": the short question, not the whole intro.
		"consent_again": {
			Prompt: func(c *Ctx) Reply {
				return Reply{Text: c.T("welcome.consent_short"), Options: []Option{
					{Key: "yes", Label: c.T("welcome.agree")},
					{Key: "no", Label: c.T("welcome.disagree")},
				}}
			},
			Handle: handleConsent,
		},
		"role": {
			Prompt: func(c *Ctx) Reply {
				r := Reply{Text: c.T("welcome.role")}
				for _, role := range words.Roles {
					r.Options = append(r.Options, Option{Key: role.Key, Label: c.T(role.Label)})
				}
				return r
			},
			Handle: func(c *Ctx, in Input, choice string) Next {
				u := c.User
				u.Role = choice
				c.SetUser(u)
				c.Say(c.T("welcome.done"))
				c.ActOnFirstMessage()
				return Menu()
			},
		},
	}}
}

func handleConsent(c *Ctx, in Input, choice string) Next {
	if choice != "yes" {
		// Declined: what they wrote first is not kept either.
		c.DropFirstMessage()
		c.Say(c.T("welcome.no_consent"))
		if c.StepID() == "consent_again" {
			return Stay()
		}
		return Goto("consent_again")
	}
	u := c.User
	u.ConsentAt = c.Now
	c.SetUser(u)
	return Goto("role")
}

// RoleChoice is a role people say they have, for choosing an audience.
type RoleChoice struct{ Key, Label string }

// Roles lists the words.Roles people can say they have.
func Roles(lang string) []RoleChoice {
	out := make([]RoleChoice, len(words.Roles))
	for i, r := range words.Roles {
		out[i] = RoleChoice{r.Key, locales.T(lang, r.Label)}
	}
	return out
}
