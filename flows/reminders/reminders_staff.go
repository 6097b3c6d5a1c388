package reminders

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"klabot/flows"
	"klabot/flows/ops"
	"klabot/flows/recurrence"
	"klabot/flows/wilayah"
	"klabot/flows/words"
	"klabot/store"
)

// maxReminderMessage is the longest message a recurring reminder may
// carry.
const maxReminderMessage = ops.MaxReminderMessage

// Data kept while staff make a recurring reminder.
const (
	rSpec     = "spec"
	rAudience = "aud"
	rKec      = "kec"
	rMessage  = "msg"
	rReview   = "review" // "1": a part is being changed from the confirmation
	rStopID   = "stop"
)

// specPresets are the schedules offered as options; staff may write
// another in words ("tiap Jumat jam 16.30") or as a cron spec.
var specPresets = []struct{ key, label, spec string }{
	{"daily", "reminders.preset_daily", "0 7 * * *"},
	{"monday", "reminders.preset_monday", "0 8 * * 1"},
	{"saturday", "reminders.preset_saturday", "0 8 * * 6"},
	{"monthly", "reminders.preset_monthly", "0 8 1 * *"},
}

// specFields describe the five fields of a cron spec, for error messages.
var specFields = []string{"reminders.field_minute", "reminders.field_hour", "reminders.field_day",
	"reminders.field_month", "reminders.field_weekday"}

func staffRemindersFlow() *flows.Flow {
	return &flows.Flow{ID: FlowStaffReminders, Version: 1, Start: "home", Steps: map[string]*flows.Step{
		"home":     {Prompt: staffRemindersHome, Handle: staffRemindersHomeChoice},
		"spec":     {Prompt: specPrompt, Handle: takeSpec, FreeText: true},
		"audience": {Prompt: audiencePrompt, Handle: takeAudience},
		"kec":      {Prompt: reminderKecPrompt, Handle: takeReminderKec, FreeText: true},
		"message": {Prompt: func(c *flows.Ctx) flows.Reply {
			return flows.Reply{Text: c.T("reminders.ask_message", maxReminderMessage)}
		}, Handle: takeReminderMessage},
		"confirm":      {Prompt: reminderConfirmPrompt, Handle: reminderConfirm},
		"stop_pick":    {Prompt: stopPickPrompt, Handle: stopPick},
		"stop_confirm": {Prompt: stopConfirmPrompt, Handle: stopConfirm},
	}}
}

// staffOnly sends anyone who is not staff back to the main menu.
func staffOnly(c *flows.Ctx, handle func() flows.Next) flows.Next {
	if !c.Staff {
		c.Say(c.T("reminders.staff_only"))
		return flows.Menu()
	}
	return handle()
}

func staffRemindersHome(c *flows.Ctx) flows.Reply {
	l, err := ops.Reminders(c.Tx, c.Actor(), c.Now.In(c.Loc))
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	if l.Outcome != ops.Done {
		return flows.Reply{Text: c.T("reminders.staff_only")}
	}
	r := flows.Reply{}
	var b strings.Builder
	if len(l.Reminders) == 0 {
		b.WriteString(c.T("reminders.staff_none"))
	} else {
		b.WriteString(c.T("reminders.staff_title"))
		for _, rem := range l.Reminders {
			b.WriteString("\n\n" + c.T("reminders.staff_item", rem.ID, excerpt(rem.Message, 80),
				audienceName(c.User.Lang, rem.Audience, rem.KecCode), ScheduleName(c.User.Lang, rem.Spec), formatMoment(c.User.Lang, c.Loc, rem.Sends)))
		}
	}
	b.WriteString("\n\n" + c.T("reminders.staff_hint"))
	r.Text = b.String()
	r.Options = append(r.Options, flows.Option{Key: "new", Label: c.T("reminders.opt_new")})
	if len(l.Reminders) > 0 {
		r.Options = append(r.Options, flows.Option{Key: "stop", Label: c.T("reminders.opt_stop_one")})
	}
	r.Options = append(r.Options, flows.Option{Key: "staff", Label: c.T("reminders.opt_staff_menu")})
	return r
}

func staffRemindersHomeChoice(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	return staffOnly(c, func() flows.Next {
		switch choice {
		case "new":
			return flows.Goto("spec")
		case "stop":
			return flows.Goto("stop_pick")
		}
		return flows.Switch(flows.FlowStaff)
	})
}

func specPrompt(c *flows.Ctx) flows.Reply {
	r := flows.Reply{Text: c.T("reminders.ask_spec")}
	for _, p := range specPresets {
		r.Options = append(r.Options, flows.Option{Key: p.key, Label: c.T(p.label)})
	}
	return r
}

// surelySpec tells a typed cron spec that could also read as an option
// ("* * * * 1" reads as "1"): it has a star, an @ or a TZ=.
func surelySpec(text string) bool {
	text = strings.TrimSpace(text)
	return strings.HasPrefix(text, "@") || strings.Contains(text, "*") || strings.Contains(strings.ToUpper(text), "TZ=")
}

// looksLikeSpec tells a typed spec ("0 8 1 1 1") from a typed option
// number: a spec has several parts.
func looksLikeSpec(text string) bool { return surelySpec(text) || len(strings.Fields(text)) > 1 }

func takeSpec(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	return staffOnly(c, func() flows.Next {
		var spec string
		switch {
		case in.Kind == flows.KindText && (surelySpec(in.Text) || words.IsRecurring(in.Text)):
			spec = in.Text
		case choice != "" && in.Kind == flows.KindText && hasLetters(in.Text) && !isPresetLabel(c, choice, in.Text):
			// Words that name a preset but no time ("tiap senin"): the
			// time is asked for, not taken from the preset.
			spec = in.Text
		case choice != "":
			for _, p := range specPresets {
				if p.key == choice {
					spec = p.spec
				}
			}
		case in.Kind == flows.KindText && (looksLikeSpec(in.Text) || hasLetters(in.Text)):
			spec = in.Text
		default:
			c.Say(c.T("reminders.spec_not_understood"))
			return flows.Stay()
		}
		parsed, problem := readSpec(c, spec)
		if problem != "" {
			c.Say(problem)
			return flows.Stay()
		}
		c.Set(rSpec, parsed)
		if c.Get(rReview) == "1" {
			return flows.Goto("confirm")
		}
		return flows.Goto("audience")
	})
}

// readSpec reads a schedule as staff typed it, in words ("tiap Jumat jam
// 16.30") or as a cron spec, into the spec kept; problem says in plain
// words what to fix. Words that are no schedule get examples in words,
// not a lesson in cron fields.
func readSpec(c *flows.Ctx, typed string) (spec, problem string) {
	if inWords, ok := words.RecurringSpec(typed); ok {
		typed = inWords
	} else if !surelySpec(typed) && hasLetters(typed) {
		_, _, _, when := words.SplitWhen(typed)
		switch {
		case when == "broadcast.when_invalid":
			return "", c.T("reminders.spec_bad_time")
		case when != "":
			return "", c.T("reminders.spec_need_time")
		case slices.Contains(strings.Fields(flows.Normalize(typed)), "minggu"):
			return "", c.T("reminders.spec_week_which")
		}
		return "", c.T("reminders.spec_not_understood")
	}
	parsed, err := recurrence.ParseSpec(typed)
	if err != nil {
		return "", specProblem(c, err)
	}
	return parsed.Text, ""
}

// isPresetLabel tells whether typed text is the chosen preset's label,
// as on its key (typed or tapped), not words that only resemble it.
func isPresetLabel(c *flows.Ctx, key, typed string) bool {
	for _, p := range specPresets {
		if p.key == key {
			return flows.Normalize(typed) == flows.Normalize(c.T(p.label))
		}
	}
	return false
}

// hasLetters tells words from a cron spec's numbers.
func hasLetters(s string) bool { return strings.IndexFunc(s, unicode.IsLetter) >= 0 }

// specProblem says in plain words what is wrong with a spec.
func specProblem(c *flows.Ctx, err error) string {
	se, ok := recurrence.IsSpecError(err)
	if !ok {
		return c.T("reminders.spec_not_understood")
	}
	switch se.Reason {
	case recurrence.SpecTimeZone:
		return c.T("reminders.spec_time_zone")
	case recurrence.SpecEvery:
		return c.T("reminders.spec_every")
	case recurrence.SpecDescriptor:
		return c.T("reminders.spec_descriptor", se.Value)
	case recurrence.SpecFieldCount:
		return c.T("reminders.spec_field_count", se.Value)
	case recurrence.SpecField:
		if se.Field >= 1 && se.Field <= len(specFields) {
			return c.T("reminders.spec_field", se.Field, se.Value, c.T(specFields[se.Field-1]))
		}
	case recurrence.SpecNever:
		return c.T("reminders.spec_never")
	case recurrence.SpecTooOften:
		return c.T("reminders.spec_too_often")
	}
	return c.T("reminders.spec_not_understood")
}

func audiencePrompt(c *flows.Ctx) flows.Reply {
	return flows.TableReply(c, "reminders.ask_audience", audienceLabels)
}

func takeAudience(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	return staffOnly(c, func() flows.Next {
		c.Set(rAudience, choice)
		return flows.Goto("kec")
	})
}

func reminderKecPrompt(c *flows.Ctx) flows.Reply {
	r := flows.Reply{Text: c.T("reminders.ask_kec"), Options: []flows.Option{{Key: "all", Label: c.T("reminders.opt_all_kec")}}}
	for _, k := range wilayah.Kecamatans() {
		r.Options = append(r.Options, flows.Option{Key: k.Code, Label: k.Name})
	}
	return r
}

func takeReminderKec(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	return staffOnly(c, func() flows.Next {
		kec := ""
		switch {
		case choice == "all":
		case choice != "":
			kec = choice
		default:
			found := wilayah.MatchKecamatan(in.Text)
			if in.Kind != flows.KindText || len(found) != 1 {
				c.Say(c.T("reminders.kec_not_found"))
				return flows.Stay()
			}
			kec = found[0].Code
		}
		c.Set(rKec, kec)
		if c.Get(rMessage) != "" {
			return flows.Goto("confirm")
		}
		return flows.Goto("message")
	})
}

func takeReminderMessage(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	return staffOnly(c, func() flows.Next {
		text := strings.TrimSpace(in.Text)
		if in.Kind != flows.KindText || text == "" {
			c.Say(c.T("reminders.message_text_only"))
			return flows.Stay()
		}
		if n := utf8.RuneCountInString(text); n > maxReminderMessage {
			c.Say(c.T("reminders.message_too_long", n, maxReminderMessage))
			return flows.Stay()
		}
		c.Set(rMessage, text)
		return flows.Goto("confirm")
	})
}

func reminderConfirmPrompt(c *flows.Ctx) flows.Reply {
	spec, err := recurrence.ParseSpec(c.Get(rSpec))
	if err != nil {
		return flows.Reply{Text: specProblem(c, err)}
	}
	var runs []string
	quiet := false
	for _, t := range spec.NextN(c.Now, c.Loc, 3) {
		runs = append(runs, "- "+formatMoment(c.User.Lang, c.Loc, t))
		quiet = quiet || ops.InQuietHours(t, c.Loc)
	}
	count, err := c.Tx.CountAudience(c.Get(rAudience), c.Get(rKec), c.Now)
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	text := c.T("reminders.confirm", ScheduleName(c.User.Lang, spec.Text), strings.Join(runs, "\n"),
		audienceName(c.User.Lang, c.Get(rAudience), c.Get(rKec)), count, c.Get(rMessage))
	if quiet {
		text += "\n\n" + c.T("reminders.confirm_quiet")
	}
	text += "\n\n" + c.T("reminders.confirm_ask")
	return flows.Reply{Text: text, Options: []flows.Option{
		{Key: "save", Label: c.T("reminders.opt_save")},
		{Key: "spec", Label: c.T("reminders.opt_change_spec")},
		{Key: "audience", Label: c.T("reminders.opt_change_audience")},
		{Key: "cancel", Label: c.T("reminders.opt_cancel")},
	}}
}

func reminderConfirm(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	return staffOnly(c, func() flows.Next {
		switch choice {
		case "spec":
			c.Set(rReview, "1")
			return flows.Goto("spec")
		case "audience":
			return flows.Goto("audience")
		case "cancel":
			c.Say(c.T("reminders.not_saved"))
			return flows.Goto("home")
		}
		made, err := ops.CreateReminder(c.Tx, c.Actor(), store.RecurringReminder{
			Spec: c.Get(rSpec), Message: c.Get(rMessage), Audience: c.Get(rAudience), KecCode: c.Get(rKec),
		}, c.Now.In(c.Loc))
		if err != nil {
			return c.Fail(err)
		}
		switch {
		case made.Outcome == ops.NotAllowed:
			c.Say(c.T("reminders.staff_only"))
			return flows.Menu()
		case made.Why == ops.WhySpec:
			c.Say(specProblem(c, made.SpecErr))
			return flows.Goto("spec")
		case made.Outcome == ops.Refused:
			// The steps before checked every part; this is a safety net.
			c.Say(c.T("reminders.not_saved"))
			return flows.Goto("home")
		}
		// Saved now or before (a second press): either way it runs.
		rem := made.Reminder
		c.Say(c.T("reminders.saved", rem.ID, formatMoment(c.User.Lang, c.Loc, ops.AfterQuietHours(rem.NextDueAt, c.Loc))))
		return flows.Goto("home")
	})
}

func stopPickPrompt(c *flows.Ctx) flows.Reply {
	list, err := c.Tx.ActiveRecurringReminders()
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	r := flows.Reply{Text: c.T("reminders.ask_stop")}
	for _, rem := range list {
		r.Options = append(r.Options, flows.Option{Key: "r" + strconv.FormatInt(rem.ID, 10),
			Label: flows.ShortLabel(excerpt(rem.Message, 40))})
	}
	r.Options = append(r.Options, flows.Option{Key: "back", Label: c.T("reminders.opt_back")})
	return r
}

func stopPick(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	return staffOnly(c, func() flows.Next {
		if !strings.HasPrefix(choice, "r") {
			return flows.Goto("home")
		}
		c.Set(rStopID, strings.TrimPrefix(choice, "r"))
		return flows.Goto("stop_confirm")
	})
}

func stopConfirmPrompt(c *flows.Ctx) flows.Reply {
	id, _ := strconv.ParseInt(c.Get(rStopID), 10, 64)
	rem, err := c.Tx.RecurringReminder(id)
	if err != nil {
		return flows.Reply{Text: c.T("reminders.gone"), Options: []flows.Option{{Key: "no", Label: c.T("reminders.opt_back")}}}
	}
	return flows.Reply{Text: c.T("reminders.stop_confirm", rem.ID, excerpt(rem.Message, 200)), Options: []flows.Option{
		{Key: "yes", Label: c.T("reminders.opt_stop_yes")},
		{Key: "no", Label: c.T("reminders.opt_back")},
	}}
}

func stopConfirm(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	return staffOnly(c, func() flows.Next {
		if choice != "yes" {
			return flows.Goto("home")
		}
		id, _ := strconv.ParseInt(c.Get(rStopID), 10, 64)
		// Stopped now, before, or gone: it no longer runs, which is what
		// staff asked for.
		if _, err := ops.StopReminder(c.Tx, c.Actor(), id, c.Now.In(c.Loc)); err != nil {
			return c.Fail(err)
		}
		c.Say(c.T("reminders.stopped_all", id))
		return flows.Goto("home")
	})
}

// cmdReminders is /pengingat. For anyone it opens "Pengingat saya"; staff
// get the recurring reminders, and "/pengingat JADWAL | UNTUK | PESAN"
// goes straight to the confirmation of a new one.
func cmdReminders(c *flows.Ctx, args string) flows.Next {
	if !c.Staff || strings.EqualFold(args, "saya") {
		return flows.Switch(flows.FlowReminders)
	}
	if args == "" {
		return flows.Switch(FlowStaffReminders)
	}
	parts := strings.SplitN(args, "|", 3)
	if len(parts) != 3 {
		c.Say(c.T("reminders.command_usage"))
		return flows.Stay()
	}
	spec, problem := readSpec(c, strings.TrimSpace(parts[0]))
	if problem != "" {
		c.Say(problem + "\n\n" + c.T("reminders.command_usage"))
		return flows.Stay()
	}
	audience, kec, ok := parseAudience(parts[1])
	if !ok {
		c.Say(c.T("reminders.command_audience", strings.TrimSpace(parts[1])) + "\n\n" + c.T("reminders.command_usage"))
		return flows.Stay()
	}
	message := strings.TrimSpace(parts[2])
	if message == "" {
		c.Say(c.T("reminders.command_usage"))
		return flows.Stay()
	}
	if n := utf8.RuneCountInString(message); n > maxReminderMessage {
		c.Say(c.T("reminders.message_too_long", n, maxReminderMessage))
		return flows.Stay()
	}
	if c.FlowID() == flows.FlowReport {
		// A half-done report is not thrown away for this.
		c.Say(c.T("reminders.finish_report_first"))
		return flows.Stay()
	}
	c.Enter(FlowStaffReminders, "confirm")
	c.Set(rSpec, spec)
	c.Set(rAudience, audience)
	c.Set(rKec, kec)
	c.Set(rMessage, message)
	return flows.Stay()
}

// audienceWords are how staff name an audience in the command.
var audienceWords = []struct{ words, audience string }{
	{"satgas pa", store.AudienceSatgas}, {"satgas", store.AudienceSatgas},
	{"forum anak", store.AudienceForumAnak}, {"forum", store.AudienceForumAnak},
	{"peserta pelatihan", store.AudienceTrainees}, {"peserta", store.AudienceTrainees},
	{"semua", store.AudienceAll}, {"all", store.AudienceAll},
}

// parseAudience reads "satgas", "forum_anak Ledo", "semua kec. Sanggau
// Ledo": an audience, then optionally a kecamatan.
func parseAudience(s string) (audience, kec string, ok bool) {
	text := flows.Normalize(s)
	for _, w := range audienceWords {
		if text == w.words || strings.HasPrefix(text, w.words+" ") {
			audience, text = w.audience, strings.TrimSpace(strings.TrimPrefix(text, w.words))
			break
		}
	}
	if audience == "" {
		return "", "", false
	}
	for _, prefix := range []string{"di ", "kecamatan ", "kec "} {
		text = strings.TrimPrefix(text, prefix)
	}
	if text == "" {
		return audience, "", true
	}
	found := wilayah.MatchKecamatan(text)
	if len(found) != 1 {
		return "", "", false
	}
	return audience, found[0].Code, true
}
