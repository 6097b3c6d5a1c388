package flows

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"klabot/locales"
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
	maxNoteRune = 2000
)

const (
	dFilter    = "filter"
	dTo        = "to"
	dVolunteer = "volunteer"
)

// statusActions label the keys that move a report to a status.
var statusActions = []struct{ status, label string }{
	{store.StatusVerified, "triage.to.diverifikasi"},
	{store.StatusReferred, "triage.to.ditindaklanjuti"},
	{store.StatusDone, "triage.to.selesai"},
	{store.StatusRejected, "triage.to.ditolak"},
	{store.StatusNotOurs, "triage.to.bukan_wewenang"},
}

// referralTargets are where a report is commonly referred.
var referralTargets = []struct{ key, label string }{
	{"uptd_ppa", "triage.ref.uptd_ppa"},
	{"polisi", "triage.ref.polisi"},
	{"sekolah", "triage.ref.sekolah"},
	{"disnaker", "triage.ref.disnaker"},
	{"dinsos", "triage.ref.dinsos"},
	{"puskesmas", "triage.ref.puskesmas"},
}

var mediaKinds = []struct{ kind, label string }{
	{string(KindPhoto), "triage.kind.photo"},
	{string(KindVoice), "triage.kind.voice"},
	{string(KindVideo), "triage.kind.video"},
	{string(KindDocument), "triage.kind.document"},
}

func mediaKindName(lang, kind string) string {
	for _, k := range mediaKinds {
		if k.kind == kind {
			return locales.T(lang, k.label)
		}
	}
	return kind
}

var roleLabels = []struct{ role, label string }{
	{store.RoleStaff, "triage.role.staff"},
	{store.RoleVolunteer, "triage.role.volunteer"},
	{store.RoleReporter, "triage.role.reporter"},
}

func addReportStaff(e *Engine) {
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

func triageFlow() *Flow {
	keys := func(c *Ctx, in Input, choice string) Next { return runCommandKey(c, choice) }
	return &Flow{ID: FlowTriage, Version: 1, Start: "menu", Steps: map[string]*Step{
		"menu": {
			Prompt: func(c *Ctx) Reply {
				return Reply{Text: c.T("triage.menu_title"), Options: []Option{
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
			Prompt: func(c *Ctx) Reply {
				if c.Get(dTo) == store.StatusAccepted {
					// Only reopening a closed report asks a reason for diterima.
					return Reply{Text: c.T("triage.note_reopen", c.Get(dCode))}
				}
				if c.Get(dTo) == store.StatusReferred {
					r := Reply{Text: c.T("triage.note_referral", c.Get(dCode))}
					for _, t := range referralTargets {
						r.Options = append(r.Options, Option{Key: "ref:" + t.key, Label: c.T(t.label)})
					}
					return r
				}
				return Reply{Text: c.T("triage.note_reason", c.Get(dCode), statusLabel(c.T, c.Get(dTo)))}
			},
			Handle: func(c *Ctx, in Input, choice string) Next {
				role, r, ok := reportFor(c, c.Get(dCode))
				if !ok {
					return Menu()
				}
				note := ""
				for _, t := range referralTargets {
					if choice == "ref:"+t.key {
						note = staffT(t.label)
					}
				}
				if note == "" {
					text, ok := typedText(in, maxNoteRune)
					if !ok {
						c.Say(c.T(notFoundKey(in, "triage.note_empty")))
						return Stay()
					}
					note = text
				}
				return changeReportStatus(c, role, r, c.Get(dTo), note)
			},
		},
		"field_note": {
			FreeText: true,
			Prompt:   func(c *Ctx) Reply { return Reply{Text: c.T("triage.note_question", c.Get(dCode))} },
			Handle: func(c *Ctx, in Input, choice string) Next {
				role, r, ok := reportFor(c, c.Get(dCode))
				if !ok {
					return Menu()
				}
				text, ok := typedText(in, maxNoteRune)
				if !ok {
					c.Say(c.T(notFoundKey(in, "triage.note_empty")))
					return Stay()
				}
				return addReportNote(c, role, r, text)
			},
		},
	}}
}

// runCommandKey runs a command key chosen from a list, typed as its number on
// channels without buttons.
func runCommandKey(c *Ctx, key string) Next {
	if name, args, ok := commandOf(Input{Kind: KindText, Text: key}); ok {
		if cmd, found := c.engine.commands[name]; found {
			return cmd(c, args)
		}
	}
	return Stay()
}

// openView answers a command with a view (a report, a list, a question). A
// person in the middle of their own report draft keeps it: the view comes
// as a message of its own, and the draft's question is asked again.
func openView(c *Ctx, flowID, step string, data map[string]string) Next {
	if c.state.Flow == FlowReport {
		orig := c.state
		c.state = &State{Flow: flowID, Step: step, Data: data}
		r := c.engine.flows[flowID].Steps[step].Prompt(c)
		c.state = orig
		c.Send(c.User.ID, store.PriorityReply, r)
		return Stay()
	}
	c.engine.enter(c, flowID, step)
	for k, v := range data {
		c.Set(k, v)
	}
	return Stay()
}

// reportRole is what a person may do with reports: staff, a volunteer, or
// nothing ("").
func reportRole(c *Ctx) (string, error) {
	if c.Staff {
		return store.RoleStaff, nil
	}
	_, ok, err := c.Tx.Volunteer(c.User.ID)
	if err != nil {
		return "", err
	}
	if ok {
		return store.RoleVolunteer, nil
	}
	return "", nil
}

// staffOnlyAnswer is the kind "not for you" to a command someone may not
// use: a volunteer hears what they can do instead.
func staffOnlyAnswer(c *Ctx) Next {
	if _, ok, err := c.Tx.Volunteer(c.User.ID); err != nil {
		return c.Fail(err)
	} else if ok {
		c.Say(c.T("triage.volunteer_cannot"))
		return Stay()
	}
	c.Say(c.T("triage.staff_only"))
	return Stay()
}

func auditReport(c *Ctx, action, subject, detail string) error {
	return c.Tx.Audit(c.Now, fmt.Sprintf("user:%d", c.User.ID), action, subject, detail)
}

// reportFor loads a report this person may handle: any for staff, only
// their assigned ones for a volunteer. A report they may not see is "not
// found", exactly like one that does not exist.
func reportFor(c *Ctx, code string) (role string, r store.Report, ok bool) {
	role, err := reportRole(c)
	if err != nil {
		c.Fail(err)
		return "", r, false
	}
	if role == "" {
		return "", r, false
	}
	r, err = c.Tx.ReportByCode(code)
	if errors.Is(err, store.ErrNotFound) || err == nil && role == store.RoleVolunteer && r.AssignedTo != c.User.ID {
		return role, store.Report{}, false
	}
	if err != nil {
		c.Fail(err)
		return role, r, false
	}
	return role, r, true
}

// commandReport reads "CODE rest" for a command and loads the report,
// saying kindly what is wrong if it cannot.
func commandReport(c *Ctx, args string, staffOnlyCmd bool) (role string, r store.Report, rest string, ok bool) {
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
		c.Say(c.T("triage.code_invalid"))
		return "", r, "", false
	}
	role, r, ok = reportFor(c, code)
	if !ok {
		c.Say(c.T("triage.not_found", code))
		return "", r, "", false
	}
	return role, r, strings.TrimSpace(rest), true
}

func cmdList(c *Ctx, args string) Next {
	role, err := reportRole(c)
	if err != nil {
		return c.Fail(err)
	}
	if role == "" {
		return staffOnlyAnswer(c)
	}
	if _, unknown := parseReportFilter(args); unknown != "" {
		c.Say(c.T("triage.filter_unknown", unknown))
	}
	if err := auditReport(c, "report:list", args, role); err != nil {
		return c.Fail(err)
	}
	return openView(c, FlowTriage, "list", map[string]string{dFilter: args})
}

func cmdOpen(c *Ctx, args string) Next {
	_, r, _, ok := commandReport(c, args, false)
	if !ok {
		return Stay()
	}
	if err := auditReport(c, "report:view", r.Code, ""); err != nil {
		return c.Fail(err)
	}
	return openView(c, FlowTriage, "view", map[string]string{dCode: r.Code})
}

func cmdAccept(c *Ctx, args string) Next {
	role, r, _, ok := commandReport(c, args, true)
	if !ok {
		return Stay()
	}
	return changeReportStatus(c, role, r, store.StatusAccepted, "")
}

func cmdVerify(c *Ctx, args string) Next {
	role, r, note, ok := commandReport(c, args, false)
	if !ok {
		return Stay()
	}
	return changeReportStatus(c, role, r, store.StatusVerified, note)
}

// cmdStatus is "/status CODE <status> [note]" for staff and volunteers.
// For anyone else it is the way to check their own reports.
func cmdStatus(c *Ctx, args string) Next {
	role, err := reportRole(c)
	if err != nil {
		return c.Fail(err)
	}
	if role == "" {
		return ownStatus(c, args)
	}
	role, r, rest, ok := commandReport(c, args, false)
	if !ok {
		return Stay()
	}
	to, note := parseStatusArg(rest)
	if to == "" {
		c.Say(c.T("triage.status_usage", r.Code, strings.Join(store.NextStatuses(r.Status, role), ", ")))
		return Stay()
	}
	return changeReportStatus(c, role, r, to, note)
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
		word := Normalize(strings.Join(fields[:n], " "))
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
func ownStatus(c *Ctx, args string) Next {
	args = strings.TrimSpace(args)
	if args == "" {
		return openView(c, FlowStatus, "list", nil)
	}
	code, ok := store.ParseReportCode(args)
	if !ok {
		return staffOnlyAnswer(c)
	}
	if _, own, err := ownReport(c, code); err != nil {
		return c.Fail(err)
	} else if !own {
		c.Say(c.T("track.not_found", code))
		return openView(c, FlowStatus, "list", nil)
	}
	return openView(c, FlowStatus, "detail", map[string]string{dCode: code})
}

// changeReportStatus moves a report on, records and audits it, and tells the
// reporter in their language what it means for them.
func changeReportStatus(c *Ctx, role string, r store.Report, to, note string) Next {
	before, err := c.Tx.ChangeReportStatus(r.ID, to, c.User.ID, role, note, c.Now)
	switch {
	case errors.Is(err, store.ErrNotAllowed):
		return staffOnlyAnswer(c)
	case errors.Is(err, store.ErrBadTransition) && before.Status == to:
		c.Say(c.T("triage.already_status", r.Code, statusLabel(c.T, to)))
		return openView(c, FlowTriage, "view", map[string]string{dCode: r.Code})
	case errors.Is(err, store.ErrBadTransition):
		c.Say(c.T("triage.cannot_change", r.Code, statusLabel(c.T, before.Status), statusLabel(c.T, to)))
		return openView(c, FlowTriage, "view", map[string]string{dCode: r.Code})
	case errors.Is(err, store.ErrNoteRequired):
		if c.state.Flow == FlowReport {
			c.Say(c.T("triage.note_typed", r.Code, to))
			return Stay()
		}
		return openView(c, FlowTriage, "note", map[string]string{dCode: r.Code, dTo: to})
	case err != nil:
		return c.Fail(err)
	}
	if err := auditReport(c, "report:status", r.Code, before.Status+" -> "+to); err != nil {
		return c.Fail(err)
	}
	if store.IsReopening(before.Status, to) {
		if err := tellReopened(c, r); err != nil {
			return c.Fail(err)
		}
	}
	for _, s := range statusLabels {
		if s.status == to && s.push != "" && !store.IsReopening(before.Status, to) {
			if err := pushReporter(c, r, s.push); err != nil {
				return c.Fail(err)
			}
		}
	}
	if role == store.RoleVolunteer {
		c.NotifyStaff(store.PriorityAlert, Reply{Text: staffT("triage.volunteer_status", r.Code, statusLabel(staffT, to)),
			Options: []Option{{Key: "/buka " + r.Code, Label: staffT("triage.open")}}})
	}
	c.Say(c.T("triage.status_changed", r.Code, statusLabel(c.T, to)))
	return openView(c, FlowTriage, "view", map[string]string{dCode: r.Code})
}

// tellReopened tells the reporter that their report is looked at again,
// and the volunteer it is assigned to (if they still are one) that it is
// theirs to follow again.
func tellReopened(c *Ctx, r store.Report) error {
	if err := pushReporter(c, r, "report.push.reopened"); err != nil {
		return err
	}
	if r.AssignedTo == 0 {
		return nil
	}
	if _, still, err := c.Tx.Volunteer(r.AssignedTo); err != nil || !still {
		return err
	}
	vol, err := c.Tx.User(r.AssignedTo)
	if err != nil {
		return err
	}
	c.Send(vol.ID, store.PriorityAlert, Reply{Text: c.TFor(vol, "triage.reopened_to_volunteer", r.Code),
		Options: []Option{{Key: "/buka " + r.Code, Label: c.TFor(vol, "triage.open")}}})
	return nil
}

// pushReporter tells the reporter what happened to their report, in their
// language, with a key to see it.
func pushReporter(c *Ctx, r store.Report, key string) error {
	reporter, err := c.Tx.User(r.ReporterID)
	if err != nil {
		return err
	}
	c.Send(reporter.ID, store.PriorityAlert, Reply{Text: c.TFor(reporter, key, r.Code), Options: []Option{
		{Key: "/status " + r.Code, Label: c.TFor(reporter, "track.see")},
	}})
	return nil
}

func cmdAssign(c *Ctx, args string) Next {
	_, r, rest, ok := commandReport(c, args, true)
	if !ok {
		return Stay()
	}
	if store.IsClosed(r.Status) {
		c.Say(c.T("triage.closed", r.Code))
		return Stay()
	}
	var volunteerID int64
	if _, err := fmt.Sscan(rest, &volunteerID); err != nil || volunteerID == 0 {
		return openView(c, FlowTriage, "assign", map[string]string{dCode: r.Code})
	}
	vol, isVolunteer, err := c.Tx.Volunteer(volunteerID)
	if err != nil {
		return c.Fail(err)
	}
	if !isVolunteer {
		c.Say(c.T("triage.volunteer_unknown"))
		return openView(c, FlowTriage, "assign", map[string]string{dCode: r.Code})
	}
	if r.Status == store.StatusNew {
		// Assigning a new report takes it on.
		if _, err := c.Tx.ChangeReportStatus(r.ID, store.StatusAccepted, c.User.ID, store.RoleStaff, "", c.Now); err != nil {
			return c.Fail(err)
		}
		if err := auditReport(c, "report:status", r.Code, store.StatusNew+" -> "+store.StatusAccepted); err != nil {
			return c.Fail(err)
		}
		if err := pushReporter(c, r, "report.push.diterima"); err != nil {
			return c.Fail(err)
		}
	}
	if err := c.Tx.AssignReport(r.ID, vol.UserID, c.User.ID, c.Now); err != nil {
		return c.Fail(err)
	}
	if err := auditReport(c, "report:assign", r.Code, fmt.Sprintf("volunteer user:%d", vol.UserID)); err != nil {
		return c.Fail(err)
	}
	updated, err := c.Tx.ReportByCode(r.Code)
	if err != nil {
		return c.Fail(err)
	}
	volUser, err := c.Tx.User(vol.UserID)
	if err != nil {
		return c.Fail(err)
	}
	card, err := reportCard(c, updated, volUser.Lang, cardVolunteer)
	if err != nil {
		return c.Fail(err)
	}
	c.Send(vol.UserID, store.PriorityAlert, Reply{Text: c.TFor(volUser, "triage.assigned_to_you", r.Code) + "\n\n" + card,
		Options: []Option{
			{Key: "/verifikasi " + r.Code, Label: c.TFor(volUser, "triage.to.diverifikasi")},
			{Key: "/catatan " + r.Code, Label: c.TFor(volUser, "triage.note")},
			{Key: "/buka " + r.Code, Label: c.TFor(volUser, "triage.open")},
		}})
	if r.AssignedTo == 0 {
		if err := pushReporter(c, r, "report.push.assigned"); err != nil {
			return c.Fail(err)
		}
	}
	name, err := staffName(c, vol.UserID)
	if err != nil {
		return c.Fail(err)
	}
	c.Say(c.T("triage.assigned", r.Code, name))
	return openView(c, FlowTriage, "view", map[string]string{dCode: r.Code})
}

func cmdNote(c *Ctx, args string) Next {
	role, r, text, ok := commandReport(c, args, false)
	if !ok {
		return Stay()
	}
	if text == "" {
		if c.state.Flow == FlowReport {
			c.Say(c.T("triage.note_typed_plain", r.Code))
			return Stay()
		}
		return openView(c, FlowTriage, "field_note", map[string]string{dCode: r.Code})
	}
	if runes := []rune(text); len(runes) > maxNoteRune {
		text = string(runes[:maxNoteRune])
	}
	return addReportNote(c, role, r, text)
}

func addReportNote(c *Ctx, role string, r store.Report, text string) Next {
	if err := c.Tx.AddReportEvent(store.ReportEvent{ReportID: r.ID, At: c.Now, ActorID: c.User.ID, Role: role,
		Kind: store.EventNote, Note: text}); err != nil {
		return c.Fail(err)
	}
	if err := auditReport(c, "report:note", r.Code, role); err != nil {
		return c.Fail(err)
	}
	if role == store.RoleVolunteer {
		c.NotifyStaff(store.PriorityAlert, Reply{Text: staffT("triage.volunteer_note", r.Code),
			Options: []Option{{Key: "/buka " + r.Code, Label: staffT("triage.open")}}})
	}
	c.Say(c.T("triage.note_saved", r.Code))
	return openView(c, FlowTriage, "view", map[string]string{dCode: r.Code})
}

// cmdEvidence sends the saved evidence files of a report to whoever asks
// (staff, or the assigned volunteer).
func cmdEvidence(c *Ctx, args string) Next {
	_, r, _, ok := commandReport(c, args, false)
	if !ok {
		return Stay()
	}
	media, err := c.Tx.ReportMedia(r.ID)
	if err != nil {
		return c.Fail(err)
	}
	if err := auditReport(c, "report:media_view", r.Code, ""); err != nil {
		return c.Fail(err)
	}
	sent, waiting := 0, 0
	for i, m := range media {
		switch m.State {
		case store.MediaPending:
			waiting++
			continue
		case store.MediaFailed:
			continue
		}
		kind, attach := mediaKindName(c.User.Lang, m.Kind), "document"
		if m.Kind == string(KindPhoto) {
			attach = "photo"
		}
		c.Send(c.User.ID, store.PriorityReply, Reply{
			Text:       c.T("triage.evidence_caption", i+1, len(media), r.Code, kind),
			Attachment: &Attachment{Kind: attach, Path: m.Path, Name: fmt.Sprintf("%s-%d%s", r.Code, i+1, filepath.Ext(m.Path))},
		})
		sent++
	}
	c.Say(c.T("triage.evidence_summary", r.Code, sent, waiting, len(media)-sent-waiting))
	return Stay()
}
