package flows

func addMenu(e *Engine) {
	e.AddMenuEntry("lapor", "menu.report", StartFlow(FlowReport))
	e.AddMenuEntry("pelatihan", "menu.training", StartFlow(FlowTraining))
	e.AddMenuEntry("pengingat", "menu.reminders", StartFlow(FlowReminders))
	e.AddMenuEntry("status", "menu.status", StartFlow(FlowStatus))
	e.AddMenuEntry("info", "menu.info", func(c *Ctx) Next { c.Say(c.T("info.emergency")); return Stay() })
	e.AddMenuEntry("bantuan", "menu.help", func(c *Ctx) Next { c.Say(c.T("help.text")); return Stay() })
	e.AddMenuEntry("bahasa", "menu.language", StartFlow(FlowLanguage))
	for _, f := range []*Flow{menuFlow(), languageFlow(), staffFlow()} {
		e.Register(f)
	}
}

func menuFlow() *Flow {
	return &Flow{ID: FlowMenu, Version: 1, Start: "main", Steps: map[string]*Step{
		"main": {
			Prompt: func(c *Ctx) Reply {
				r := Reply{Text: c.T("menu.title")}
				for _, m := range c.MenuEntries() {
					r.Options = append(r.Options, Option{Key: m.Key, Label: c.T(m.Label)})
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
					if next, ok := c.MenuText(in); ok {
						return next
					}
					c.Misunderstood(in)
					return Stay()
				}
				if choice == "staf" && c.Staff {
					return Switch(FlowStaff)
				}
				for _, m := range c.MenuEntries() {
					if m.Key == choice {
						return m.Run(c)
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
func staffFlow() *Flow {
	return &Flow{ID: FlowStaff, Version: 1, Start: "main", Steps: map[string]*Step{
		"main": {
			Prompt: func(c *Ctx) Reply {
				if len(c.StaffEntries()) == 0 {
					return Reply{Text: c.T("staff.none")}
				}
				r := Reply{Text: c.T("staff.title")}
				for _, m := range c.StaffEntries() {
					r.Options = append(r.Options, Option{Key: m.Key, Label: c.T(m.Label)})
				}
				return r
			},
			Handle: func(c *Ctx, in Input, choice string) Next {
				if !c.Staff {
					return Menu()
				}
				for _, m := range c.StaffEntries() {
					if m.Key == choice {
						return m.Run(c)
					}
				}
				return Menu()
			},
		},
	}}
}
