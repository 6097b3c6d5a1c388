package training

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"klabot/flows"
	"klabot/flows/exportdata"
	"klabot/flows/ops"
	"klabot/flows/place"
	"klabot/flows/wilayah"
	"klabot/flows/words"
	"klabot/store"
)

// The staff side of trainings: create, edit, move and cancel sessions by
// chat, see who registered and who waits, export that to CSV, mark
// attendance and message everyone in a session. Whoever is affected by a
// cancellation or a move is told, in their own language.

// sessionsPerPage keeps the staff list of sessions readable.
const sessionsPerPage = 8

// staffListDays is how long after it ended a session stays in the staff
// list, for marking attendance late and exporting.
const staffListDays = 30

// Limits of what staff type for a session: the operations' rules.
const (
	maxTitle       = ops.MaxTitleRunes
	maxPlace       = ops.MaxPlaceRunes
	maxDescription = ops.MaxDescription
	maxCapacity    = ops.MaxCapacity
	maxDuration    = ops.MaxDuration
	maxAhead       = ops.MaxAhead
)

// draftFields are the parts of a session staff fill in, in the order they
// are asked, with the option label that picks each for a change.
var draftFields = []struct{ step, label string }{
	{"d_program", "training.field_program"},
	{"d_title", "training.field_title"},
	{"d_desc", "training.field_desc"},
	{"d_kec", "training.field_kec"},
	{"d_place", "training.field_place"},
	{"d_start", "training.field_start"},
	{"d_end", "training.field_end"},
	{"d_cap", "training.field_capacity"},
}

func trainingStaffFlow() *flows.Flow {
	steps := map[string]*flows.Step{
		"home":            {Prompt: staffHomePrompt, Handle: staffHome},
		"session":         {Prompt: sessionPrompt, Handle: sessionChoice},
		"people":          {Prompt: peoplePrompt, Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next { return flows.Goto("session") }},
		"mark":            {Prompt: markPrompt, Handle: markChoice, FreeText: true},
		"message":         {Prompt: messagePrompt, Handle: takeMessage},
		"message_confirm": {Prompt: messageConfirmPrompt, Handle: sendMessage},
		"cancel_session":  {Prompt: cancelSessionPrompt, Handle: cancelSession},
		"d_program":       {Prompt: draftProgramPrompt, Handle: takeDraftProgram},
		"d_title":         {Prompt: askText("training.ask_title"), Handle: takeDraftTitle},
		"d_desc":          {Prompt: draftDescPrompt, Handle: takeDraftDesc, FreeText: true},
		"d_kec":           {Prompt: draftKecPrompt, Handle: takeDraftKec, FreeText: true},
		"d_place":         {Prompt: askText("training.ask_place"), Handle: takeDraftPlace},
		"d_start":         {Prompt: draftStartPrompt, Handle: takeDraftStart},
		"d_end":           {Prompt: draftEndPrompt, Handle: takeDraftEnd},
		"d_cap":           {Prompt: askText("training.ask_capacity"), Handle: takeDraftCapacity},
		"review":          {Prompt: reviewPrompt, Handle: reviewChoice},
		"edit_field":      {Prompt: editFieldPrompt, Handle: editFieldChoice},
	}
	flows.StaffOnlySteps(steps)
	return &flows.Flow{ID: FlowTrainingStaff, Version: 1, Start: "home", Steps: steps}
}

func staffHomePrompt(c *flows.Ctx) flows.Reply {
	l, err := ops.Sessions(c.Tx, c.Actor(), c.Now.In(c.Loc).AddDate(0, 0, -staffListDays))
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	ts := l.Trainings
	r := flows.Reply{Options: []flows.Option{{Key: "new", Label: c.T("training.opt_new")}}}
	if len(ts) == 0 {
		r.Text = c.T("training.staff_none")
		return r
	}
	pages := (len(ts) + sessionsPerPage - 1) / sessionsPerPage
	page := min(atoi(c.Get("page")), pages-1)
	var b strings.Builder
	b.WriteString(c.T("training.staff_title", len(ts)))
	if pages > 1 {
		b.WriteString(" " + c.T("training.page", page+1, pages))
	}
	shown := ts[page*sessionsPerPage : min(len(ts), (page+1)*sessionsPerPage)]
	labels := trainingLabels(c.Loc, shown)
	for i, t := range shown {
		fmt.Fprintf(&b, "\n\n%d. %s\n   %s\n   %s", i+2, t.Title, words.When(c.User.Lang, c.Loc, t.StartsAt, t.EndsAt), countsLine(c, t))
		r.Options = append(r.Options, flows.Option{Key: "s" + strconv.FormatInt(t.ID, 10), Label: labels[i]})
	}
	if page+1 < pages {
		r.Options = append(r.Options, flows.Option{Key: "more", Label: c.T("training.opt_more")})
	}
	r.Text = b.String()
	return r
}

// countsLine is "12 dari 20 terdaftar, 3 menunggu", or that it was cancelled.
func countsLine(c *flows.Ctx, t store.Training) string {
	if t.Status == store.TrainingCancelled {
		return c.T("training.is_cancelled")
	}
	return c.T("training.counts", t.Registered, t.Capacity, t.Waitlisted)
}

func staffHome(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	switch choice {
	case "new":
		for _, f := range draftFields {
			c.Set(f.step, "")
		}
		c.Set("mode", "new")
		c.Set("review", "")
		return flows.Goto("d_program")
	case "more":
		c.Set("page", strconv.Itoa(atoi(c.Get("page"))+1))
		return flows.Stay()
	}
	if id := idFrom("s", choice); id != 0 {
		c.Set("sid", strconv.FormatInt(id, 10))
		return flows.Goto("session")
	}
	return flows.Stay()
}

// staffSession loads the session staff are working on.
func staffSession(c *flows.Ctx) (store.Training, bool) { return trainingAt(c, "sid") }

// changeable tells whether a session can still be edited, moved or cancelled.
func changeable(c *flows.Ctx, t store.Training) bool { return ops.Changeable(t, c.Now.In(c.Loc)) }

func sessionPrompt(c *flows.Ctx) flows.Reply {
	t, ok := staffSession(c)
	if !ok {
		return flows.Reply{Text: c.T("training.gone"), Options: []flows.Option{{Key: "back", Label: c.T("training.opt_sessions")}}}
	}
	text := c.T("training.session", t.Title, words.ProgramName(c.User.Lang, t.Program),
		words.When(c.User.Lang, c.Loc, t.StartsAt, t.EndsAt), words.TrainingPlace(c.User.Lang, t), countsLine(c, t), t.AttendanceCode)
	if t.Description != "" {
		text += "\n\n" + t.Description
	}
	r := flows.Reply{Text: text, Options: []flows.Option{
		{Key: "people", Label: c.T("training.opt_people")},
		{Key: "export", Label: c.T("training.opt_export")},
	}}
	if t.Registered > 0 {
		r.Options = append(r.Options, flows.Option{Key: "mark", Label: c.T("training.opt_mark")})
	}
	if t.Registered+t.Waitlisted > 0 {
		r.Options = append(r.Options, flows.Option{Key: "message", Label: c.T("training.opt_message")})
	}
	if changeable(c, t) {
		r.Options = append(r.Options,
			flows.Option{Key: "edit", Label: c.T("training.opt_edit")},
			flows.Option{Key: "move", Label: c.T("training.opt_move")},
			flows.Option{Key: "cancel", Label: c.T("training.opt_cancel_session")})
	}
	r.Options = append(r.Options, flows.Option{Key: "back", Label: c.T("training.opt_sessions")})
	return r
}

func sessionChoice(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	t, ok := staffSession(c)
	if !ok {
		return flows.Goto("home")
	}
	switch choice {
	case "people", "mark", "message":
		return flows.Goto(choice)
	case "export":
		exportRegistrations(c, t)
		return flows.Stay()
	case "edit", "move", "cancel":
		if !changeable(c, t) {
			return flows.Stay()
		}
		if choice == "cancel" {
			return flows.Goto("cancel_session")
		}
		loadDraft(c, t)
		if choice == "move" {
			c.Set("moving", "1") // ask the end too, then review
			return flows.Goto("d_start")
		}
		return flows.Goto("review")
	}
	return flows.Goto("home")
}

// loadDraft puts a session into the draft, to change it through the same
// questions that created it.
func loadDraft(c *flows.Ctx, t store.Training) {
	c.Set("mode", "edit")
	c.Set("review", "1")
	c.Set("d_program", t.Program)
	c.Set("d_title", t.Title)
	c.Set("d_desc", t.Description)
	c.Set("d_kec", t.KecCode)
	c.Set("d_place", t.Place)
	c.Set("d_start", t.StartsAt.Format(time.RFC3339))
	c.Set("d_end", t.EndsAt.Format(time.RFC3339))
	c.Set("d_cap", strconv.Itoa(t.Capacity))
}

func peoplePrompt(c *flows.Ctx) flows.Reply {
	back := []flows.Option{{Key: "back", Label: c.T("training.opt_back")}}
	t, ok := staffSession(c)
	if !ok {
		return flows.Reply{Text: c.T("training.gone"), Options: back}
	}
	v, err := ops.Session(c.Tx, c.Actor(), t.ID)
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	var seated, waiting []string
	for i, r := range v.Seated {
		seated = append(seated, fmt.Sprintf("%d. %s", i+1, personLine(c, r)))
	}
	for _, r := range v.Waiting {
		waiting = append(waiting, fmt.Sprintf("%d. %s", r.Position, personLine(c, r)))
	}
	text := c.T("training.people_title", t.Title, t.Registered, t.Capacity)
	if len(seated) == 0 {
		text += "\n" + c.T("training.people_none")
	} else {
		text += "\n" + strings.Join(seated, "\n")
	}
	if len(waiting) > 0 {
		text += "\n\n" + c.T("training.people_waiting", len(waiting)) + "\n" + strings.Join(waiting, "\n")
	}
	return flows.Reply{Text: text, Options: back}
}

// personLine is one registration for staff: name, age, village, phone and
// what matters for the session (priority, attendance).
func personLine(c *flows.Ctx, r store.Registration) string {
	line := c.T("training.person", r.FullName, r.Age, place.Name("", r.DesaCode), exportdata.DisplayPhone(r.Phone))
	if r.Priority > 0 {
		line += ", " + c.T("training.person_priority", r.Priority)
	}
	if !r.AttendedAt.IsZero() {
		line += ", " + c.T("training.person_present", words.Clock(c.User.Lang, r.AttendedAt.In(c.Loc)))
	}
	return line
}

// exportRegistrations writes a session's registrations to a CSV file under
// the data folder and sends it to the staff member as a document, once it
// is made.
func exportRegistrations(c *flows.Ctx, t store.Training) {
	ex, err := ops.ExportRegistrations(c.Tx, c.Actor(), t.ID, c.Config().DataDir, c.Now.In(c.Loc))
	if err != nil {
		c.Fail(err)
		return
	}
	switch ex.Outcome {
	case ops.Done:
	case ops.Refused:
		c.Say(c.T(ex.Why))
		return
	default:
		return
	}
	c.Say(c.T("training.export_sent"))
	c.Send(c.User.ID, store.PriorityReply, flows.Reply{
		Text:       c.T("training.export_caption", t.Title, ex.Rows),
		Attachment: &flows.Attachment{Kind: "document", Name: ex.Name, File: withLang(ex.File, c.User.Lang)},
	})
}

// maxMarkKeys is how many people get a key of their own when marking
// attendance; a bigger class is marked by typing the number in the list,
// as chat keyboards cannot hold hundreds of keys.
const maxMarkKeys = 40

// seated are a session's registered people, in the order of the list.
func seated(c *flows.Ctx, t store.Training) ([]store.Registration, bool) {
	v, err := ops.Session(c.Tx, c.Actor(), t.ID)
	if err != nil {
		c.Fail(err)
		return nil, false
	}
	return v.Seated, true
}

func markPrompt(c *flows.Ctx) flows.Reply {
	done := flows.Option{Key: "done", Label: c.T("training.opt_done")}
	t, ok := staffSession(c)
	if !ok {
		return flows.Reply{Text: c.T("training.gone"), Options: []flows.Option{done}}
	}
	regs, ok := seated(c, t)
	if !ok {
		return flows.Reply{}
	}
	var lines []string
	r := flows.Reply{}
	for i, reg := range regs {
		mark := c.T("training.mark_absent")
		if !reg.AttendedAt.IsZero() {
			mark = c.T("training.mark_present")
		}
		lines = append(lines, fmt.Sprintf("%d. %s: %s", i+1, reg.FullName, mark))
		if len(regs) <= maxMarkKeys {
			r.Options = append(r.Options, flows.Option{Key: "u" + strconv.FormatInt(reg.UserID, 10), Label: flows.ShortLabel(reg.FullName)})
		}
	}
	r.Text = c.T("training.mark_title", t.Title) + "\n\n" + strings.Join(lines, "\n")
	if len(regs) > maxMarkKeys {
		// No keys at all: a typed "1" must mean the first person, not "done".
		r.Text += "\n\n" + c.T("training.mark_type_number")
		return r
	}
	r.Options = append(r.Options, done)
	return r
}

// markChoice marks a person present, or takes the mark back when they
// were marked by mistake. The person is picked by key, or by typing their
// number in the list.
func markChoice(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	t, ok := staffSession(c)
	if choice == "done" || !ok || choice == "" && flows.Normalize(in.Text) == flows.Normalize(c.T("training.opt_done")) {
		return flows.Goto("session")
	}
	id := idFrom("u", choice)
	if n, err := strconv.Atoi(strings.TrimSpace(in.Text)); choice == "" && err == nil {
		if regs, ok := seated(c, t); ok && n >= 1 && n <= len(regs) {
			id = regs[n-1].UserID
		}
	}
	if id == 0 {
		c.Say(c.T("training.mark_which"))
		return flows.Stay()
	}
	reg, found, err := c.Tx.Registration(t.ID, id)
	if err != nil {
		return c.Fail(err)
	}
	if !found || reg.Status != store.RegRegistered {
		return flows.Stay()
	}
	// A key pressed on a person toggles: it takes back a mark made by
	// mistake.
	present := reg.AttendedAt.IsZero()
	if _, err := ops.MarkAttendance(c.Tx, c.Actor(), t.ID, id, present, c.Now.In(c.Loc)); err != nil {
		return c.Fail(err)
	}
	said := "training.unmarked"
	if present {
		said = "training.marked"
	}
	c.Say(c.T(said, reg.FullName))
	return flows.Stay()
}

func messagePrompt(c *flows.Ctx) flows.Reply {
	t, ok := staffSession(c)
	if !ok {
		return flows.Reply{Text: c.T("training.gone")}
	}
	return flows.Reply{Text: c.T("training.ask_message", t.Title, t.Registered+t.Waitlisted)}
}

func takeMessage(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	text := strings.TrimSpace(in.Text)
	if in.Kind != flows.KindText || len([]rune(text)) < ops.MinMessageRunes {
		c.Say(c.T("training.message_invalid"))
		return flows.Stay()
	}
	c.Set("msg", text)
	return flows.Goto("message_confirm")
}

func messageConfirmPrompt(c *flows.Ctx) flows.Reply {
	t, ok := staffSession(c)
	if !ok {
		return flows.Reply{Text: c.T("training.gone")}
	}
	return flows.Reply{
		Text: c.T("training.message_preview", t.Registered+t.Waitlisted, c.T("training.staff_message", t.Title, c.Get("msg"))),
		Options: []flows.Option{
			{Key: "send", Label: c.T("training.opt_send")},
			{Key: "edit", Label: c.T("training.opt_rewrite")},
		},
	}
}

func sendMessage(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	if choice != "send" {
		return flows.Goto("message")
	}
	t, ok := staffSession(c)
	if !ok {
		return flows.Goto("home")
	}
	ch, err := ops.MessageTraining(c.Tx, c.Actor(), t.ID, c.Get("msg"), c.Now.In(c.Loc))
	if err != nil {
		return c.Fail(err)
	}
	c.Deliver(ch.Result)
	if ch.Outcome == ops.Refused {
		c.Say(c.T(ch.Why))
		return flows.Goto("message")
	}
	c.Set("msg", "")
	// Sent now, or a moment ago by a second press: either way it went.
	c.Say(c.T("training.message_sent", t.Registered+t.Waitlisted))
	return flows.Fresh(c, "session")
}

func cancelSessionPrompt(c *flows.Ctx) flows.Reply {
	t, ok := staffSession(c)
	if !ok {
		return flows.Reply{Text: c.T("training.gone")}
	}
	return flows.Reply{
		Text: c.T("training.cancel_session_question", t.Title, words.When(c.User.Lang, c.Loc, t.StartsAt, t.EndsAt),
			t.Registered, t.Waitlisted),
		Options: []flows.Option{
			{Key: "yes", Label: c.T("training.opt_cancel_session_yes")},
			{Key: "no", Label: c.T("training.opt_cancel_no")},
		},
	}
}

func cancelSession(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	t, ok := staffSession(c)
	if choice != "yes" || !ok || !changeable(c, t) {
		return flows.Goto("session")
	}
	ch, err := ops.CancelTraining(c.Tx, c.Actor(), t.ID, c.Now.In(c.Loc))
	if err != nil {
		return c.Fail(err)
	}
	c.Deliver(ch.Result)
	if ch.Outcome != ops.Done {
		return flows.Goto("session")
	}
	c.Say(c.T("training.session_cancelled", t.Title, ch.Told))
	return flows.Fresh(c, "home")
}

// draftNext goes on with the questions of a new session, or back to the
// review when one part was being changed.
func draftNext(c *flows.Ctx, next string) flows.Next {
	if c.Get("review") == "1" {
		return flows.Goto("review")
	}
	return flows.Goto(next)
}

func draftProgramPrompt(c *flows.Ctx) flows.Reply {
	r := programsPrompt(c)
	r.Text = c.T("training.ask_program")
	return r
}

func takeDraftProgram(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	c.Set("d_program", choice)
	return draftNext(c, "d_title")
}

func takeDraftTitle(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	title, problem := checkTitle(in.Text)
	if in.Kind != flows.KindText || problem != "" {
		c.Say(c.T(firstNonEmpty(problem, "training.title_invalid"), maxTitle))
		return flows.Stay()
	}
	c.Set("d_title", title)
	return draftNext(c, "d_desc")
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func draftDescPrompt(c *flows.Ctx) flows.Reply {
	return flows.Reply{Text: c.T("training.ask_desc"), Options: []flows.Option{{Key: "skip", Label: c.T("training.opt_skip")}}}
}

func takeDraftDesc(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	desc := ""
	if choice != "skip" {
		desc = strings.TrimSpace(in.Text)
		if in.Kind != flows.KindText || desc == "" {
			c.Say(c.T("training.desc_invalid"))
			return flows.Stay()
		}
		if len([]rune(desc)) > maxDescription {
			c.Say(c.T("training.desc_too_long", maxDescription))
			return flows.Stay()
		}
	}
	c.Set("d_desc", desc)
	return draftNext(c, "d_kec")
}

func draftKecPrompt(c *flows.Ctx) flows.Reply {
	r := flows.Reply{Text: c.T("training.ask_kec")}
	for _, k := range wilayah.Kecamatans() {
		r.Options = append(r.Options, flows.Option{Key: k.Code, Label: k.Name})
	}
	return r
}

func takeDraftKec(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	kec, ok := kecChoice(c, in, choice)
	if !ok {
		return flows.Stay()
	}
	c.Set("d_kec", kec)
	return draftNext(c, "d_place")
}

func takeDraftPlace(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	place, problem := checkPlace(in.Text)
	if in.Kind != flows.KindText || problem != "" {
		c.Say(c.T(firstNonEmpty(problem, "training.place_invalid"), maxPlace))
		return flows.Stay()
	}
	c.Set("d_place", place)
	return draftNext(c, "d_start")
}

// exampleStart is a date a week ahead, for showing the format.
func exampleStart(c *flows.Ctx) string {
	d := c.Now.In(c.Loc).AddDate(0, 0, 7)
	return time.Date(d.Year(), d.Month(), d.Day(), 9, 0, 0, 0, c.Loc).Format("02-01-2006 15:04")
}

func draftStartPrompt(c *flows.Ctx) flows.Reply {
	return flows.Reply{Text: c.T("training.ask_start", exampleStart(c))}
}

func draftTime(c *flows.Ctx, key string) time.Time {
	t, err := time.Parse(time.RFC3339, c.Get(key))
	if err != nil {
		return time.Time{}
	}
	return t.In(c.Loc)
}

func takeDraftStart(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	start, problem := checkStart(in.Text, c.Now, c.Loc)
	if in.Kind != flows.KindText || problem != "" {
		c.Say(c.T(firstNonEmpty(problem, "training.date_format"), exampleStart(c)))
		return flows.Stay()
	}
	// Moving a session keeps its length: the end moves with the start.
	if old, end := draftTime(c, "d_start"), draftTime(c, "d_end"); !old.IsZero() && !end.IsZero() {
		c.Set("d_end", end.Add(start.Sub(old)).Format(time.RFC3339))
	}
	c.Set("d_start", start.Format(time.RFC3339))
	if c.Get("moving") == "1" {
		c.Set("moving", "")
		return flows.Goto("d_end")
	}
	return draftNext(c, "d_end")
}

// exampleEnd is a time three hours after start, for showing the format.
func exampleEnd(start time.Time) string { return start.Add(3 * time.Hour).Format("02-01-2006 15:04") }

func draftEndPrompt(c *flows.Ctx) flows.Reply {
	return flows.Reply{Text: c.T("training.ask_end", draftTime(c, "d_start").Format("02-01-2006 15:04"))}
}

func takeDraftEnd(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	start := draftTime(c, "d_start")
	end, problem := checkEnd(in.Text, start, c.Loc)
	if in.Kind != flows.KindText || problem != "" {
		c.Say(c.T(firstNonEmpty(problem, "training.date_format"), exampleEnd(start)))
		return flows.Stay()
	}
	c.Set("d_end", end.Format(time.RFC3339))
	return draftNext(c, "d_cap")
}

func takeDraftCapacity(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	capacity, problem := parseCapacity(in.Text)
	if in.Kind != flows.KindText || problem != "" {
		c.Say(c.T(firstNonEmpty(problem, "training.capacity_not_number"), maxCapacity))
		return flows.Stay()
	}
	if c.Get("mode") == "edit" {
		if t, ok := staffSession(c); ok && capacity < t.Registered {
			c.Say(c.T("training.capacity_below", t.Registered))
			return flows.Stay()
		}
	}
	c.Set("d_cap", strconv.Itoa(capacity))
	return flows.Goto("review")
}

// draft is the session as filled in so far.
func draft(c *flows.Ctx) store.Training {
	return store.Training{
		ID: int64(atoi(c.Get("sid"))), Program: c.Get("d_program"), Title: c.Get("d_title"),
		Description: c.Get("d_desc"), KecCode: c.Get("d_kec"), Place: c.Get("d_place"),
		StartsAt: draftTime(c, "d_start"), EndsAt: draftTime(c, "d_end"), Capacity: atoi(c.Get("d_cap")),
	}
}

func reviewPrompt(c *flows.Ctx) flows.Reply {
	d := draft(c)
	desc := d.Description
	if desc == "" {
		desc = "-"
	}
	text := c.T("training.review", words.ProgramName(c.User.Lang, d.Program), d.Title, desc, words.TrainingPlace(c.User.Lang, d),
		words.When(c.User.Lang, c.Loc, d.StartsAt, d.EndsAt), d.Capacity)
	save := c.T("training.opt_save")
	if c.Get("mode") == "edit" {
		text = c.T("training.review_edit") + "\n\n" + text
		save = c.T("training.opt_save_changes")
	}
	return flows.Reply{Text: text, Options: []flows.Option{
		{Key: "save", Label: save},
		{Key: "change", Label: c.T("training.opt_change")},
		{Key: "discard", Label: c.T("training.opt_discard")},
	}}
}

func reviewChoice(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	switch choice {
	case "change":
		return flows.Goto("edit_field")
	case "discard":
		c.Say(c.T("training.draft_discarded"))
		if c.Get("mode") == "edit" {
			return flows.Fresh(c, "session")
		}
		return flows.Fresh(c, "home")
	}
	if c.Get("mode") == "edit" {
		return saveChanges(c)
	}
	return saveNew(c)
}

func saveNew(c *flows.Ctx) flows.Next {
	ch, err := ops.CreateTraining(c.Tx, c.Actor(), draft(c), c.Random(), c.Now.In(c.Loc))
	if err != nil {
		return c.Fail(err)
	}
	switch ch.Outcome {
	case ops.Done:
	case ops.Refused:
		return draftProblem(c, ch)
	case ops.AlreadyDone: // made a moment ago, by a second press
		c.Say(c.T("training.already_created"))
		return flows.Fresh(c, "home")
	default:
		return flows.Fresh(c, "home")
	}
	c.Set("sid", strconv.FormatInt(ch.Training.ID, 10))
	c.Say(c.T("training.created", ch.Training.Title, ch.Training.AttendanceCode))
	return flows.Fresh(c, "session")
}

// draftProblem says what is wrong with a draft the operations refused, and
// asks that part again. The questions check each part as it is typed, so
// this is mostly a time that passed meanwhile, or seats below the people
// registered meanwhile.
func draftProblem(c *flows.Ctx, ch ops.TrainingChange) flows.Next {
	t := draft(c)
	args := map[string]any{
		ops.FieldTitle: maxTitle, ops.FieldPlace: maxPlace, ops.FieldDescription: maxDescription,
		ops.FieldStart: exampleStart(c), ops.FieldEnd: exampleEnd(t.StartsAt), ops.FieldCapacity: maxCapacity,
	}
	arg := args[ch.Field]
	if ch.Why == ops.WhyCapacityBelow {
		if cur, ok := staffSession(c); ok {
			arg = cur.Registered
		}
	}
	steps := map[string]string{
		ops.FieldProgram: "d_program", ops.FieldTitle: "d_title", ops.FieldDescription: "d_desc",
		ops.FieldKecamatan: "d_kec", ops.FieldPlace: "d_place", ops.FieldStart: "d_start", ops.FieldEnd: "d_end",
		ops.FieldCapacity: "d_cap",
	}
	c.Say(c.T(ch.Why, arg))
	return flows.Goto(steps[ch.Field])
}

// saveChanges saves an edited session. A new time or place is told to
// everyone registered or waiting; new seats go to the people waiting.
func saveChanges(c *flows.Ctx) flows.Next {
	cur, ok := staffSession(c)
	if !ok || !changeable(c, cur) {
		return flows.Fresh(c, "session")
	}
	ch, err := ops.UpdateTraining(c.Tx, c.Actor(), draft(c), c.Now.In(c.Loc))
	if err != nil {
		return c.Fail(err)
	}
	c.Deliver(ch.Result)
	switch ch.Outcome {
	case ops.Done, ops.AlreadyDone:
	case ops.Refused:
		if ch.Field == "" {
			return flows.Fresh(c, "session")
		}
		return draftProblem(c, ch)
	default:
		return flows.Fresh(c, "home")
	}
	c.Say(c.T("training.saved", ch.Told+len(ch.Promoted)))
	return flows.Fresh(c, "session")
}

func editFieldPrompt(c *flows.Ctx) flows.Reply {
	r := flows.Reply{Text: c.T("training.which_field")}
	for _, f := range draftFields {
		if f.step == "d_program" && c.Get("mode") == "edit" {
			continue // registrations answered this programme's questions
		}
		r.Options = append(r.Options, flows.Option{Key: f.step, Label: c.T(f.label)})
	}
	return r
}

func editFieldChoice(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	c.Set("review", "1")
	return flows.Goto(choice)
}

// Checks shared by the chat and the CSV import: each returns the cleaned
// value, or the locale key that explains what is wrong.

func checkTitle(s string) (string, string) {
	s = strings.Join(strings.Fields(s), " ")
	if n := len([]rune(s)); n < ops.MinTitleRunes || n > maxTitle {
		return "", "training.title_invalid"
	}
	return s, ""
}

func checkPlace(s string) (string, string) {
	s = strings.Join(strings.Fields(s), " ")
	if n := len([]rune(s)); n < ops.MinPlaceRunes || n > maxPlace {
		return "", "training.place_invalid"
	}
	return s, ""
}

// capacityWords are words people put after a number of seats.
var capacityWords = map[string]bool{"orang": true, "peserta": true, "kursi": true, "people": true, "seats": true}

func parseCapacity(s string) (int, string) {
	// Normalize drops the sign: "-5" would read as 5.
	if strings.HasPrefix(strings.TrimSpace(s), "-") {
		return 0, "training.capacity_range"
	}
	var words []string
	for _, w := range strings.Fields(flows.Normalize(s)) {
		if !capacityWords[w] {
			words = append(words, w)
		}
	}
	// A number in words ("dua puluh lima") up to 99.
	if n, ok := numberFromWords(words); ok {
		words = []string{strconv.Itoa(n)}
	}
	// "1.000" is one number; "5-10" or "20 30" are two, not 510 or 2030.
	for i, w := range words {
		if i > 0 && len(w) != 3 {
			return 0, "training.capacity_not_number"
		}
	}
	n, err := strconv.Atoi(strings.Join(words, ""))
	if err != nil {
		return 0, "training.capacity_not_number"
	}
	if n < 1 || n > maxCapacity {
		return 0, "training.capacity_range"
	}
	return n, ""
}

func checkStart(s string, now time.Time, loc *time.Location) (time.Time, string) {
	start, problem := parseDateTime(s, loc)
	if problem == "training.date_format" {
		start, problem = inWords(s, now, loc)
	}
	switch {
	case problem != "":
		return time.Time{}, problem
	case !start.After(now):
		return time.Time{}, "training.date_past"
	case start.After(now.Add(maxAhead)):
		return time.Time{}, "training.date_far"
	}
	return start, ""
}

func checkEnd(s string, start time.Time, loc *time.Location) (time.Time, string) {
	end, problem := parseEndTime(s, start, loc)
	if problem == "training.date_format" {
		end, problem = inWords(s, start, loc)
	}
	switch {
	case problem != "":
		return time.Time{}, problem
	case !end.After(start):
		return time.Time{}, "training.end_before_start"
	case end.Sub(start) > maxDuration:
		return time.Time{}, "training.end_too_far"
	}
	return end, ""
}

// inWords reads a time the way broadcasts are scheduled ("14 Juni jam 9
// pagi", "besok 08.00"), for what parseDateTime cannot read.
func inWords(s string, now time.Time, loc *time.Location) (time.Time, string) {
	t, problem := words.ParseWhen(s, now, loc)
	switch problem {
	case "":
		return t, ""
	case "broadcast.when_invalid":
		return time.Time{}, "training.date_invalid"
	}
	return time.Time{}, "training.date_format"
}

// withLang is a file request in the language of the person who asked it,
// for the news should the file fail to be made.
func withLang(f *flows.FileRequest, lang string) *flows.FileRequest {
	if f == nil {
		return nil
	}
	g := *f
	g.Args = map[string]string{exportdata.ArgLang: lang}
	for k, v := range f.Args {
		if k != exportdata.ArgLang {
			g.Args[k] = v
		}
	}
	return &g
}
