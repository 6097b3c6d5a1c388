package web

import (
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"klabot/bot"
	"klabot/flows"
	"klabot/store"
)

// One report: its card, full history, evidence and the actions the
// viewer may take. Every view is audited with the viewer's identity.

type eventRow struct {
	store.ReportEvent
	Actor    string
	Assignee string
}

type evidenceRow struct {
	N     int
	Kind  string
	State string
	URL   string
}

type reportData struct {
	Report     store.Report
	Named      bool
	Reporter   string
	Contact    string
	Volunteer  string
	Events     []eventRow
	Evidence   []evidenceRow
	Statuses   []string
	Volunteers []store.Volunteer
	Referrals  []string
	Flash      string
	Staff      bool
}

// visibleReport loads a report the viewer may see: any for staff, only
// their own for a volunteer. Anything else is "not found", exactly like a
// code that does not exist.
func visibleReport(tx *store.Tx, u who, code string) (store.Report, bool, error) {
	code, ok := store.ParseReportCode(code)
	if !ok {
		return store.Report{}, false, nil
	}
	r, err := tx.ReportByCode(code)
	if errors.Is(err, store.ErrNotFound) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	if !u.Staff && r.AssignedTo != u.UserID {
		return store.Report{}, false, nil
	}
	return r, true, nil
}

// personName names staff and volunteers (never reporters) on the page.
func personName(tx *store.Tx, id int64) string {
	if id == 0 {
		return ""
	}
	p, err := tx.User(id)
	if err != nil || p.Name == "" {
		return fmt.Sprintf("#%d", id)
	}
	return fmt.Sprintf("%s (#%d)", p.Name, id)
}

func (s *Server) reportPage(w http.ResponseWriter, r *http.Request, u who) {
	s.showReport(w, r, u, "", http.StatusOK)
}

func (s *Server) showReport(w http.ResponseWriter, r *http.Request, u who, flash string, status int) {
	var d reportData
	found := false
	err := s.db.Tx(r.Context(), func(tx *store.Tx) error {
		rep, ok, err := visibleReport(tx, u, r.PathValue("code"))
		if err != nil || !ok {
			return err
		}
		found = true
		d.Report, d.Staff, d.Flash = rep, u.Staff, flash
		role := store.RoleVolunteer
		if u.Staff {
			role = store.RoleStaff
			// The one place a reporter's identity comes from: nothing for
			// an anonymous report.
			name, contact, named, err := tx.ReporterIdentity(rep)
			if err != nil {
				return err
			}
			d.Named, d.Reporter = named, name
			if named {
				d.Contact = contact.String()
			}
			if d.Volunteers, err = tx.Volunteers(rep.KecCode); err != nil {
				return err
			}
			if len(d.Volunteers) == 0 {
				if d.Volunteers, err = tx.Volunteers(""); err != nil {
					return err
				}
			}
		}
		d.Statuses = store.NextStatuses(rep.Status, role)
		d.Volunteer = personName(tx, rep.AssignedTo)
		events, err := tx.ReportEvents(rep.ID)
		if err != nil {
			return err
		}
		for _, e := range events {
			row := eventRow{ReportEvent: e, Assignee: personName(tx, e.AssigneeID)}
			if e.Role != store.RoleReporter {
				row.Actor = personName(tx, e.ActorID)
			}
			d.Events = append(d.Events, row)
		}
		media, err := tx.ReportMedia(rep.ID)
		if err != nil {
			return err
		}
		for i, m := range media {
			d.Evidence = append(d.Evidence, evidenceRow{N: i + 1, Kind: m.Kind, State: m.State,
				URL: fmt.Sprintf("/laporan/%s/bukti/%d", rep.Code, i+1)})
		}
		return tx.Audit(s.cfg.Now(), u.auditName(), "report:view", rep.Code, "web")
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !found {
		s.notFound(w, r, u)
		return
	}
	d.Referrals = flows.ReferralNotes()
	s.render(w, r, status, "report", u, "web.report_title", d)
}

// evidence serves one evidence file after the rights check, audited,
// never cached, with a content type read from the file.
func (s *Server) evidence(w http.ResponseWriter, r *http.Request, u who) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		s.notFound(w, r, u)
		return
	}
	var m store.Media
	var code string
	err = s.db.Tx(r.Context(), func(tx *store.Tx) error {
		rep, ok, err := visibleReport(tx, u, r.PathValue("code"))
		if err != nil || !ok {
			return err
		}
		media, err := tx.ReportMedia(rep.ID)
		if err != nil || n > len(media) || media[n-1].State != store.MediaSaved {
			return err
		}
		m, code = media[n-1], rep.Code
		return tx.Audit(s.cfg.Now(), u.auditName(), "report:media_open", rep.Code, strconv.Itoa(n))
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if m.Path == "" {
		s.notFound(w, r, u)
		return
	}
	// Stored paths are klabot's own; still, only files under the data
	// folder are ever served.
	path := m.Path
	if !filepath.IsAbs(path) {
		path = filepath.Join(s.cfg.DataDir, path)
	}
	if rel, err := filepath.Rel(s.cfg.DataDir, path); err != nil || strings.HasPrefix(rel, "..") {
		s.notFound(w, r, u)
		return
	}
	serveFile(w, r, path, fmt.Sprintf("%s-%d%s", code, n, filepath.Ext(path)), m.Kind == "document")
}

// reportAction runs an action of the report page through the very command
// the chat runs for it, so rights, changes, audit rows and the messages
// to the reporter and volunteer are the chat's own; what the chat would
// answer the actor is shown on the page.
func (s *Server) reportAction(w http.ResponseWriter, r *http.Request, u who) {
	code, ok := store.ParseReportCode(r.PathValue("code"))
	if !ok || s.cfg.Engine == nil {
		s.notFound(w, r, u)
		return
	}
	note := strings.Join(strings.Fields(r.FormValue("note")), " ")
	var cmd string
	switch r.PathValue("action") {
	case "terima":
		cmd = "/terima " + code
	case "status":
		to := r.FormValue("to")
		if ref := r.FormValue("ref"); ref != "" && note == "" {
			note = ref
		}
		cmd = "/status " + code + " " + to + " " + note
	case "tugaskan":
		cmd = "/tugaskan " + code + " " + r.FormValue("volunteer")
	case "catatan":
		if note == "" {
			s.showReport(w, r, u, view{Lang: s.langOf(u)}.T("web.note_empty"), http.StatusUnprocessableEntity)
			return
		}
		cmd = "/catatan " + code + " " + note
	default:
		s.notFound(w, r, u)
		return
	}
	said, err := s.runChat(r, u, func(tx *store.Tx) (bool, error) {
		_, ok, err := visibleReport(tx, u, code)
		return ok, err
	}, strings.TrimSpace(cmd))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.showReport(w, r, u, said, http.StatusOK)
}

// runChat runs inputs as the person's chat turns, in one transaction with
// the messages they owe others, and gives back the chat's first answer
// to the person. The person's chat conversation stays as it was. check,
// if set, may refuse before anything runs.
func (s *Server) runChat(r *http.Request, u who, check func(tx *store.Tx) (bool, error), inputs ...string) (string, error) {
	var said string
	q, err := s.db.TxQueued(r.Context(), func(tx *store.Tx) error {
		if check != nil {
			if ok, err := check(tx); err != nil || !ok {
				return err
			}
		}
		user, err := tx.User(u.UserID)
		if err != nil {
			return err
		}
		before, err := tx.Session(u.UserID)
		if err != nil {
			return err
		}
		now := s.cfg.Now()
		for _, text := range inputs {
			msgs, err := s.cfg.Engine.Run(tx, flows.Request{User: user, Staff: u.Staff, Now: now, Channel: "web",
				Input: flows.Input{Kind: flows.KindText, Text: text}})
			if err != nil {
				return err
			}
			for _, m := range msgs {
				if !m.ToStaff && (m.UserID == 0 || m.UserID == u.UserID) {
					said, _, _ = strings.Cut(m.Reply.Text, "\n\n")
				}
			}
			if err := bot.Deliver(tx, s.cfg.Staff, u.UserID, msgs, now); err != nil {
				return err
			}
		}
		if before != nil {
			return tx.SaveSession(u.UserID, before, now)
		}
		return nil
	})
	if err == nil {
		s.cfg.Committed(q)
	}
	return said, err
}
