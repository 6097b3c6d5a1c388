package web

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"klabot/bot/export"
	"klabot/flows/exportdata"
	"klabot/flows/recap"
	"klabot/store"
)

// The KLA recap: the same numbers as "klabot recap" and the chat's
// /rekap, built by the same function.

type recapData struct {
	Month    string // 2006-01
	Max      string
	Name     string
	Summary  string
	Sheet    export.Table
	Bold     map[int]bool
	Width    int // the widest row: titles and notes span it
	XLSX     string
	CSV      string
	ChartURL string
}

// recapMonth reads ?bulan=2006-01 (default: this month); a future month
// is this month.
func (s *Server) recapMonth(r *http.Request) (from, to, now time.Time) {
	now = s.cfg.Now()
	from, to = exportdata.MonthOf(now, s.cfg.Location)
	if t, err := time.ParseInLocation("2006-01", r.URL.Query().Get("bulan"), s.cfg.Location); err == nil && !t.After(from) {
		from, to = t, t.AddDate(0, 1, 0)
	}
	return from, to, now
}

func (s *Server) buildRecap(r *http.Request, from, to, now time.Time) (exportdata.Recap, error) {
	var rc exportdata.Recap
	err := s.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		rc, err = exportdata.BuildRecap(tx, from, to, now, s.cfg.Location)
		return err
	})
	return rc, err
}

func (s *Server) recap(w http.ResponseWriter, r *http.Request, u who) {
	from, to, now := s.recapMonth(r)
	rc, err := s.buildRecap(r, from, to, now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := s.langOf(u)
	month := from.Format("2006-01")
	tables := rc.Tables(recap.ExportLabels(lang), recap.Text(lang, from, now, s.cfg.Location))
	d := recapData{Month: month, Max: now.In(s.cfg.Location).Format("2006-01"), Name: recap.MonthName(lang, from),
		Summary: recap.Summary(lang, rc, recap.MonthName(lang, from)), Bold: map[int]bool{},
		XLSX: "/rekap/unduh/rekap-kla-" + month + ".xlsx", CSV: "/rekap/unduh/rekap-kla-" + month + ".csv",
		ChartURL: "/rekap/grafik.png?bulan=" + month}
	if len(tables) > 0 {
		d.Sheet = tables[0]
		for _, i := range d.Sheet.Bold {
			d.Bold[i] = true
		}
		for _, row := range d.Sheet.Rows {
			d.Width = max(d.Width, len(row))
		}
	}
	if err := s.db.Tx(r.Context(), func(tx *store.Tx) error {
		return tx.Audit(now, u.auditName(), "recap_view", month, "web")
	}); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "recap", u, "web.recap_title", d)
}

func (s *Server) recapChart(w http.ResponseWriter, r *http.Request, u who) {
	from, to, now := s.recapMonth(r)
	rc, err := s.buildRecap(r, from, to, now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := s.langOf(u)
	var png bytes.Buffer
	if err := export.Chart(&png, rc, recap.ExportLabels(lang), recap.ChartText(lang, from)); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(png.Bytes())
}

// recapFile is the only shape of a download's name: nothing else reaches
// the handler, so no path can be smuggled in.
var recapFile = regexp.MustCompile(`^rekap-kla-(\d{4}-\d{2})\.(xlsx|csv)$`)

func (s *Server) recapDownload(w http.ResponseWriter, r *http.Request, u who) {
	m := recapFile.FindStringSubmatch(r.PathValue("file"))
	if m == nil {
		s.notFound(w, r, u)
		return
	}
	q := r.URL.Query()
	q.Set("bulan", m[1])
	r.URL.RawQuery = q.Encode()
	from, to, now := s.recapMonth(r)
	if from.Format("2006-01") != m[1] {
		s.notFound(w, r, u)
		return
	}
	rc, err := s.buildRecap(r, from, to, now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := s.langOf(u)
	tables := rc.Tables(recap.ExportLabels(lang), recap.Text(lang, from, now, s.cfg.Location))
	var buf bytes.Buffer
	ctype := "text/csv; charset=utf-8"
	if m[2] == export.XLSX {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		err = export.WriteXLSX(&buf, tables...)
	} else {
		err = export.WriteCSV(&buf, tables[0])
	}
	if err == nil {
		err = s.db.Tx(r.Context(), func(tx *store.Tx) error {
			return tx.Audit(now, u.auditName(), "recap_export", m[1], "web "+m[2])
		})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", m[0]))
	w.Write(buf.Bytes())
}
