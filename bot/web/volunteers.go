package web

import (
	"net/http"
	"strconv"

	"klabot/store"
	"klabot/store/wilayah"
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
		vols, err := tx.Volunteers("")
		if err != nil {
			return err
		}
		for _, vol := range vols {
			open, err := tx.ListReports(store.ReportFilter{AssignedTo: vol.UserID, OpenOnly: true, Limit: -1})
			if err != nil {
				return err
			}
			d.Rows = append(d.Rows, volunteerRow{Volunteer: vol, Kec: v.Kec(vol.KecCode), Open: len(open)})
		}
		return nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "volunteers", u, "web.volunteers_title", d)
}

func (s *Server) volunteerAction(w http.ResponseWriter, r *http.Request, u who) {
	var inputs []string
	switch r.PathValue("action") {
	case "undang":
		k, ok := wilayah.KecamatanByCode(r.FormValue("kec"))
		if !ok {
			s.showVolunteers(w, r, u, view{Lang: s.langOf(u)}.T("web.pick_kec"))
			return
		}
		inputs = []string{"/undang " + k.Name}
	case "akhiri":
		id, err := strconv.ParseInt(r.FormValue("user"), 10, 64)
		if err != nil || id <= 0 {
			s.notFound(w, r, u)
			return
		}
		// The chat asks first; the web form was the question.
		inputs = []string{"/relawan hapus " + strconv.FormatInt(id, 10), "1"}
	default:
		s.notFound(w, r, u)
		return
	}
	said, err := s.runChat(r, u, nil, inputs...)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.showVolunteers(w, r, u, said)
}
