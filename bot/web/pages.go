package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"klabot/flows/ops"
	"klabot/flows/reminders"
	"klabot/flows/training"
	"klabot/flows/wilayah"
	"klabot/flows/words"
	"klabot/store"
)

// placeRow is one line of the Wilayah table: a kecamatan or one of its
// desa. Bars are drawn in SVG, which needs no inline style.
type placeRow struct {
	Name           string
	Desa           bool
	Open, Closed   int
	OpenW, ClosedW float64 // widths out of 100
	Link           string
}

func (s *Server) places(w http.ResponseWriter, r *http.Request, u who) {
	var counts []store.PlaceCount
	if err := s.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		counts, err = tx.ReportPlaceCounts()
		return err
	}); err != nil {
		s.fail(w, r, err)
		return
	}
	type kecSum struct {
		open, closed int
		desas        []store.PlaceCount
	}
	byKec := map[string]*kecSum{}
	for _, c := range counts {
		k := byKec[c.Kec]
		if k == nil {
			k = &kecSum{}
			byKec[c.Kec] = k
		}
		k.open += c.Open
		k.closed += c.Closed
		if c.Desa != "" {
			k.desas = append(k.desas, c)
		}
	}
	most := 1
	for _, k := range byKec {
		most = max(most, k.open+k.closed)
	}
	v := view{Lang: s.langOf(u)}
	bar := func(open, closed int) (float64, float64) {
		return 100 * float64(open) / float64(most), 100 * float64(closed) / float64(most)
	}
	var rows []placeRow
	add := func(name, kec string, k *kecSum) {
		ow, cw := bar(k.open, k.closed)
		rows = append(rows, placeRow{Name: name, Open: k.open, Closed: k.closed, OpenW: ow, ClosedW: cw,
			Link: "/laporan?kec=" + kec})
		for _, d := range k.desas {
			ow, cw := bar(d.Open, d.Closed)
			rows = append(rows, placeRow{Name: v.Desa(d.Desa), Desa: true, Open: d.Open, Closed: d.Closed,
				OpenW: ow, ClosedW: cw, Link: "/laporan?kec=" + kec + "&desa=" + d.Desa})
		}
	}
	for _, kec := range wilayah.Kecamatans() {
		if k := byKec[kec.Code]; k != nil {
			add(kec.Name, kec.Code, k)
		}
	}
	if k := byKec[""]; k != nil {
		add(v.T("web.place_unknown"), "", k)
	}
	s.render(w, r, http.StatusOK, "places", u, "web.places_title", rows)
}

type trainingsData struct {
	Trainings []store.Training
	Problems  []string
	Imported  []string
}

func (s *Server) trainingList(r *http.Request, u who) ([]store.Training, error) {
	var list ops.SessionList
	err := s.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		list, err = ops.Sessions(tx, u.actor(), s.cfg.Now().AddDate(0, 0, -30))
		return err
	})
	return list.Trainings, err
}

func (s *Server) trainings(w http.ResponseWriter, r *http.Request, u who) {
	list, err := s.trainingList(r, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "trainings", u, "web.trainings_title", trainingsData{Trainings: list})
}

type trainingData struct {
	ops.SessionView
	Program       string
	Registrations []store.Registration
}

func (s *Server) training(w http.ResponseWriter, r *http.Request, u who) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r, u)
		return
	}
	var d trainingData
	err = s.db.Tx(r.Context(), func(tx *store.Tx) error {
		var err error
		if d.SessionView, err = ops.Session(tx, u.actor(), id); err != nil || d.Outcome != ops.Done {
			return err
		}
		// Registrations name people: who looked is kept, as for reports.
		return tx.Audit(s.cfg.Now(), u.auditName(), "training:view", ops.TrainingSubject(id), "web")
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Outcome != ops.Done {
		s.notFound(w, r, u)
		return
	}
	d.Program = words.ProgramName(s.langOf(u), d.Training.Program)
	d.Registrations = append(append([]store.Registration{}, d.Seated...), d.Waiting...)
	s.render(w, r, http.StatusOK, "training", u, "web.training_title", d)
}

// maxUpload bounds an uploaded file (a CSV of trainings, a photo).
const maxUpload = 5 << 20

// maxProblemsShown bounds the line errors an import page lists.
const maxProblemsShown = 50

// trainingImport takes a CSV file with the same checks and line errors as
// "klabot trainings import": nothing is saved unless every line is good.
func (s *Server) trainingImport(w http.ResponseWriter, r *http.Request, u who) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	lang := s.langOf(u)
	d := trainingsData{}
	f, _, err := r.FormFile("berkas")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		d.Problems = []string{view{Lang: lang}.T("web.import_too_big", maxUpload>>20)}
	case err != nil:
		d.Problems = []string{view{Lang: lang}.T("web.import_no_file")}
	default:
		defer f.Close()
		now := s.cfg.Now()
		var saved []store.Training
		rows, err := training.ParseCSV(f, s.cfg.Location, now, lang)
		if err == nil {
			err = s.db.Tx(r.Context(), func(tx *store.Tx) error {
				var err error
				saved, err = training.ImportAs(tx, u.actor(), rows, s.cfg.Random, now, lang)
				return err
			})
		}
		var bad *training.ImportError
		switch {
		case errors.As(err, &bad):
			d.Problems = strings.Split(bad.Error(), "\n") // one line each, as the CLI prints
			if n := len(d.Problems); n > maxProblemsShown {
				// A file wrong on every line needs the first few
				// mistakes, not a page of thousands.
				d.Problems = append(d.Problems[:maxProblemsShown], view{Lang: lang}.T("web.import_more_problems", n-maxProblemsShown))
			}
		case err != nil:
			s.fail(w, r, err)
			return
		}
		for _, t := range saved {
			d.Imported = append(d.Imported, training.Line(t, s.cfg.Location, lang))
		}
	}
	if d.Trainings, err = s.trainingList(r, u); err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if len(d.Problems) > 0 {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "trainings", u, "web.trainings_title", d)
}

type remindersData struct {
	Reminders []reminderRow
}

type reminderRow struct {
	ops.ReminderInfo
	Audience string
	Kec      string
	Schedule string
}

func (s *Server) reminders(w http.ResponseWriter, r *http.Request, u who) {
	var list ops.ReminderList
	if err := s.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		list, err = ops.Reminders(tx, u.actor(), s.cfg.Now().In(s.cfg.Location))
		return err
	}); err != nil {
		s.fail(w, r, err)
		return
	}
	lang := s.langOf(u)
	v := view{Lang: lang}
	d := remindersData{}
	for _, rm := range list.Reminders {
		row := reminderRow{ReminderInfo: rm, Audience: reminders.AudienceName(lang, rm.Audience),
			Schedule: reminders.ScheduleName(lang, rm.Spec)}
		if rm.KecCode != "" {
			row.Kec = v.Kec(rm.KecCode)
		}
		d.Reminders = append(d.Reminders, row)
	}
	s.render(w, r, http.StatusOK, "reminders", u, "web.reminders_title", d)
}
