package menu

import (
	"klabot/flows"
	"klabot/flows/ops"
)

// Add plugs in the main menu, the language choice, the staff menu and
// linking two chats of one person.
func Add(e *flows.Engine) {
	e.AddMenuEntry("lapor", "menu.report", flows.StartFlow(flows.FlowReport))
	e.AddMenuEntry("pelatihan", "menu.training", flows.StartFlow(flows.FlowTraining))
	e.AddMenuEntry("pengingat", "menu.reminders", flows.StartFlow(flows.FlowReminders))
	e.AddMenuEntry("status", "menu.status", flows.StartFlow(flows.FlowStatus))
	e.AddMenuEntry("info", "menu.info", func(c *flows.Ctx) flows.Next { c.Say(c.T("info.emergency")); return flows.Stay() })
	e.AddMenuEntry("bantuan", "menu.help", func(c *flows.Ctx) flows.Next { c.Say(c.T("help.text")); return flows.Stay() })
	e.AddMenuEntry("bahasa", "menu.language", flows.StartFlow(flows.FlowLanguage))
	for _, f := range []*flows.Flow{menuFlow(), languageFlow(), staffFlow()} {
		e.Register(f)
	}
	addLink(e)
	// Children are spoken to as "kamu" wherever they are.
	e.SpeaksToChildren(func(c *flows.Ctx) (bool, error) { return ops.IsChild(c.Tx, c.User) })
}

func menuFlow() *flows.Flow {
	return &flows.Flow{ID: flows.FlowMenu, Version: 1, Start: "main", Steps: map[string]*flows.Step{
		"main": {
			Prompt: func(c *flows.Ctx) flows.Reply {
				r := flows.Reply{Text: c.T("menu.title")}
				for _, m := range c.MenuEntries() {
					r.Options = append(r.Options, flows.Option{Key: m.Key, Label: c.T(m.Label)})
				}
				if c.Staff {
					r.Options = append(r.Options, flows.Option{Key: "staf", Label: c.T("menu.staff")})
				}
				return r
			},
			FreeText: true, // codes typed here: see Engine.AddMenuText
			// Still only its options otherwise, so "mau lapor anak kerja di
			// sawit" is a wish to report.
			ChoiceOnly: true,
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				if choice == "" {
					if next, ok := c.MenuText(in); ok {
						return next
					}
					c.Misunderstood(in)
					return flows.Stay()
				}
				if choice == "staf" && c.Staff {
					return flows.Switch(flows.FlowStaff)
				}
				for _, m := range c.MenuEntries() {
					if m.Key == choice {
						return m.Run(c)
					}
				}
				return flows.Stay()
			},
		},
	}}
}

func languageFlow() *flows.Flow {
	return &flows.Flow{ID: flows.FlowLanguage, Version: 1, Start: "choose", Steps: map[string]*flows.Step{
		"choose": {
			Prompt: func(c *flows.Ctx) flows.Reply {
				return flows.Reply{Text: c.T("language.choose"), Options: []flows.Option{
					{Key: "id", Label: "Bahasa Indonesia"},
					{Key: "en", Label: "English"},
				}}
			},
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				u := c.User
				u.Lang = choice
				c.SetUser(u)
				c.Say(c.T("language.changed"))
				return flows.Menu()
			},
		},
	}}
}

// staffFlow is the staff menu: the entries features registered.
func staffFlow() *flows.Flow {
	return &flows.Flow{ID: flows.FlowStaff, Version: 1, Start: "main", Steps: map[string]*flows.Step{
		"main": {
			Prompt: func(c *flows.Ctx) flows.Reply {
				if len(c.StaffEntries()) == 0 {
					return flows.Reply{Text: c.T("staff.none")}
				}
				r := flows.Reply{Text: c.T("staff.title")}
				for _, m := range c.StaffEntries() {
					r.Options = append(r.Options, flows.Option{Key: m.Key, Label: c.T(m.Label)})
				}
				return r
			},
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				if !c.Staff {
					return flows.Menu()
				}
				for _, m := range c.StaffEntries() {
					if m.Key == choice {
						return m.Run(c)
					}
				}
				return flows.Menu()
			},
		},
	}}
}
