package report

import (
	"fmt"
	"slices"
	"strings"

	"klabot/flows"
	"klabot/flows/ops"
	"klabot/flows/place"
	"klabot/flows/words"
	"klabot/store"
)

// Staff and Satgas PA volunteers handle reports with commands that work on
// every channel (typed, or as command keys on alerts, which never go
// stale): /laporan, /buka, /terima, /tugaskan, /status, /verifikasi,
// /catatan, /bukti, /undang, /relawan; and anyone can join as a volunteer
// with /kode. Staff see everything; a volunteer sees only the reports
// assigned to them, and never who reported. Every view and change is
// audited.

// Flow ids of the staff and volunteer side.
const (
	FlowTriage = "triage"      // staff and volunteer views of reports
	FlowJoin   = "satgas_join" // redeeming an invite code
)

// maxListed bounds a report list; maxListKeys the keys under it.
const (
	maxListed   = 20
	maxListKeys = 10
)

const (
	dFilter    = "filter"
	dTo        = "to"
	dVolunteer = "volunteer"
	// dBrief: the report is shown again after an action on it; a long
	// story is not sent again whole.
	dBrief = "brief"
)

// briefStory is how much of a story a report shown again after an action
// carries; /buka shows it whole.
const briefStory = 300

// statusActions label the keys that move a report to a status.
var statusActions = []struct{ status, label string }{
	{store.StatusVerified, "triage.to.diverifikasi"},
	{store.StatusReferred, "triage.to.ditindaklanjuti"},
	{store.StatusDone, "triage.to.selesai"},
	{store.StatusRejected, "triage.to.ditolak"},
	{store.StatusNotOurs, "triage.to.bukan_wewenang"},
}

// referralTargets are where a report is commonly referred.
var referralTargets = []words.Choice{
	{Key: "uptd_ppa", Label: "triage.ref.uptd_ppa"},
	{Key: "polisi", Label: "triage.ref.polisi"},
	{Key: "sekolah", Label: "triage.ref.sekolah"},
	{Key: "disnaker", Label: "triage.ref.disnaker"},
	{Key: "dinsos", Label: "triage.ref.dinsos"},
	{Key: "puskesmas", Label: "triage.ref.puskesmas"},
}

func addReportStaff(e *flows.Engine) {
	e.Register(triageFlow())
	e.Register(joinFlow())
	e.AddStaffEntry("laporan", "triage.menu_reports", FlowTriage)
	e.AddCommand("laporan", cmdList)
	e.AddCommand("buka", cmdOpen)
	e.AddCommand("terima", cmdAccept)
	e.AddCommand("tugaskan", cmdAssign)
	e.AddCommand("status", cmdStatus)
	e.ListCommand("status", "command.status")
	e.AddCommand("verifikasi", cmdVerify)
	e.AddCommand("catatan", cmdNote)
	e.AddCommand("bukti", cmdEvidence)
	e.AddCommand("undang", cmdInvite)
	e.AddCommand("kode", cmdRedeem)
	e.AddCommand("relawan", cmdVolunteers)
}

func triageFlow() *flows.Flow {
	keys := func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
		if choice == "" {
			// Something typed at a screen with nothing to choose (an
			// empty list): not the same screen again, the main menu.
			return flows.Menu()
		}
		return runCommandKey(c, choice)
	}
	return &flows.Flow{ID: FlowTriage, Version: 1, Start: "menu", Steps: map[string]*flows.Step{
		"menu": {
			Prompt: func(c *flows.Ctx) flows.Reply {
				return flows.Reply{Text: c.T("triage.menu_title"), Options: []flows.Option{
					{Key: "/laporan baru", Label: c.T("triage.menu_new")},
					{Key: "/laporan", Label: c.T("triage.menu_open")},
					{Key: "/laporan mendesak", Label: c.T("triage.menu_urgent")},
					{Key: "/laporan ditutup", Label: c.T("triage.menu_closed")},
					{Key: "/relawan", Label: c.T("triage.menu_volunteers")},
				}}
			},
			Handle: keys,
		},
		"list":             {Prompt: triageListPrompt, Handle: keys},
		"view":             {Prompt: triageViewPrompt, Handle: keys},
		"assign":           {Prompt: triageAssignPrompt, Handle: keys},
		"volunteers":       {Prompt: volunteersPrompt, Handle: keys},
		"volunteer":        {Prompt: volunteerPrompt, Handle: keys},
		"volunteer_remove": {Prompt: volunteerRemovePrompt, Handle: volunteerRemoveHandle},
		"note": {
			FreeText: true,
			Prompt: func(c *flows.Ctx) flows.Reply {
				if c.Get(dTo) == store.StatusAccepted {
					// Only reopening a closed report asks a reason for diterima.
					return flows.Reply{Text: c.T("triage.note_reopen", c.Get(dCode))}
				}
				if c.Get(dTo) == store.StatusReferred {
					r := flows.Reply{Text: c.T("triage.note_referral", c.Get(dCode))}
					for _, t := range referralTargets {
						r.Options = append(r.Options, flows.Option{Key: "ref:" + t.Key, Label: c.T(t.Label)})
					}
					return r
				}
				return flows.Reply{Text: c.T("triage.note_reason", c.Get(dCode), words.StatusLabel(c.T, c.Get(dTo)))}
			},
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				note := ""
				for _, t := range referralTargets {
					if choice == "ref:"+t.Key {
						note = flows.StaffT(t.Label)
					}
				}
				if note == "" {
					text, ok := typedText(in, maxDescRunes) // the operation refuses what is too long
					if !ok {
						c.Say(c.T(place.NotFoundKey(in, "triage.note_empty")))
						return flows.Stay()
					}
					note = text
				}
				return changeReportStatus(c, c.Get(dCode), c.Get(dTo), note)
			},
		},
		"field_note": {
			FreeText: true,
			Prompt:   func(c *flows.Ctx) flows.Reply { return flows.Reply{Text: c.T("triage.note_question", c.Get(dCode))} },
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				text, ok := typedText(in, maxDescRunes) // the operation refuses what is too long
				if !ok {
					c.Say(c.T(place.NotFoundKey(in, "triage.note_empty")))
					return flows.Stay()
				}
				return addReportNote(c, c.Get(dCode), text)
			},
		},
	}}
}

// runCommandKey runs a command key chosen from a list, typed as its number on
// channels without buttons.
func runCommandKey(c *flows.Ctx, key string) flows.Next {
	if next, ok := c.RunCommand(key); ok {
		return next
	}
	return flows.Stay()
}

// openView answers a command with a view (a report, a list, a question). A
// person in the middle of their own report draft keeps it: the view comes
// as a message of its own, and the draft's question is asked again.
func openView(c *flows.Ctx, flowID, step string, data map[string]string) flows.Next {
	if c.FlowID() == FlowAnswer {
		resume(c) // the answer is left; what it interrupted is not
	}
	if c.FlowID() == flows.FlowReport {
		c.Send(c.User.ID, store.PriorityReply, c.PromptOf(flowID, step, data))
		return flows.Stay()
	}
	c.Enter(flowID, step)
	for k, v := range data {
		c.Set(k, v)
	}
	return flows.Stay()
}

// reportRole is what a person may do with reports: staff, a volunteer, or
// nothing ("").
func reportRole(c *flows.Ctx) (string, error) { return ops.ReportRole(c.Tx, c.Actor()) }

// staffOnlyAnswer is the kind "not for you" to a command someone may not
// use: a volunteer hears what they can do instead.
func staffOnlyAnswer(c *flows.Ctx) flows.Next {
	if _, ok, err := c.Tx.Volunteer(c.User.ID); err != nil {
		return c.Fail(err)
	} else if ok {
		c.Say(c.T("triage.volunteer_cannot"))
		return flows.Stay()
	}
	c.Say(c.T("triage.staff_only"))
	return flows.Stay()
}

// reportFor loads a report this person may handle: any for staff, only
// their assigned ones for a volunteer. A report they may not see is "not
// found", exactly like one that does not exist.
func reportFor(c *flows.Ctx, code string) (role string, r store.Report, ok bool) {
	r, role, o, err := ops.ReportFor(c.Tx, c.Actor(), code)
	if err != nil {
		c.Fail(err)
		return role, r, false
	}
	return role, r, o == ops.Done
}

// commandReport reads "CODE rest" for a command and loads the report,
// saying kindly what is wrong if it cannot.
func commandReport(c *flows.Ctx, args string, staffOnlyCmd bool) (role string, r store.Report, rest string, ok bool) {
	role, err := reportRole(c)
	if err != nil {
		c.Fail(err)
		return "", r, "", false
	}
	if role == "" || staffOnlyCmd && role != store.RoleStaff {
		staffOnlyAnswer(c)
		return "", r, "", false
	}
	word, rest, _ := strings.Cut(strings.TrimSpace(args), " ")
	code, valid := store.ParseReportCode(word)
	if !valid {
		// "/buka LPR ABCD EFGH": the code typed with spaces.
		fields := strings.Fields(args)
		if len(fields) >= 3 {
			if code, valid = store.ParseReportCode(strings.Join(fields[:3], "")); valid {
				rest = strings.Join(fields[3:], " ")
			}
		}
	}
	if !valid {
		c.Tell(c.T("triage.code_invalid"))
		return "", r, "", false
	}
	role, r, ok = reportFor(c, code)
	if !ok {
		c.Tell(c.T("triage.not_found", code))
		return "", r, "", false
	}
	return role, r, strings.TrimSpace(rest), true
}

// refused answers an operation that did not happen for a reason that
// needs no more words than the report's code: not allowed, not found.
// false if the operation happened (or was done before).
func refused(c *flows.Ctx, res ops.Result, code string) bool {
	switch res.Outcome {
	case ops.NotAllowed:
		c.Say(c.T(res.Why))
	case ops.NotFound:
		c.Say(c.T("triage.not_found", code))
	default:
		return false
	}
	return true
}

func cmdList(c *flows.Ctx, args string) flows.Next {
	f, unknown := parseReportFilter(args)
	l, err := ops.ListReports(c.Tx, c.Actor(), f, args, c.Now.In(c.Loc))
	if err != nil {
		return c.Fail(err)
	}
	if l.Outcome != ops.Done {
		return staffOnlyAnswer(c)
	}
	if unknown != "" {
		c.Say(c.T("triage.filter_unknown", unknown))
	}
	return openView(c, FlowTriage, "list", map[string]string{dFilter: args})
}

func cmdOpen(c *flows.Ctx, args string) flows.Next {
	_, r, _, ok := commandReport(c, args, false)
	if !ok {
		return flows.Stay()
	}
	v, err := ops.ViewReport(c.Tx, c.Actor(), r.Code, c.Now.In(c.Loc))
	if err != nil {
		return c.Fail(err)
	}
	if refused(c, v.Result, r.Code) {
		return flows.Stay()
	}
	return openView(c, FlowTriage, "view", map[string]string{dCode: r.Code})
}

func cmdAccept(c *flows.Ctx, args string) flows.Next {
	_, r, _, ok := commandReport(c, args, true)
	if !ok {
		return flows.Stay()
	}
	ch, err := ops.Accept(c.Tx, c.Actor(), r.Code, c.Now.In(c.Loc))
	return statusAnswer(c, r.Code, store.StatusAccepted, ch, err)
}

func cmdVerify(c *flows.Ctx, args string) flows.Next {
	_, r, note, ok := commandReport(c, args, false)
	if !ok {
		return flows.Stay()
	}
	return changeReportStatus(c, r.Code, store.StatusVerified, note)
}

// cmdStatus is "/status CODE <status> [note]" for staff and volunteers.
// For anyone else it is the way to check their own reports.
func cmdStatus(c *flows.Ctx, args string) flows.Next {
	role, err := reportRole(c)
	if err != nil {
		return c.Fail(err)
	}
	if role == "" {
		return ownStatus(c, args)
	}
	role, r, rest, ok := commandReport(c, args, false)
	if !ok {
		return flows.Stay()
	}
	to, note := parseStatusArg(rest)
	if to == "" {
		c.Say(c.T("triage.status_usage", r.Code, strings.Join(store.NextStatuses(r.Status, role), ", ")))
		return flows.Stay()
	}
	return changeReportStatus(c, r.Code, to, note)
}

// statusSynonyms are other ways staff type a status.
var statusSynonyms = map[string]string{
	"terima": store.StatusAccepted, "verifikasi": store.StatusVerified, "terverifikasi": store.StatusVerified,
	"tindaklanjut": store.StatusReferred, "tindak lanjut": store.StatusReferred, "rujuk": store.StatusReferred,
	"dirujuk": store.StatusReferred, "tolak": store.StatusRejected, "bukan wewenang": store.StatusNotOurs,
	"buka kembali": store.StatusAccepted, "bukakembali": store.StatusAccepted, "buka lagi": store.StatusAccepted,
}

// parseStatusArg reads "<status> [note]": the status word (or two, as in
// "bukan wewenang") and the note as typed.
func parseStatusArg(text string) (status, note string) {
	fields := strings.Fields(text)
	for n := min(2, len(fields)); n >= 1; n-- {
		word := flows.Normalize(strings.Join(fields[:n], " "))
		if s, ok := statusSynonyms[word]; ok {
			return s, strings.Join(fields[n:], " ")
		}
		if s := strings.ReplaceAll(word, " ", "_"); slices.Contains(store.Statuses, s) {
			return s, strings.Join(fields[n:], " ")
		}
	}
	return "", ""
}

// ownStatus is /status for a reporter: their list, or one of their own
// reports by code.
func ownStatus(c *flows.Ctx, args string) flows.Next {
	args = strings.TrimSpace(args)
	if args == "" {
		return openView(c, flows.FlowStatus, "list", nil)
	}
	code, ok := store.ParseReportCode(args)
	if !ok {
		return staffOnlyAnswer(c)
	}
	if _, own, err := ownReport(c, code); err != nil {
		return c.Fail(err)
	} else if !own {
		c.Tell(c.T("track.not_found", code))
		return flows.Stay()
	}
	return openView(c, flows.FlowStatus, "detail", map[string]string{dCode: code})
}

// changeReportStatus moves a report on (ops.ChangeStatus) and answers.
func changeReportStatus(c *flows.Ctx, code, to, note string) flows.Next {
	ch, err := ops.ChangeStatus(c.Tx, c.Actor(), code, to, note, c.Now.In(c.Loc))
	return statusAnswer(c, code, to, ch, err)
}

// statusAnswer tells the person what came of a status change, and shows
// the report again; a change that needs a note asks for it.
func statusAnswer(c *flows.Ctx, code, to string, ch ops.StatusChange, err error) flows.Next {
	if err != nil {
		return c.Fail(err)
	}
	c.Deliver(ch.Result)
	view := map[string]string{dCode: code, dBrief: "1"}
	switch {
	case ch.Outcome == ops.NotFound:
		c.Say(c.T("triage.not_found", code))
		return flows.Menu()
	case refused(c, ch.Result, code):
		return flows.Stay()
	case ch.Outcome == ops.AlreadyDone:
		c.Say(c.T("triage.already_status", code, words.StatusLabel(c.T, to)))
	case ch.Why == ops.WhyCannotChange:
		c.Say(c.T("triage.cannot_change", code, words.StatusLabel(c.T, ch.From), words.StatusLabel(c.T, to)))
	case ch.Outcome == ops.Refused: // a note is needed
		if c.FlowID() == flows.FlowReport {
			c.Say(c.T("triage.note_typed", code, to))
			return flows.Stay()
		}
		return openView(c, FlowTriage, "note", map[string]string{dCode: code, dTo: to})
	default:
		c.Say(c.T("triage.status_changed", code, words.StatusLabel(c.T, to)))
	}
	return openView(c, FlowTriage, "view", view)
}

func cmdAssign(c *flows.Ctx, args string) flows.Next {
	_, r, rest, ok := commandReport(c, args, true)
	if !ok {
		return flows.Stay()
	}
	if store.IsClosed(r.Status) {
		c.Say(c.T("triage.closed", r.Code))
		return flows.Stay()
	}
	var volunteerID int64
	if _, err := fmt.Sscan(rest, &volunteerID); err != nil || volunteerID == 0 {
		return openView(c, FlowTriage, "assign", map[string]string{dCode: r.Code})
	}
	res, err := ops.Assign(c.Tx, c.Actor(), r.Code, volunteerID, c.Now.In(c.Loc))
	if err != nil {
		return c.Fail(err)
	}
	c.Deliver(res)
	switch {
	case refused(c, res, r.Code):
		return flows.Stay()
	case res.Why == ops.WhyNotVolunteer:
		c.Say(c.T("triage.volunteer_unknown"))
		return openView(c, FlowTriage, "assign", map[string]string{dCode: r.Code})
	case res.Why == ops.WhyClosed:
		c.Say(c.T("triage.closed", r.Code))
		return flows.Stay()
	}
	name, err := ops.PersonName(c.Tx, volunteerID)
	if err != nil {
		return c.Fail(err)
	}
	if res.Outcome == ops.AlreadyDone {
		c.Say(c.T("triage.already_assigned", r.Code, name))
	} else {
		c.Say(c.T("triage.assigned", r.Code, name))
	}
	return openView(c, FlowTriage, "view", map[string]string{dCode: r.Code, dBrief: "1"})
}

func cmdNote(c *flows.Ctx, args string) flows.Next {
	_, r, text, ok := commandReport(c, args, false)
	if !ok {
		return flows.Stay()
	}
	if text == "" {
		if c.FlowID() == flows.FlowReport {
			c.Say(c.T("triage.note_typed_plain", r.Code))
			return flows.Stay()
		}
		return openView(c, FlowTriage, "field_note", map[string]string{dCode: r.Code})
	}
	return addReportNote(c, r.Code, text)
}

// addReportNote adds a note (ops.AddNote) and answers; the same note sent
// twice is answered the same, and kept once.
func addReportNote(c *flows.Ctx, code, text string) flows.Next {
	res, err := ops.AddNote(c.Tx, c.Actor(), code, text, c.Now.In(c.Loc))
	if err != nil {
		return c.Fail(err)
	}
	c.Deliver(res)
	switch {
	case res.Outcome == ops.NotFound:
		c.Say(c.T("triage.not_found", code))
		return flows.Menu()
	case refused(c, res, code):
		return flows.Stay()
	case res.Outcome == ops.Refused:
		c.Say(c.T(res.Why))
		return flows.Stay()
	}
	c.Say(c.T("triage.note_saved", code))
	return openView(c, FlowTriage, "view", map[string]string{dCode: code, dBrief: "1"})
}

// cmdEvidence sends the saved evidence files of a report to whoever asks
// (staff, or the assigned volunteer).
func cmdEvidence(c *flows.Ctx, args string) flows.Next {
	_, r, _, ok := commandReport(c, args, false)
	if !ok {
		return flows.Stay()
	}
	ev, err := ops.ListEvidence(c.Tx, c.Actor(), r.Code, c.Now.In(c.Loc))
	if err != nil {
		return c.Fail(err)
	}
	if refused(c, ev.Result, r.Code) {
		return flows.Stay()
	}
	sent, waiting := 0, 0
	for i, m := range ev.Media {
		switch m.State {
		case store.MediaPending:
			waiting++
			continue
		case store.MediaFailed:
			continue
		}
		kind, attach := words.MediaKindName(c.User.Lang, m.Kind), "document"
		if m.Kind == string(flows.KindPhoto) {
			attach = "photo"
		}
		c.Send(c.User.ID, store.PriorityReply, flows.Reply{
			Text:       c.T("triage.evidence_caption", i+1, len(ev.Media), r.Code, kind),
			Attachment: &flows.Attachment{Kind: attach, Path: m.Path, Name: ops.EvidenceName(r.Code, i+1, m)},
		})
		sent++
	}
	c.Say(c.T("triage.evidence_summary", r.Code, sent, waiting, len(ev.Media)-sent-waiting))
	return flows.Stay()
}

// ReferralNotes are the usual referral targets, as the chat notes them.
func ReferralNotes() []string {
	out := make([]string, len(referralTargets))
	for i, t := range referralTargets {
		out[i] = flows.StaffT(t.Label)
	}
	return out
}
