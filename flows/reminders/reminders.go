package reminders

import (
	"strconv"
	"strings"
	"time"

	"klabot/flows"
	"klabot/flows/ops"
	"klabot/flows/wilayah"
	"klabot/flows/words"
	"klabot/locales"
	"klabot/store"
)

// FlowStaffReminders is where staff make and stop recurring reminders.
const FlowStaffReminders = "reminders_staff"

// Add plugs in "Pengingat saya" (the main menu's entry), the
// staff's recurring reminders and the /pengingat command.
func Add(e *flows.Engine) {
	e.Register(remindersFlow())
	e.Register(staffRemindersFlow())
	e.AddStaffEntry("pengingat", "reminders.staff_entry", FlowStaffReminders)
	e.AddCommand("pengingat", cmdReminders)
}

// remindersFlow is "Pengingat saya": what a person will receive, and a way
// to stop (or take back) each recurring reminder from the office.
func remindersFlow() *flows.Flow {
	return &flows.Flow{ID: flows.FlowReminders, Version: 1, Start: "mine", Steps: map[string]*flows.Step{
		"mine": {Prompt: minePromptReminders, Handle: mineChoiceReminders},
	}}
}

func minePromptReminders(c *flows.Ctx) flows.Reply {
	reminders, err := c.Tx.UserTrainingReminders(c.User.ID)
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	regs, err := c.Tx.UserRegistrations(c.User.ID)
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	recurring, err := c.Tx.RecurringRemindersFor(c.User.ID, c.Now)
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	// When each reminder will arrive: one due in the quiet hours waits for
	// 06:00.
	times := map[int64][]string{}
	for _, r := range reminders {
		times[r.TrainingID] = append(times[r.TrainingID], formatMoment(c.User.Lang, c.Loc, ops.AfterQuietHours(r.DueAt, c.Loc)))
	}
	paused := !c.User.OptedOutAt.IsZero()
	// Every training the person is still going to, so that one whose
	// reminders are all past, or that they wait for, is not missing.
	var lines []string
	for _, reg := range regs {
		t := reg.Training
		if t.Status == store.TrainingCancelled || !t.EndsAt.After(c.Now) {
			continue
		}
		when := strings.Join(times[t.ID], "; ")
		switch {
		case reg.Status == store.RegWaitlisted:
			when = c.T("reminders.mine_waitlisted", reg.Position)
		case paused:
			when = c.T("reminders.mine_paused")
		case when == "" && t.StartsAt.Sub(c.Now) < 26*time.Hour:
			// The day-before reminder has gone by already.
			when = c.T("reminders.mine_none_left")
		case when == "":
			when = c.T("reminders.mine_no_reminders")
		}
		lines = append(lines, c.T("reminders.mine_training", t.Title, words.When(c.User.Lang, c.Loc, t.StartsAt, t.EndsAt), when))
	}
	menu := flows.Option{Key: "menu", Label: c.T("reminders.opt_menu")}
	var parts []string
	if paused {
		parts = append(parts, c.T("reminders.mine_opted_out"))
	}
	if len(lines) == 0 && len(recurring) == 0 {
		parts = append(parts, c.T("reminders.mine_none"))
		return flows.Reply{Text: strings.Join(parts, "\n\n"), Options: []flows.Option{menu}}
	}
	parts = append(parts, c.T("reminders.mine_title"))
	if len(lines) > 0 {
		parts = append(parts, c.T("reminders.mine_trainings")+"\n"+strings.Join(lines, "\n"))
	}
	r := flows.Reply{}
	if len(recurring) > 0 {
		var b strings.Builder
		b.WriteString(c.T("reminders.mine_recurring"))
		for i, p := range recurring {
			n := i + 1
			switch {
			case paused:
				// Nothing is sent: no next time, and nothing to stop.
				b.WriteString("\n" + c.T("reminders.mine_item_paused", n, excerpt(p.Message, 80)))
			case p.Stopped:
				b.WriteString("\n" + c.T("reminders.mine_item_stopped", n, excerpt(p.Message, 80)))
				r.Options = append(r.Options, flows.Option{Key: "resume:" + strconv.FormatInt(p.ID, 10), Label: c.T("reminders.opt_resume", n)})
			default:
				next := formatMoment(c.User.Lang, c.Loc, ops.AfterQuietHours(p.NextDueAt, c.Loc))
				b.WriteString("\n" + c.T("reminders.mine_item", n, excerpt(p.Message, 80), next))
				r.Options = append(r.Options, flows.Option{Key: "stop:" + strconv.FormatInt(p.ID, 10), Label: c.T("reminders.opt_stop", n)})
			}
		}
		if !paused {
			b.WriteString("\n\n" + c.T("reminders.mine_pick"))
		}
		parts = append(parts, b.String())
	}
	r.Text = strings.Join(parts, "\n\n")
	r.Options = append(r.Options, menu)
	return r
}

func mineChoiceReminders(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	action, rawID, _ := strings.Cut(choice, ":")
	id, _ := strconv.ParseInt(rawID, 10, 64)
	switch action {
	case "stop", "resume":
		if err := c.Tx.SetRecurringOptOut(id, c.User.ID, action == "stop", c.Now); err != nil {
			return c.Fail(err)
		}
		if action == "stop" {
			c.Say(c.T("reminders.stopped_one"))
		} else {
			c.Say(c.T("reminders.resumed_one"))
		}
		return flows.Stay()
	}
	return flows.Menu()
}

// excerpt is the start of a message, on one line.
func excerpt(s string, limit int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= limit {
		return s
	}
	return strings.TrimRight(string(r[:limit-1]), " ,.") + "…"
}

// formatMoment writes a date and time: "Senin, 30 November 2026, 08.00 WIB".
func formatMoment(lang string, loc *time.Location, t time.Time) string {
	t = t.In(loc)
	return locales.T(lang, "reminders.moment", words.Date(lang, t), words.Clock(lang, t), t.Format("MST"))
}

// TrainingReminder is the reminder of a training sent to a registered
// person: whether it is today (with the hour) or tomorrow, what, when and
// where, as the training is now (a moved session shows its new time).
func TrainingReminder(lang string, loc *time.Location, t store.Training, now time.Time) flows.Reply {
	start, today := t.StartsAt.In(loc), now.In(loc)
	head := locales.T(lang, "reminders.training_later")
	switch days := calendarDays(today, start); days {
	case 0:
		head = locales.T(lang, "reminders.training_today", words.Clock(lang, start))
	case 1:
		head = locales.T(lang, "reminders.training_tomorrow")
	}
	text := head + "\n\n" + t.Title + "\n" + words.When(lang, loc, t.StartsAt, t.EndsAt) + "\n" + words.TrainingPlace(lang, t) +
		"\n\n" + locales.T(lang, "reminders.training_cant_come")
	return flows.Reply{Text: text}
}

// calendarDays counts the days from a's date to b's (same location).
func calendarDays(a, b time.Time) int {
	da := time.Date(a.Year(), a.Month(), a.Day(), 12, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 12, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// RecurringReminder is a staff reminder as its audience receives it: the
// staff's words, framed so people know who sends it and how to stop it.
func RecurringReminder(lang, message string) flows.Reply {
	return flows.Reply{Text: locales.T(lang, "reminders.recurring", message)}
}

// Report follow-ups, sent by the scheduler.
const (
	FollowUpNew       = "new"       // still baru after two working days: to staff
	FollowUpVolunteer = "volunteer" // assigned, no update for three days: to the volunteer
	FollowUpEscalate  = "escalate"  // assigned, no update for five days: to staff
)

// ReportFollowUp is the text of a follow-up about an open report. lang is
// the volunteer's language for FollowUpVolunteer; staff read Bahasa
// Indonesia. since is when the report was made or last worked on.
func ReportFollowUp(kind, lang string, loc *time.Location, r store.Report, volunteer string, since, now time.Time) flows.Reply {
	open := flows.Option{Key: "/buka " + r.Code, Label: locales.T(lang, "reminders.opt_open")}
	what := func(lang string) (string, string) { return words.CategoryName(lang, r.Category), kecName(r.KecCode) }
	days := int(now.Sub(since).Hours() / 24)
	switch kind {
	case FollowUpVolunteer:
		cat, kec := what(lang)
		return flows.Reply{Text: locales.T(lang, "reminders.followup_volunteer", r.Code, cat, kec, days), Options: []flows.Option{open},
			Subject: store.ReportSubject(r.Code)}
	case FollowUpEscalate:
		cat, kec := what(locales.Default)
		return flows.Reply{Text: flows.StaffT("reminders.followup_escalate", r.Code, cat, kec, volunteer, days), Options: []flows.Option{open},
			Subject: store.ReportSubject(r.Code)}
	default:
		cat, kec := what(locales.Default)
		return flows.Reply{Text: flows.StaffT("reminders.followup_new", r.Code, cat, kec, formatMoment(locales.Default, loc, r.CreatedAt)),
			Options: []flows.Option{open}, Subject: store.ReportSubject(r.Code)}
	}
}

func kecName(code string) string {
	if k, ok := wilayah.KecamatanByCode(code); ok {
		return k.Name
	}
	return "-"
}

// Digest is what the staff's morning summary lists.
type Digest struct {
	New       []store.Report // still baru
	Urgent    []store.Report // urgent and open
	Overdue   []store.Report // baru past two working days, or assigned and quiet for three days
	Trainings []store.Training
}

// StaffDigest is the staff's 07:00 summary, in Bahasa Indonesia.
func StaffDigest(d Digest, loc *time.Location, now time.Time) flows.Reply {
	lang := locales.Default
	parts := []string{flows.StaffT("reminders.digest_title", words.Date(lang, now.In(loc)))}
	reports := func(key string, list []store.Report) {
		if len(list) == 0 {
			return
		}
		lines := []string{flows.StaffT(key, len(list))}
		for i, r := range list {
			if i == digestMax {
				lines = append(lines, flows.StaffT("reminders.digest_more", len(list)-digestMax))
				break
			}
			urgent := ""
			if r.Urgent {
				urgent = " " + flows.StaffT("reminders.digest_urgent_mark")
			}
			lines = append(lines, flows.StaffT("reminders.digest_report", r.Code, words.CategoryName(lang, r.Category), kecName(r.KecCode))+urgent)
		}
		parts = append(parts, strings.Join(lines, "\n"))
	}
	reports("reminders.digest_new", d.New)
	reports("reminders.digest_urgent", d.Urgent)
	reports("reminders.digest_overdue", d.Overdue)
	if len(d.Trainings) > 0 {
		lines := []string{flows.StaffT("reminders.digest_trainings", len(d.Trainings))}
		for _, t := range d.Trainings {
			lines = append(lines, flows.StaffT("reminders.digest_training", words.Clock(lang, t.StartsAt.In(loc)), t.Title,
				words.TrainingPlace(lang, t), t.Registered))
		}
		parts = append(parts, strings.Join(lines, "\n"))
	}
	if len(parts) == 1 {
		parts = append(parts, flows.StaffT("reminders.digest_quiet"))
	}
	return flows.Reply{Text: strings.Join(parts, "\n\n"), Options: []flows.Option{{Key: "/laporan", Label: flows.StaffT("reminders.opt_reports")}}}
}

// digestMax is how many reports one section of the digest names.
const digestMax = 10

// audienceName describes who a recurring reminder is for.
func audienceName(lang, audience, kec string) string {
	name := locales.T(lang, audienceLabel(audience))
	if k, ok := wilayah.KecamatanByCode(kec); ok {
		return locales.T(lang, "reminders.aud_in_kec", name, k.Name)
	}
	return locales.T(lang, "reminders.aud_all_kec", name)
}

// audienceLabels are the option labels of the audiences.
var audienceLabels = []words.Choice{
	{Key: store.AudienceSatgas, Label: "reminders.aud_satgas"},
	{Key: store.AudienceForumAnak, Label: "reminders.aud_forum_anak"},
	{Key: store.AudienceTrainees, Label: "reminders.aud_peserta"},
	{Key: store.AudienceAll, Label: "reminders.aud_semua"},
}

func audienceLabel(audience string) string {
	for _, a := range audienceLabels {
		if a.Key == audience {
			return a.Label
		}
	}
	return audience
}

// AudienceName is a recurring reminder's audience in words.
func AudienceName(lang, audience string) string {
	return locales.T(lang, audienceLabel(audience))
}
