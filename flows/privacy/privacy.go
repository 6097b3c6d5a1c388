package privacy

import (
	"strings"

	"klabot/flows"
	"klabot/flows/exportdata"
	"klabot/flows/ops"
	"klabot/flows/place"
	"klabot/flows/wilayah"
	"klabot/flows/words"
	"klabot/store"
)

// Personal data (UU 27/2022): "data saya" shows a person everything klabot
// keeps about them; "hapus data saya" erases it after a clear question.
// Reports they made stay with their case, anonymous: a child's case must
// be followed whoever reported it. What erasing means for every table is
// written in store/privacy.go.

// FlowPrivacy shows a person their data and erases it.
const FlowPrivacy = "privacy"

// Global words of this feature, handled in global.go.
const (
	wordMyData = "data saya"
	wordErase  = "hapus data saya"
)

// Add plugs in what a person can learn and erase of their data.
func Add(e *flows.Engine) {
	e.Register(privacyFlow())
	// Telegram commands cannot hold spaces: /datasaya and /hapusdata.
	e.AddCommand("datasaya", func(c *flows.Ctx, args string) flows.Next { return flows.Switch(FlowPrivacy) })
	e.AddCommand("hapusdata", func(c *flows.Ctx, args string) flows.Next { return flows.SwitchTo(FlowPrivacy, "erase") })
	e.AddWord(wordMyData, func(c *flows.Ctx) flows.Next { return flows.Switch(FlowPrivacy) },
		"data saya", "lihat data saya", "my data")
	e.AddWord(wordErase, func(c *flows.Ctx) flows.Next { return flows.SwitchTo(FlowPrivacy, "erase") },
		"hapus data saya", "hapus data", "delete my data")
}

func privacyFlow() *flows.Flow {
	return &flows.Flow{ID: FlowPrivacy, Version: 1, Start: "show", Steps: map[string]*flows.Step{
		"show": {
			Prompt: func(c *flows.Ctx) flows.Reply {
				text, err := personalDataText(c)
				if err != nil {
					c.Fail(err)
					return flows.Reply{}
				}
				return flows.Reply{Text: text + "\n\n" + c.T("privacy.erase_hint"), Options: []flows.Option{
					{Key: "erase", Label: c.T("privacy.opt_erase")},
					{Key: "menu", Label: c.T("privacy.opt_menu")},
				}}
			},
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				if choice == "erase" {
					return flows.Goto("erase")
				}
				return flows.Menu()
			},
		},
		"erase": {
			Prompt: func(c *flows.Ctx) flows.Reply {
				reports, err := c.Tx.ListReports(store.ReportFilter{ReporterID: c.User.ID, Limit: -1})
				if err != nil {
					c.Fail(err)
					return flows.Reply{}
				}
				_, volunteer, err := c.Tx.Volunteer(c.User.ID)
				if err != nil {
					c.Fail(err)
					return flows.Reply{}
				}
				parts := []string{c.T("privacy.erase_question")}
				if len(reports) > 0 {
					parts = append(parts, c.T("privacy.erase_reports", len(reports)))
				}
				if volunteer {
					parts = append(parts, c.T("privacy.erase_volunteer"))
				}
				parts = append(parts, c.T("privacy.erase_final"))
				return flows.Reply{Text: strings.Join(parts, "\n\n"), Options: []flows.Option{
					{Key: "yes", Label: c.T("privacy.opt_yes")},
					{Key: "no", Label: c.T("privacy.opt_no")},
				}}
			},
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				if choice != "yes" {
					c.Say(c.T("privacy.kept"))
					return flows.Menu()
				}
				return erasePerson(c)
			},
		},
		// The last words to a person who is no one to klabot any more:
		// their next message comes from a new person.
		"erased": {
			Prompt: func(c *flows.Ctx) flows.Reply { return flows.Reply{Text: c.T("privacy.erased")} },
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next { return flows.Menu() },
		},
	}}
}

// erasePerson erases the person's data and tells whoever is affected:
// people who got a freed training seat, and staff when open reports lost
// their volunteer.
func erasePerson(c *flows.Ctx) flows.Next {
	er, err := c.Tx.ErasePerson(c.User.ID, c.Now)
	if err != nil {
		return c.Fail(err)
	}
	res, err := ops.Promoted(c.Tx, er.Promoted, c.Now.In(c.Loc))
	c.Deliver(res)
	if err != nil {
		return c.Fail(err)
	}
	if len(er.Unassigned) > 0 {
		var codes []string
		for _, r := range er.Unassigned {
			codes = append(codes, r.Code)
		}
		c.NotifyStaff(store.PriorityAlert, flows.Reply{Text: flows.StaffT("privacy.staff_unassigned", strings.Join(codes, ", "))})
	}
	// What the engine writes back at the end of the turn must be the
	// cleared record, not the one it started with.
	c.SetUser(store.User{ID: c.User.ID, Lang: c.User.Lang, CreatedAt: c.User.CreatedAt})
	return flows.Goto("erased")
}

// personalDataText is everything stored about the person, in plain words.
func personalDataText(c *flows.Ctx) (string, error) {
	p, err := c.Tx.PersonalData(c.User.ID)
	if err != nil {
		return "", err
	}
	lang := c.User.Lang
	day := func(at store.ContactInfo) string { return words.Date(lang, at.LastInbound.In(c.Loc)) }
	lines := []string{c.T("privacy.data_title")}
	if p.User.Name != "" {
		lines = append(lines, c.T("privacy.name", p.User.Name))
	} else {
		lines = append(lines, c.T("privacy.no_name"))
	}
	langName := "Bahasa Indonesia"
	if p.User.Lang == "en" {
		langName = "English"
	}
	role := p.User.Role
	if p.Volunteer != nil {
		// Being a volunteer by invite is what the person is now, whatever
		// they said at first or on another phone before linking it.
		role = store.RoleSatgas
	}
	if role := roleLabel(c, role); role != "" {
		lines = append(lines, c.T("privacy.profile", langName, role))
	} else {
		lines = append(lines, c.T("privacy.profile_no_role", langName))
	}
	if !p.User.ConsentAt.IsZero() {
		lines = append(lines, c.T("privacy.consent", words.Date(lang, p.User.ConsentAt.In(c.Loc))))
	}
	if !p.User.OptedOutAt.IsZero() {
		lines = append(lines, c.T("privacy.opted_out", words.Date(lang, p.User.OptedOutAt.In(c.Loc))))
	}
	for _, ct := range p.Contacts {
		if ct.Channel == "console" {
			// The console's address is an internal word ("local"), not a
			// number anyone would recognise.
			lines = append(lines, c.T("privacy.contact_console", channelName(c, ct.Channel), day(ct)))
			continue
		}
		lines = append(lines, c.T("privacy.contact", channelName(c, ct.Channel), ct.Address, day(ct)))
	}
	if p.Volunteer != nil {
		kec := p.Volunteer.KecCode
		if k, ok := wilayah.KecamatanByCode(kec); ok {
			kec = k.Name
		}
		lines = append(lines, c.T("privacy.volunteer", kec, words.Date(lang, p.Volunteer.Since.In(c.Loc))))
	}
	if p.Reminders > 0 {
		lines = append(lines, c.T("privacy.reminders", p.Reminders))
	}
	if p.Broadcasts > 0 {
		lines = append(lines, c.T("privacy.broadcasts", p.Broadcasts))
	}
	if len(p.Reports) > 0 {
		lines = append(lines, "", c.T("privacy.reports", len(p.Reports)))
		for _, r := range p.Reports {
			who := c.T("privacy.report_named")
			switch {
			case r.Anonymous:
				who = c.T("privacy.report_anonymous")
			case r.ReporterName != "":
				who = c.T("privacy.report_named_as", r.ReporterName)
			}
			lines = append(lines, c.T("privacy.report_line", r.Code, words.Date(lang, r.CreatedAt.In(c.Loc)),
				words.CategoryName(lang, r.Category), who))
		}
	}
	if len(p.Registrations) > 0 {
		lines = append(lines, "", c.T("privacy.regs", len(p.Registrations)))
		for _, g := range p.Registrations {
			when := words.Date(lang, g.Training.StartsAt.In(c.Loc))
			if g.Purged {
				lines = append(lines, c.T("privacy.reg_purged", g.Training.Title, when))
				continue
			}
			line := c.T("privacy.reg_line", g.Training.Title, when, g.FullName, g.Age,
				place.Name("", g.DesaCode), exportdata.DisplayPhone(g.Phone))
			switch g.Status {
			case store.RegCancelled:
				line += " " + c.T("privacy.reg_cancelled")
			case store.RegWaitlisted:
				line += " " + c.T("privacy.reg_waitlisted")
			}
			lines = append(lines, line)
		}
	}
	lines = append(lines, "", c.T("privacy.why", retentionDays(c)))
	return strings.Join(lines, "\n"), nil
}

func roleLabel(c *flows.Ctx, key string) string {
	for _, r := range words.Roles {
		if r.Key == key {
			return c.T(r.Label)
		}
	}
	return ""
}

func channelName(c *flows.Ctx, channel string) string {
	switch channel {
	case "telegram":
		return "Telegram"
	case "whatsapp":
		return "WhatsApp"
	case "console":
		return c.T("privacy.channel_console")
	}
	return channel
}

// retentionDays is the retention setting people are told about.
func retentionDays(c *flows.Ctx) int {
	if days := c.Config().RetentionDays; days > 0 {
		return days
	}
	return store.DefaultRetentionDays
}
