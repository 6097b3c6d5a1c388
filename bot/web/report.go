package web

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"klabot/bot"
	"klabot/flows/ops"
	"klabot/flows/report"
	"klabot/flows/words"
	"klabot/locales"
	"klabot/store"
)

// One report: its card, full history, evidence and the actions the
// viewer may take. Every view is audited with the viewer's identity.

type eventRow struct {
	store.ReportEvent
	Actor    string
	Assignee string
}

// questionRow is a question to the reporter and its answer. The asker is
// named (staff and volunteers may be); the reporter never is.
type questionRow struct {
	store.Question
	Asker string
}

type evidenceRow struct {
	N     int
	Kind  string
	State string
	URL   string
}

type reportData struct {
	Report    store.Report
	Named     bool
	Erased    bool // the reporter's data was erased: nobody to contact
	Reporter  string
	Contact   string
	Volunteer string
	Events    []eventRow
	Evidence  []evidenceRow
	// Statuses the report may move to, but a referral, which has a form
	// of its own with where it goes (CanRefer).
	Statuses   []string
	CanRefer   bool
	Volunteers []store.Volunteer
	Referrals  []string
	Questions  []questionRow
	// CanAsk: a question could be sent now (ops.CanAsk).
	CanAsk  bool
	MaxOpen int
	Flash   string
	Staff   bool
}

// personName names staff and volunteers (never reporters) on the page, by
// name only: the chat's "(#3)" is a number to type, of no use here.
func personName(tx *store.Tx, lang string, id int64) string {
	if id == 0 {
		return ""
	}
	p, err := tx.User(id)
	if err != nil || p.Name == "" {
		// Staff are often nameless: their number, as the chat shows it.
		return locales.T(lang, "web.person_number", id)
	}
	return p.Name
}

func (s *Server) reportPage(w http.ResponseWriter, r *http.Request, u who) {
	s.showReport(w, r, u, "", http.StatusOK)
}

func (s *Server) showReport(w http.ResponseWriter, r *http.Request, u who, flash string, status int) {
	var d reportData
	lang := s.langOf(u)
	var outcome ops.Outcome
	err := s.db.Tx(r.Context(), func(tx *store.Tx) error {
		code, _ := store.ParseReportCode(r.PathValue("code"))
		v, err := ops.ViewReport(tx, u.actor(), code, s.cfg.Now())
		if outcome = v.Outcome; err != nil || v.Outcome != ops.Done {
			return err
		}
		d.Report, d.Staff, d.Flash, d.Volunteer = v.Report, u.Staff, flash, personName(tx, lang, v.Report.AssignedTo)
		for _, st := range v.Statuses {
			if st == store.StatusReferred {
				d.CanRefer = true
			} else {
				d.Statuses = append(d.Statuses, st)
			}
		}
		// The reporter's identity comes only from the operation: nothing
		// for an anonymous report, nothing for a volunteer.
		d.Named, d.Reporter, d.Erased = v.Named, v.Reporter.Name, v.Report.ReporterErased
		if v.Named {
			d.Contact = words.ContactName(lang, v.Reporter.Contact)
		}
		if u.Staff {
			ch, err := ops.AssignChoices(tx, u.actor(), v.Report.Code)
			if err != nil {
				return err
			}
			d.Volunteers = ch.Volunteers
		}
		for _, e := range v.Events {
			row := eventRow{ReportEvent: e, Assignee: personName(tx, lang, e.AssigneeID)}
			if e.Role != store.RoleReporter {
				row.Actor = personName(tx, lang, e.ActorID)
			}
			d.Events = append(d.Events, row)
		}
		for _, q := range v.Questions {
			d.Questions = append(d.Questions, questionRow{Question: q, Asker: personName(tx, lang, q.AskedBy)})
		}
		can, err := ops.CanAsk(tx, u.actor(), code)
		if err != nil {
			return err
		}
		d.CanAsk, d.MaxOpen = can.Outcome == ops.Done, ops.MaxOpenQuestions
		for i, m := range v.Media {
			d.Evidence = append(d.Evidence, evidenceRow{N: i + 1, Kind: m.Kind, State: m.State,
				URL: fmt.Sprintf("/laporan/%s/bukti/%d", v.Report.Code, i+1)})
		}
		return nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if outcome != ops.Done {
		s.notFound(w, r, u)
		return
	}
	d.Referrals = report.ReferralNotes()
	s.render(w, r, status, "report", u, "web.report_title", d)
}

// refusal is the page's words for why an operation was not allowed: the
// chat's words name chat commands.
func refusal(why string) string {
	switch why {
	case ops.WhyVolunteerCannot:
		return "web.volunteer_cannot"
	case ops.WhyStaffOnly:
		return "web.staff_only"
	}
	return why
}

// errNotServed rolls back the audit of a file that will not be served.
var errNotServed = errors.New("evidence file missing or outside the data folder")

// evidence serves one evidence file after the rights check, audited,
// never cached, with a content type read from the file.
func (s *Server) evidence(w http.ResponseWriter, r *http.Request, u who) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		s.notFound(w, r, u)
		return
	}
	var f ops.EvidenceFile
	var path string
	code, _ := store.ParseReportCode(r.PathValue("code"))
	err = s.db.Tx(r.Context(), func(tx *store.Tx) error {
		var err error
		if f, err = ops.OpenEvidence(tx, u.actor(), code, n, s.cfg.Now()); err != nil || f.Outcome != ops.Done {
			return err
		}
		// Stored paths are klabot's own; still, only files under the data
		// folder are ever served, and a file refused leaves no audit row.
		path = f.Media.Path
		if !filepath.IsAbs(path) {
			path = filepath.Join(s.cfg.DataDir, path)
		}
		if rel, err := filepath.Rel(s.cfg.DataDir, path); f.Media.Path == "" || err != nil || strings.HasPrefix(rel, "..") {
			return errNotServed
		}
		if info, err := os.Stat(path); err != nil || !info.Mode().IsRegular() {
			return errNotServed
		}
		return nil
	})
	if errors.Is(err, errNotServed) || err == nil && f.Outcome != ops.Done {
		s.notFound(w, r, u)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m := f.Media
	serveFile(w, r, path, f.Name, m.Kind == "document")
}

// reportAction runs a button of the report page through the same
// operation as the chat, queues what it owes people in the same
// transaction, and says on the page what the chat would say.
func (s *Server) reportAction(w http.ResponseWriter, r *http.Request, u who) {
	code, ok := store.ParseReportCode(r.PathValue("code"))
	if !ok {
		s.notFound(w, r, u)
		return
	}
	lang := s.langOf(u)
	t := func(key string, args ...any) string { return locales.T(lang, key, args...) }
	status := func(st string) string { return words.StatusLabel(t, st) }
	note := strings.TrimSpace(strings.ReplaceAll(r.FormValue("note"), "\r\n", "\n"))
	var res ops.Result
	var said string
	// Local time: the operations write cards and quiet hours in now's zone.
	now := s.cfg.Now().In(s.cfg.Location)
	q, err := s.db.TxQueued(r.Context(), func(tx *store.Tx) error {
		switch r.PathValue("action") {
		case "terima", "status":
			to := store.StatusAccepted
			var ch ops.StatusChange
			var err error
			if r.PathValue("action") == "terima" {
				ch, err = ops.Accept(tx, u.actor(), code, now)
			} else {
				to = r.FormValue("to")
				in := ops.StatusInput{To: to, Note: note, Ref: r.FormValue("ref")}
				ch, err = ops.ChangeStatusTo(tx, u.actor(), code, in, now)
			}
			if err != nil {
				return err
			}
			res = ch.Result
			switch {
			case ch.Outcome == ops.Done:
				said = t("triage.status_changed", code, status(to))
			case ch.Outcome == ops.AlreadyDone:
				said = t("triage.already_status", code, status(to))
			case ch.Why == ops.WhyCannotChange:
				said = t("triage.cannot_change", code, status(ch.From), status(to))
			case ch.Why == ops.WhyReferralStatus:
				said = t(ch.Why, code, status(store.StatusReferred))
			case ch.Why == ops.WhyNoteReason:
				said = t(ch.Why, code, status(to))
			case ch.Outcome == ops.Refused:
				said = t(ch.Why, code)
			}
		case "tugaskan":
			id, _ := strconv.ParseInt(r.FormValue("volunteer"), 10, 64)
			var err error
			if res, err = ops.Assign(tx, u.actor(), code, id, now); err != nil {
				return err
			}
			name := personName(tx, lang, id)
			switch {
			case res.Outcome == ops.Done:
				said = t("triage.assigned", code, name)
			case res.Outcome == ops.AlreadyDone:
				said = t("triage.already_assigned", code, name)
			case res.Why == ops.WhyClosed:
				said = t(res.Why, code)
			case res.Outcome == ops.Refused:
				said = t(res.Why)
			}
		case "catatan":
			var err error
			if res, err = ops.AddNote(tx, u.actor(), code, note, now); err != nil {
				return err
			}
			switch {
			case res.Outcome == ops.Done, res.Outcome == ops.AlreadyDone:
				said = t("triage.note_saved", code)
			case res.Why == ops.WhyNoteEmpty:
				said = t("web.note_empty") // the chat's words say "ketik MENU"
			case res.Outcome == ops.Refused:
				said = t(res.Why)
			}
		case "tanya":
			var err error
			if res, err = ops.Ask(tx, u.actor(), code, r.FormValue("question"), now); err != nil {
				return err
			}
			switch {
			case res.Outcome == ops.Done && len(res.Messages) > 0 && !res.Messages[0].NotBefore.IsZero():
				said = t("ask.sent_held", code, res.Messages[0].NotBefore.In(s.cfg.Location).Format("15.04"))
			case res.Outcome == ops.Done:
				said = t("ask.sent", code)
			case res.Outcome == ops.AlreadyDone:
				said = t("ask.already", code)
			case res.Outcome == ops.Refused:
				// Why says the reason: the limit, a closed report, an
				// erased or unreachable reporter.
				said = t(res.Why, code, ops.MaxOpenQuestions)
			}
		default:
			res.Outcome = ops.NotFound
		}
		return bot.Deliver(tx, s.cfg.Staff, u.UserID, res.Messages, now)
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.cfg.Committed(q)
	switch res.Outcome {
	case ops.NotFound:
		s.notFound(w, r, u)
	case ops.NotAllowed:
		s.showReport(w, r, u, t(refusal(res.Why)), http.StatusForbidden)
	case ops.Refused:
		s.showReport(w, r, u, said, http.StatusUnprocessableEntity)
	default:
		s.showReport(w, r, u, said, http.StatusOK)
	}
}
