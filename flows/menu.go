package flows

import "klabot/flows/words"

// Flow ids. Features that are not built yet are still named here so the
// menu can say plainly that they are coming.
const (
	FlowWelcome   = "welcome"
	FlowMenu      = "menu"
	FlowLanguage  = "language"
	FlowReport    = "report"
	FlowTraining  = "training"
	FlowReminders = "reminders"
	FlowStatus    = "status"
	FlowStaff     = "staff"
)

// Roles a person can say they have. Being a Satgas PA volunteer with rights
// over reports takes an invite from staff; this is only what they told us.
var roles = choices(words.Roles)

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
				for _, role := range roles {
					r.Options = append(r.Options, Option{Key: role.key, Label: c.T(role.label)})
				}
				return r
			},
			Handle: func(c *Ctx, in Input, choice string) Next {
				u := c.User
				u.Role = choice
				c.SetUser(u)
				c.Say(c.T("welcome.done"))
				c.first = takeFirstMessage(c)
				return Menu()
			},
		},
	}}
}

func handleConsent(c *Ctx, in Input, choice string) Next {
	if choice != "yes" {
		// Declined: what they wrote first is not kept either.
		c.Set(dFirst, "")
		c.Say(c.T("welcome.no_consent"))
		if c.state.Step == "consent_again" {
			return Stay()
		}
		return Goto("consent_again")
	}
	u := c.User
	u.ConsentAt = c.Now
	c.SetUser(u)
	return Goto("role")
}

// menuEntry is one line of the main menu.
type menuEntry struct {
	key, label string
	// run acts on the choice; most entries start a flow.
	run func(c *Ctx) Next
}

func startFlow(id string) func(*Ctx) Next { return func(*Ctx) Next { return Switch(id) } }

func menuFlow(e *Engine) *Flow {
	e.menuEntries = []menuEntry{
		{"lapor", "menu.report", startFlow(FlowReport)},
		{"pelatihan", "menu.training", startFlow(FlowTraining)},
		{"pengingat", "menu.reminders", startFlow(FlowReminders)},
		{"status", "menu.status", startFlow(FlowStatus)},
		{"info", "menu.info", func(c *Ctx) Next { c.Say(c.T("info.emergency")); return Stay() }},
		{"bantuan", "menu.help", func(c *Ctx) Next { c.Say(c.T("help.text")); return Stay() }},
		{"bahasa", "menu.language", startFlow(FlowLanguage)},
	}
	return &Flow{ID: FlowMenu, Version: 1, Start: "main", Steps: map[string]*Step{
		"main": {
			Prompt: func(c *Ctx) Reply {
				r := Reply{Text: c.T("menu.title")}
				for _, m := range e.menuEntries {
					r.Options = append(r.Options, Option{Key: m.key, Label: c.T(m.label)})
				}
				if c.Staff {
					r.Options = append(r.Options, Option{Key: "staf", Label: c.T("menu.staff")})
				}
				return r
			},
			FreeText: true, // codes typed here: see Engine.AddMenuText
			// Still only its options otherwise, so "mau lapor anak kerja di
			// sawit" is a wish to report.
			ChoiceOnly: true,
			Handle: func(c *Ctx, in Input, choice string) Next {
				if choice == "" {
					for _, fn := range e.menuText {
						if next, ok := fn(c, in); ok {
							return next
						}
					}
					c.Misunderstood(in)
					return Stay()
				}
				if choice == "staf" && c.Staff {
					return Switch(FlowStaff)
				}
				for _, m := range e.menuEntries {
					if m.key == choice {
						return m.run(c)
					}
				}
				return Stay()
			},
		},
	}}
}

func languageFlow() *Flow {
	return &Flow{ID: FlowLanguage, Version: 1, Start: "choose", Steps: map[string]*Step{
		"choose": {
			Prompt: func(c *Ctx) Reply {
				return Reply{Text: c.T("language.choose"), Options: []Option{
					{Key: "id", Label: "Bahasa Indonesia"},
					{Key: "en", Label: "English"},
				}}
			},
			Handle: func(c *Ctx, in Input, choice string) Next {
				u := c.User
				u.Lang = choice
				c.SetUser(u)
				c.Say(c.T("language.changed"))
				return Menu()
			},
		},
	}}
}

// staffFlow is the staff menu: the entries features registered.
func staffFlow(e *Engine) *Flow {
	return &Flow{ID: FlowStaff, Version: 1, Start: "main", Steps: map[string]*Step{
		"main": {
			Prompt: func(c *Ctx) Reply {
				if len(e.staffEntries) == 0 {
					return Reply{Text: c.T("staff.none")}
				}
				r := Reply{Text: c.T("staff.title")}
				for _, m := range e.staffEntries {
					r.Options = append(r.Options, Option{Key: m.key, Label: c.T(m.label)})
				}
				return r
			},
			Handle: func(c *Ctx, in Input, choice string) Next {
				if !c.Staff {
					return Menu()
				}
				for _, m := range e.staffEntries {
					if m.key == choice {
						return m.run(c)
					}
				}
				return Menu()
			},
		},
	}}
}
