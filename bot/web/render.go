package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"klabot/flows/broadcast"
	"klabot/flows/wilayah"
	"klabot/flows/words"
	"klabot/locales"
	"klabot/store"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

type pages struct {
	byName map[string]*template.Template
}

// loadPages parses each page with the layout around it.
func loadPages() (*pages, error) {
	base, err := template.New("layout.html").ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range names {
		page := strings.TrimSuffix(path.Base(name), ".html")
		if page == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFiles, name)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		p.byName[page] = t
	}
	return p, nil
}

// staticHandler serves the embedded style sheet and script. Only files
// that exist are served: a path cannot leave the embedded folder.
func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFiles, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r) // files only: no listing of the folder
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}

// message is a page with one sentence (and maybe a link back).
type message struct {
	Text string // a locales key
	Back string
}

// view is what every template gets.
type view struct {
	Lang  string
	Title string
	User  who
	Nav   string
	Data  any
	loc   *time.Location
}

// T translates a key into the viewer's language.
func (v view) T(key string, args ...any) string { return locales.T(v.Lang, key, args...) }

// Status is a report status in plain words; store.CountAssigned is an
// accepted report with a volunteer, named as the chat names it.
func (v view) Status(s string) string {
	if s == store.CountAssigned {
		return v.ReportStatus(store.Report{Status: store.StatusAccepted, AssignedTo: 1}) // any volunteer
	}
	return words.StatusLabel(v.T, s)
}

// ReportStatus is what a report's status is called now, as in the chat.
func (v view) ReportStatus(r store.Report) string { return words.ReportStatusName(v.T, r) }

// Channel is a channel's name.
func (v view) Channel(c string) string { return broadcast.ChannelName(v.Lang, c) }

// Category is a report category's name.
func (v view) Category(c string) string { return words.CategoryName(v.Lang, c) }

// Kec and Desa are place names from their codes.
func (v view) Kec(code string) string {
	if k, ok := wilayah.KecamatanByCode(code); ok {
		return k.Name
	}
	return code
}

func (v view) Desa(code string) string {
	if d, ok := wilayah.DesaByCode(code); ok {
		return d.Name
	}
	return code
}

// Date is a time in the office's zone.
func (v view) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(v.loc).Format("02-01-2006 15:04")
}

// Day is a date in the office's zone.
func (v view) Day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(v.loc).Format("02-01-2006")
}

func (s *Server) langOf(u who) string {
	if locales.Supported(u.Lang) {
		return u.Lang
	}
	return s.cfg.Lang
}

// render writes a page; the page is built in full first so that a
// template error never sends half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, u who, title string, data any) {
	t, ok := s.pages.byName[page]
	if !ok {
		s.fail(w, r, fmt.Errorf("no page %q", page))
		return
	}
	v := view{Lang: s.langOf(u), User: u, Nav: page, Data: data, loc: s.cfg.Location}
	v.Title = v.T(title)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		s.fail(w, r, fmt.Errorf("render %s: %w", page, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail answers a request that met an error inside klabot: logged without
// the request's details, which may name a case.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.cfg.Log.Error("web dashboard", "page", routeOf(r), "err", err)
	http.Error(w, locales.T(s.cfg.Lang, "web.error"), http.StatusInternalServerError)
}

// routeOf is a request's route pattern ("/laporan/{code}"): logs name the
// page, never a report code or a token.
func routeOf(r *http.Request) string {
	if r.Pattern != "" {
		return r.Pattern
	}
	return r.Method
}

// notFound is the one answer for a report or item that does not exist or
// that the viewer may not see.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request, u who) {
	s.render(w, r, http.StatusNotFound, "message", u, "web.not_found_title", message{Text: "web.not_found", Back: "/laporan"})
}

// Cell is a table cell as text (an empty cell for nil).
func (v view) Cell(c any) string {
	if c == nil {
		return ""
	}
	return fmt.Sprint(c)
}

// categoryKeys lists the report categories in the order of the chat.
func categoryKeys() []string {
	keys := make([]string, len(words.Categories))
	for i, c := range words.Categories {
		keys[i] = c.Key
	}
	return keys
}
