package web

import (
	"net/http"
	"sort"
	"strconv"

	"klabot/bot"
	"klabot/flows/ops"
	"klabot/flows/wilayah"
	"klabot/store"
)

// Relawan: Satgas PA volunteers per kecamatan, invite codes and ending a
// role, through the chat's own commands.

type volunteerRow struct {
	store.Volunteer
	Kec  string
	Open int
}

type volunteersData struct {
	Rows  []volunteerRow
	Kecs  []wilayah.Kecamatan
	Flash string
}

func (s *Server) volunteers(w http.ResponseWriter, r *http.Request, u who) {
	s.showVolunteers(w, r, u, "")
}

func (s *Server) showVolunteers(w http.ResponseWriter, r *http.Request, u who, flash string) {
	d := volunteersData{Kecs: wilayah.Kecamatans(), Flash: flash}
	v := view{Lang: s.langOf(u)}
	err := s.db.View(r.Context(), func(tx *store.Tx) error {
		l, err := ops.Volunteers(tx, u.actor())
		if err != nil {
			return err
		}
		for _, vol := range l.Volunteers {
			vol.Volunteer.Name = personName(tx, v.Lang, vol.UserID)
			d.Rows = append(d.Rows, volunteerRow{Volunteer: vol.Volunteer, Kec: v.Kec(vol.KecCode), Open: len(vol.Open)})
		}
		// Per kecamatan, as the office organises them.
		sort.SliceStable(d.Rows, func(i, j int) bool { return d.Rows[i].Kec < d.Rows[j].Kec })
		return nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "volunteers", u, "web.volunteers_title", d)
}

func (s *Server) volunteerAction(w http.ResponseWriter, r *http.Request, u who) {
	lang := s.langOf(u)
	v := view{Lang: lang, loc: s.cfg.Location}
	now := s.cfg.Now()
	var said string
	var res ops.Result
	q, err := s.db.TxQueued(r.Context(), func(tx *store.Tx) error {
		switch r.PathValue("action") {
		case "undang":
			k, ok := wilayah.KecamatanByCode(r.FormValue("kec"))
			if !ok {
				said = v.T("web.pick_kec")
				return nil
			}
			inv, err := ops.CreateInvite(tx, u.actor(), k.Code, s.cfg.Random, now)
			if err != nil {
				return err
			}
			res = inv.Result
			if inv.Outcome == ops.Done {
				said = v.T("triage.invite_created", inv.Invite.Code, k.Name, v.Date(inv.Invite.ExpiresAt))
			}
		case "akhiri":
			id, _ := strconv.ParseInt(r.FormValue("user"), 10, 64)
			e, err := ops.EndVolunteer(tx, u.actor(), id, now)
			if err != nil {
				return err
			}
			res = e.Result
			switch e.Outcome {
			case ops.Done:
				said = v.T("triage.volunteer_removed", personName(tx, v.Lang, id))
			case ops.NotFound, ops.AlreadyDone: // ended by someone else meanwhile
				said = v.T("triage.volunteer_unknown")
			}
		default:
			res.Outcome = ops.NotFound
			return nil
		}
		return bot.Deliver(tx, s.cfg.Staff, u.UserID, res.Messages, now)
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.cfg.Committed(q)
	if res.Outcome == ops.NotAllowed {
		said = v.T(refusal(res.Why))
	}
	s.showVolunteers(w, r, u, said)
}
