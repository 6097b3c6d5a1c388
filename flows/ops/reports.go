package ops

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"klabot/flows/out"
	"klabot/flows/words"
	"klabot/locales"
	"klabot/store"
)

// Staff see every report; a Satgas PA volunteer sees only the reports
// assigned to them, and never who reported. A report someone may not see
// is "not found", exactly like one that does not exist, so codes cannot be
// used to learn that a report exists. Every view and change is audited.

// MaxNoteRunes bounds a note on a report; a longer one is refused.
const MaxNoteRunes = 2000

// Reasons (locales keys) an operation on reports gives with NotAllowed or
// Refused.
const (
	// WhyStaffOnly: only staff and volunteers handle reports.
	WhyStaffOnly = "triage.staff_only"
	// WhyVolunteerCannot: a volunteer asked for what only staff may do.
	WhyVolunteerCannot = "triage.volunteer_cannot"
	// WhyCannotChange (code, from status, to status): not from this status.
	WhyCannotChange = "triage.cannot_change"
	// WhyNoteReason (code, status), WhyNoteReferral (code), WhyNoteReopen
	// (code): this change needs a note (the question asking for it).
	WhyNoteReason   = "triage.note_reason"
	WhyNoteReferral = "triage.note_referral"
	WhyNoteReopen   = "triage.note_reopen"
	// WhyReferralStatus (code, status): where a report is referred goes
	// only with the status that means a referral.
	WhyReferralStatus = "triage.referral_status"
	// WhyNoteEmpty: a note with nothing in it.
	WhyNoteEmpty = "triage.note_empty"
	// WhyNoteLong: the note is longer than MaxNoteRunes.
	WhyNoteLong = "triage.note_long"
	// WhyClosed (code): a closed report is not assigned.
	WhyClosed = "triage.closed"
	// WhyNotVolunteer: the person chosen is not a volunteer.
	WhyNotVolunteer = "triage.volunteer_unknown"
)

// ReportRole is what an actor may do with reports: store.RoleStaff,
// store.RoleVolunteer, or "" (nothing).
func ReportRole(tx *store.Tx, a Actor) (string, error) {
	if a.Staff {
		return store.RoleStaff, nil
	}
	_, ok, err := tx.Volunteer(a.UserID)
	if err != nil {
		return "", err
	}
	if ok {
		return store.RoleVolunteer, nil
	}
	return "", nil
}

// notAllowed is the refusal of a staff-only action, explained as fits the
// actor: a volunteer hears what they can do instead.
func notAllowed(tx *store.Tx, a Actor) (Result, error) {
	role, err := ReportRole(tx, a)
	if err != nil {
		return Result{}, err
	}
	if role == store.RoleVolunteer {
		return Result{Outcome: NotAllowed, Why: WhyVolunteerCannot}, nil
	}
	return Result{Outcome: NotAllowed, Why: WhyStaffOnly}, nil
}

// ReportFor loads a report the actor may see, without an audit row: for
// showing again what was already opened. Outcome is Done, NotAllowed (not
// staff nor a volunteer) or NotFound (no such report, or not theirs).
func ReportFor(tx *store.Tx, a Actor, code string) (r store.Report, role string, o Outcome, err error) {
	role, err = ReportRole(tx, a)
	if err != nil {
		return r, "", Done, err
	}
	if role == "" {
		return r, "", NotAllowed, nil
	}
	r, err = tx.ReportByCode(code)
	if errors.Is(err, store.ErrNotFound) || err == nil && role == store.RoleVolunteer && r.AssignedTo != a.UserID {
		return store.Report{}, role, NotFound, nil
	}
	if err != nil {
		return r, role, Done, err
	}
	return r, role, Done, nil
}

// reportFor is ReportFor as a Result, with the reason for NotAllowed.
func reportFor(tx *store.Tx, a Actor, code string) (store.Report, string, Result, error) {
	r, role, o, err := ReportFor(tx, a, code)
	if err != nil || o == Done {
		return r, role, Result{Outcome: o}, err
	}
	if o == NotAllowed {
		return r, role, Result{Outcome: NotAllowed, Why: WhyStaffOnly}, nil
	}
	return r, role, Result{Outcome: o}, nil
}

func audit(tx *store.Tx, a Actor, now time.Time, action, subject, detail string) error {
	return tx.Audit(now, a.AuditName(), action, subject, detail)
}

// ReportList is what ListReports found.
type ReportList struct {
	Result
	Role    string
	Reports []store.Report
}

// ListReports lists the reports f selects that the actor may see (a
// volunteer only theirs), with an audit row naming query, the filter as
// the actor asked for it.
func ListReports(tx *store.Tx, a Actor, f store.ReportFilter, query string, now time.Time) (ReportList, error) {
	l, err := VisibleReports(tx, a, f)
	if err != nil || l.Outcome != Done {
		return l, err
	}
	return l, audit(tx, a, now, "report:list", query, l.Role)
}

// VisibleReports is ListReports without an audit row: for showing again a
// list already asked for.
func VisibleReports(tx *store.Tx, a Actor, f store.ReportFilter) (ReportList, error) {
	role, err := ReportRole(tx, a)
	if err != nil {
		return ReportList{}, err
	}
	if role == "" {
		return ReportList{Result: Result{Outcome: NotAllowed, Why: WhyStaffOnly}}, nil
	}
	if role == store.RoleVolunteer {
		f.AssignedTo = a.UserID
	}
	reports, err := tx.ListReports(f)
	return ReportList{Role: role, Reports: reports}, err
}

// ReportView is a report as an actor may see it.
type ReportView struct {
	Result
	Role   string
	Report store.Report
	// Events are its history, oldest first.
	Events []store.ReportEvent
	Media  []store.Media
	// Reporter is who reported, for staff only and only when the reporter
	// chose to be named; Named says whether it is set.
	Reporter struct {
		Name    string
		Contact store.Contact
	}
	Named bool
	// Volunteer is the name of the volunteer it is assigned to, or "".
	Volunteer string
	// Statuses are the statuses the actor may move it to now.
	Statuses []string
	// Questions are those put to the reporter, oldest first, with the
	// answers; they never say who the reporter is.
	Questions []store.Question
}

// ViewReport opens a report for an actor, with an audit row.
func ViewReport(tx *store.Tx, a Actor, code string, now time.Time) (ReportView, error) {
	r, role, res, err := reportFor(tx, a, code)
	if err != nil || res.Outcome != Done {
		return ReportView{Result: res}, err
	}
	v := ReportView{Role: role, Report: r, Statuses: store.NextStatuses(r.Status, role)}
	if v.Events, err = tx.ReportEvents(r.ID); err != nil {
		return v, err
	}
	if v.Media, err = tx.ReportMedia(r.ID); err != nil {
		return v, err
	}
	if v.Questions, err = tx.Questions(r.ID); err != nil {
		return v, err
	}
	if role == store.RoleStaff {
		if v.Reporter.Name, v.Reporter.Contact, v.Named, err = tx.ReporterIdentity(r); err != nil {
			return v, err
		}
	}
	if r.AssignedTo != 0 {
		if v.Volunteer, err = PersonName(tx, r.AssignedTo); err != nil {
			return v, err
		}
	}
	return v, audit(tx, a, now, "report:view", r.Code, "")
}

// StatusChange is what ChangeStatus did.
type StatusChange struct {
	Result
	// From is the report's status before (for AlreadyDone, the status it
	// has); "" when the report was not found.
	From string
}

// Accept takes a new report on (staff only).
func Accept(tx *store.Tx, a Actor, code string, now time.Time) (StatusChange, error) {
	if !a.Staff {
		res, err := notAllowed(tx, a)
		return StatusChange{Result: res}, err
	}
	return ChangeStatus(tx, a, code, store.StatusAccepted, "", now)
}

// ChangeStatus moves a report to status to, with a note (required for some
// statuses and for reopening; for a referral, where to). Staff move along
// the lifecycle; a volunteer only verifies a report assigned to them. The
// reporter is told in their language; the volunteer of a reopened report
// is told it is theirs again; staff are told of a volunteer's change.
func ChangeStatus(tx *store.Tx, a Actor, code, to, note string, now time.Time) (StatusChange, error) {
	return ChangeStatusTo(tx, a, code, StatusInput{To: to, Note: note}, now)
}

// StatusInput is a change of status asked for: the status, a note, and
// for a referral where the report goes.
type StatusInput struct{ To, Note, Ref string }

// ChangeStatusTo is ChangeStatus with where a report is referred given
// apart from the note. A referral target with any other status is
// Refused: the history would read as a referral that never was.
func ChangeStatusTo(tx *store.Tx, a Actor, code string, in StatusInput, now time.Time) (StatusChange, error) {
	r, role, res, err := reportFor(tx, a, code)
	if err != nil || res.Outcome != Done {
		return StatusChange{Result: res}, err
	}
	to, note := in.To, in.Note
	if ref := strings.TrimSpace(in.Ref); ref != "" {
		if to != store.StatusReferred {
			return StatusChange{Result: Result{Outcome: Refused, Why: WhyReferralStatus}, From: r.Status}, nil
		}
		note = strings.TrimSpace(ref + ". " + note)
	}
	before, err := tx.ChangeReportStatus(r.ID, to, a.UserID, role, note, now)
	ch := StatusChange{From: before.Status}
	switch {
	case errors.Is(err, store.ErrNotAllowed):
		ch.Result, err = notAllowed(tx, a)
		return ch, err
	case errors.Is(err, store.ErrBadTransition) && before.Status == to:
		ch.Outcome = AlreadyDone
		return ch, nil
	case errors.Is(err, store.ErrBadTransition):
		ch.Outcome, ch.Why = Refused, WhyCannotChange
		return ch, nil
	case errors.Is(err, store.ErrNoteRequired):
		ch.Outcome, ch.Why = Refused, WhyNoteReason
		if to == store.StatusAccepted {
			ch.Why = WhyNoteReopen
		} else if to == store.StatusReferred {
			ch.Why = WhyNoteReferral
		}
		return ch, nil
	case err != nil:
		return ch, err
	}
	if err := audit(tx, a, now, "report:status", r.Code, before.Status+" -> "+to); err != nil {
		return ch, err
	}
	reopened := store.IsReopening(before.Status, to)
	if reopened {
		if err := ch.tellReopened(tx, r); err != nil {
			return ch, err
		}
	}
	for _, s := range words.StatusLabels {
		if s.Status == to && s.Push != "" && !reopened {
			if err := ch.tellReporter(tx, r, s.Push); err != nil {
				return ch, err
			}
		}
	}
	if role == store.RoleVolunteer {
		ch.toStaff(staffT("triage.volunteer_status", r.Code, words.StatusLabel(staffT, to)), r.Code)
	}
	return ch, nil
}

// staffT is the language of messages to every staff member at once.
func staffT(key string, args ...any) string { return locales.T(locales.Default, key, args...) }

// toStaff queues an alert to every staff member with a key to open the
// report.
func (res *Result) toStaff(text, code string) {
	res.Messages = append(res.Messages, out.Message{ToStaff: true, Priority: store.PriorityAlert, Reply: out.Reply{
		Text: text, Options: []out.Option{{Key: "/buka " + code, Label: staffT("triage.open")}},
		Subject: store.ReportSubject(code)}})
}

// send queues a message to a person.
func (res *Result) send(userID int64, r out.Reply) {
	res.Messages = append(res.Messages, out.Message{UserID: userID, Priority: store.PriorityAlert, Reply: r})
}

// tellReporter tells the reporter what happened to their report, in their
// language, with a key to see it.
func (res *Result) tellReporter(tx *store.Tx, r store.Report, key string) error {
	reporter, err := tx.User(r.ReporterID)
	if err != nil {
		return err
	}
	// The report as it is now, so the update names the status the
	// reporter's own list shows.
	now, err := tx.ReportByCode(r.Code)
	if err != nil {
		return err
	}
	t := func(k string, a ...any) string { return locales.T(reporter.Lang, k, a...) }
	res.send(reporter.ID, out.Reply{Text: t(key, r.Code, words.ReportStatusName(t, now)), Options: []out.Option{
		{Key: "/status " + r.Code, Label: locales.T(reporter.Lang, "track.see")},
	}, Subject: store.ReportSubject(r.Code)})
	return nil
}

// tellReopened tells the reporter that their report is looked at again,
// and the volunteer it is assigned to (if they still are one) that it is
// theirs to follow again.
func (res *Result) tellReopened(tx *store.Tx, r store.Report) error {
	if err := res.tellReporter(tx, r, "report.push.reopened"); err != nil {
		return err
	}
	if r.AssignedTo == 0 {
		return nil
	}
	if _, still, err := tx.Volunteer(r.AssignedTo); err != nil || !still {
		return err
	}
	vol, err := tx.User(r.AssignedTo)
	if err != nil {
		return err
	}
	res.send(vol.ID, out.Reply{Text: locales.T(vol.Lang, "triage.reopened_to_volunteer", r.Code),
		Options: []out.Option{{Key: "/buka " + r.Code, Label: locales.T(vol.Lang, "triage.open")}}, Subject: store.ReportSubject(r.Code)})
	return nil
}

// AssignChoice is who a report may be assigned to.
type AssignChoice struct {
	Result
	Report store.Report
	// Volunteers are those of the report's kecamatan or, when it has
	// none (or the place is only a pin), all of them; InKec tells which.
	Volunteers []store.Volunteer
	InKec      bool
}

// AssignChoices lists the volunteers a report may be assigned to (staff
// only).
func AssignChoices(tx *store.Tx, a Actor, code string) (AssignChoice, error) {
	if !a.Staff {
		res, err := notAllowed(tx, a)
		return AssignChoice{Result: res}, err
	}
	r, _, res, err := reportFor(tx, a, code)
	if err != nil || res.Outcome != Done {
		return AssignChoice{Result: res}, err
	}
	ch := AssignChoice{Report: r, InKec: true}
	if ch.Volunteers, err = tx.Volunteers(r.KecCode); err != nil || len(ch.Volunteers) > 0 {
		return ch, err
	}
	ch.InKec = false
	ch.Volunteers, err = tx.Volunteers("")
	return ch, err
}

// Assign gives a report to a volunteer, or to another one (staff only).
// Assigning a new report also takes it on. The volunteer gets the report
// card (times in now's location); the reporter is told when the report is
// first assigned.
func Assign(tx *store.Tx, a Actor, code string, volunteerID int64, now time.Time) (Result, error) {
	if !a.Staff {
		return notAllowed(tx, a)
	}
	r, _, res, err := reportFor(tx, a, code)
	if err != nil || res.Outcome != Done {
		return res, err
	}
	if store.IsClosed(r.Status) {
		return Result{Outcome: Refused, Why: WhyClosed}, nil
	}
	if _, ok, err := tx.Volunteer(volunteerID); err != nil {
		return res, err
	} else if !ok {
		return Result{Outcome: Refused, Why: WhyNotVolunteer}, nil
	}
	if r.AssignedTo == volunteerID {
		return Result{Outcome: AlreadyDone}, nil
	}
	if r.Status == store.StatusNew {
		if _, err := tx.ChangeReportStatus(r.ID, store.StatusAccepted, a.UserID, store.RoleStaff, "", now); err != nil {
			return res, err
		}
		if err := audit(tx, a, now, "report:status", r.Code, store.StatusNew+" -> "+store.StatusAccepted); err != nil {
			return res, err
		}
		if err := res.tellReporter(tx, r, "report.push.diterima"); err != nil {
			return res, err
		}
	}
	if err := tx.AssignReport(r.ID, volunteerID, a.UserID, now); err != nil {
		return res, err
	}
	if err := audit(tx, a, now, "report:assign", r.Code, fmt.Sprintf("volunteer user:%d", volunteerID)); err != nil {
		return res, err
	}
	updated, err := tx.ReportByCode(r.Code)
	if err != nil {
		return res, err
	}
	vol, err := tx.User(volunteerID)
	if err != nil {
		return res, err
	}
	card, err := Card(tx, updated, vol.Lang, CardVolunteer, now.Location())
	if err != nil {
		return res, err
	}
	t := func(key string, args ...any) string { return locales.T(vol.Lang, key, args...) }
	res.send(vol.ID, out.Reply{Text: t("triage.assigned_to_you", r.Code) + "\n\n" + card, Options: []out.Option{
		{Key: "/verifikasi " + r.Code, Label: t("triage.to.diverifikasi")},
		{Key: "/catatan " + r.Code, Label: t("triage.note")},
		{Key: "/buka " + r.Code, Label: t("triage.open")},
	}, Subject: store.ReportSubject(r.Code)})
	if r.AssignedTo == 0 {
		if err := res.tellReporter(tx, r, "report.push.assigned"); err != nil {
			return res, err
		}
	}
	return res, nil
}

// AddNote adds a note to a report's history (staff, or the volunteer it is
// assigned to); staff are told of a volunteer's note. The same note sent
// twice in a row by the same person is kept once.
func AddNote(tx *store.Tx, a Actor, code, text string, now time.Time) (Result, error) {
	r, role, res, err := reportFor(tx, a, code)
	if err != nil || res.Outcome != Done {
		return res, err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return Result{Outcome: Refused, Why: WhyNoteEmpty}, nil
	}
	if utf8.RuneCountInString(text) > MaxNoteRunes {
		return Result{Outcome: Refused, Why: WhyNoteLong}, nil // not cut: the end may be what matters
	}
	events, err := tx.ReportEvents(r.ID)
	if err != nil {
		return res, err
	}
	if n := len(events); n > 0 {
		if last := events[n-1]; last.Kind == store.EventNote && last.ActorID == a.UserID && last.Note == text {
			return Result{Outcome: AlreadyDone}, nil
		}
	}
	if err := tx.AddReportEvent(store.ReportEvent{ReportID: r.ID, At: now, ActorID: a.UserID, Role: role,
		Kind: store.EventNote, Note: text}); err != nil {
		return res, err
	}
	if err := audit(tx, a, now, "report:note", r.Code, role); err != nil {
		return res, err
	}
	if role == store.RoleVolunteer {
		res.toStaff(staffT("triage.volunteer_note", r.Code), r.Code)
	}
	return res, nil
}

// Evidence is a report's evidence files as the actor may reach them.
type Evidence struct {
	Result
	Report store.Report
	// Media are all its files, saved or not (State says).
	Media []store.Media
}

// ListEvidence lists a report's evidence files for staff or the volunteer
// it is assigned to, with an audit row: the list leads to the files.
func ListEvidence(tx *store.Tx, a Actor, code string, now time.Time) (Evidence, error) {
	ev, err := evidenceOf(tx, a, code)
	if err != nil || ev.Outcome != Done {
		return ev, err
	}
	return ev, audit(tx, a, now, "report:media_view", ev.Report.Code, "")
}

// evidenceOf is a report's evidence after the rights check, not audited.
func evidenceOf(tx *store.Tx, a Actor, code string) (Evidence, error) {
	r, _, res, err := reportFor(tx, a, code)
	if err != nil || res.Outcome != Done {
		return Evidence{Result: res}, err
	}
	media, err := tx.ReportMedia(r.ID)
	if err != nil {
		return Evidence{}, err
	}
	return Evidence{Report: r, Media: media}, nil
}

// EvidenceFile is one evidence file to hand over.
type EvidenceFile struct {
	Result
	Media store.Media
	// Name is the file name to give it: the report code and its number.
	Name string
}

// OpenEvidence gives the n-th (from 1) saved evidence file of a report to
// staff or the volunteer it is assigned to, with an audit row. A file not
// saved (yet) is NotFound and, like a refusal, leaves no audit row: the
// log says what was seen.
func OpenEvidence(tx *store.Tx, a Actor, code string, n int, now time.Time) (EvidenceFile, error) {
	ev, err := evidenceOf(tx, a, code)
	if err != nil || ev.Outcome != Done {
		return EvidenceFile{Result: ev.Result}, err
	}
	if n < 1 || n > len(ev.Media) || ev.Media[n-1].State != store.MediaSaved {
		return EvidenceFile{Result: Result{Outcome: NotFound}}, nil
	}
	m := ev.Media[n-1]
	return EvidenceFile{Media: m, Name: EvidenceName(ev.Report.Code, n, m)},
		audit(tx, a, now, "report:media_open", ev.Report.Code, fmt.Sprint(n))
}

// EvidenceName is the file name an evidence file is handed over with.
func EvidenceName(code string, n int, m store.Media) string {
	return fmt.Sprintf("%s-%d%s", code, n, filepath.Ext(m.Path))
}

// HasSavedEvidence tells whether any of media is saved.
func HasSavedEvidence(media []store.Media) bool {
	return slices.ContainsFunc(media, func(m store.Media) bool { return m.State == store.MediaSaved })
}
