package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"klabot/flows"
	"klabot/flows/broadcast"
	"klabot/flows/menu"
	"klabot/flows/ops"
	"klabot/flows/wilayah"
	"klabot/store"
)

// Siaran: compose, preview exactly as received, send or schedule with the
// chat's night rule, and follow or control a broadcast.

type broadcastRow struct {
	store.Broadcast
	StateName string
	Audience  string
	Progress  string
}

type composeData struct {
	Recent    []broadcastRow
	Kecs      []wilayah.Kecamatan
	Roles     []flows.RoleChoice
	Trainings []store.Training
	Channels  []string
	Draft     draft
	Problem   string
}

// draft is a broadcast being written; it travels in the form.
type draft struct {
	Text  string
	Kind  string
	Value string
	Photo string // the name of an uploaded photo in the data folder
}

func (d draft) audience() store.BroadcastAudience {
	if d.Kind == store.ToAll {
		return store.BroadcastAudience{Kind: store.ToAll}
	}
	return store.BroadcastAudience{Kind: d.Kind, Value: d.Value}
}

// maxBroadcastText fits a caption with the footer on every channel.
const maxBroadcastText = 900

func readDraft(r *http.Request) draft {
	d := draft{Text: strings.TrimSpace(strings.ReplaceAll(r.FormValue("text"), "\r\n", "\n")), Kind: r.FormValue("kind"),
		Photo: r.FormValue("photo")}
	d.Value = r.FormValue("value_" + d.Kind)
	if d.Value == "" {
		d.Value = r.FormValue("value")
	}
	if !photoName.MatchString(d.Photo) {
		d.Photo = ""
	}
	return d
}

// validAudience checks an audience chosen in a form.
func validAudience(tx *store.Tx, a store.BroadcastAudience) bool {
	switch a.Kind {
	case store.ToAll:
		return true
	case store.ToKec:
		_, ok := wilayah.KecamatanByCode(a.Value)
		return ok
	case store.ToDesa:
		_, ok := wilayah.DesaByCode(a.Value)
		return ok
	case store.ToRole:
		for _, r := range flows.Roles("id") {
			if r.Key == a.Value {
				return true
			}
		}
	case store.ToTraining:
		id, err := strconv.ParseInt(a.Value, 10, 64)
		if err != nil {
			return false
		}
		_, err = tx.Training(id)
		return err == nil
	case store.ToChannel:
		chans, err := tx.ContactChannels()
		if err != nil {
			return false
		}
		for _, c := range chans {
			if c == a.Value {
				return true
			}
		}
	}
	return false
}

func (s *Server) composeData(tx *store.Tx, lang string, d draft) (composeData, error) {
	c := composeData{Kecs: wilayah.Kecamatans(), Roles: flows.Roles(lang), Draft: d}
	if c.Draft.Kind == "" {
		c.Draft.Kind = store.ToAll
	}
	var err error
	if c.Trainings, err = tx.UpcomingTrainings(s.cfg.Now().AddDate(0, 0, -30), "", ""); err != nil {
		return c, err
	}
	if c.Channels, err = tx.ContactChannels(); err != nil {
		return c, err
	}
	list, err := tx.RecentBroadcasts(10)
	if err != nil {
		return c, err
	}
	for _, b := range list {
		row, err := broadcastRowOf(tx, lang, b)
		if err != nil {
			return c, err
		}
		c.Recent = append(c.Recent, row)
	}
	return c, nil
}

func broadcastRowOf(tx *store.Tx, lang string, b store.Broadcast) (broadcastRow, error) {
	row := broadcastRow{Broadcast: b, StateName: broadcast.StateName(lang, b.State),
		Audience: broadcast.DescribeAudience(tx, lang, b.Audience)}
	if !b.StartedAt.IsZero() {
		p, err := tx.ProgressOf(b.ID)
		if err != nil {
			return row, err
		}
		row.Progress = broadcast.ProgressLine(lang, p)
	}
	return row, nil
}

func (s *Server) broadcasts(w http.ResponseWriter, r *http.Request, u who) {
	s.showCompose(w, r, u, draft{}, "", http.StatusOK)
}

func (s *Server) showCompose(w http.ResponseWriter, r *http.Request, u who, d draft, problem string, status int) {
	var c composeData
	err := s.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		c, err = s.composeData(tx, s.langOf(u), d)
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c.Problem = problem
	s.render(w, r, status, "broadcasts", u, "web.broadcasts_title", c)
}

// broadcastCount is the live count of an audience, for the compose page's
// script: how many it reaches and how many are left out.
func (s *Server) broadcastCount(w http.ResponseWriter, r *http.Request, u who) {
	d := draft{Kind: r.URL.Query().Get("kind"), Value: r.URL.Query().Get("value")}
	lang := s.langOf(u)
	text := ""
	err := s.db.View(r.Context(), func(tx *store.Tx) error {
		a := d.audience()
		if !validAudience(tx, a) {
			text = view{Lang: lang}.T("web.audience_pick")
			return nil
		}
		_, reach, err := tx.BroadcastAudienceMembers(a)
		if err != nil {
			return err
		}
		text = view{Lang: lang}.T("web.audience_count", reach.Reach, reach.Left())
		return nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"text": text})
}

type previewData struct {
	Draft     draft
	Message   string
	Audience  string
	Reach     int
	Left      int
	Night     bool
	Morning   string
	Nonce     string
	PhotoURL  string
	MinSchedl string
}

// photoName is the only shape of an uploaded photo's name.
var photoName = regexp.MustCompile(`^web-[A-Za-z0-9_-]{20,64}\.(jpg|png)$`)

func (s *Server) photoDir() string { return filepath.Join(s.cfg.DataDir, "broadcasts") }

// savePhoto keeps an uploaded photo in the data folder under a random
// name, accepting only JPEG and PNG by their content.
func (s *Server) savePhoto(r *http.Request) (string, error) {
	f, _, err := r.FormFile("foto")
	if errors.Is(err, http.ErrMissingFile) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxUpload+1))
	if err != nil {
		return "", err
	}
	if len(data) == 0 {
		return "", nil
	}
	ext := ""
	switch http.DetectContentType(data) {
	case "image/jpeg":
		ext = ".jpg"
	case "image/png":
		ext = ".png"
	default:
		return "", errNotPhoto
	}
	if len(data) > maxUpload {
		return "", errNotPhoto
	}
	token, err := menu.NewWebToken(s.cfg.Random)
	if err != nil {
		return "", err
	}
	name := "web-" + token[:32] + ext
	if err := os.MkdirAll(s.photoDir(), 0o700); err != nil {
		return "", err
	}
	return name, os.WriteFile(filepath.Join(s.photoDir(), name), data, 0o600)
}

var errNotPhoto = errors.New("not a JPEG or PNG photo")

func (s *Server) broadcastPreview(w http.ResponseWriter, r *http.Request, u who) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload+64<<10)
	if err := r.ParseMultipartForm(maxUpload); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		s.showCompose(w, r, u, draft{}, "web.photo_bad", http.StatusBadRequest)
		return
	}
	d := readDraft(r)
	if name, err := s.savePhoto(r); errors.Is(err, errNotPhoto) {
		s.showCompose(w, r, u, d, "web.photo_bad", http.StatusBadRequest)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	} else if name != "" {
		d.Photo = name
	}
	s.preview(w, r, u, d, "", http.StatusOK)
}

func (s *Server) preview(w http.ResponseWriter, r *http.Request, u who, d draft, problem string, status int) {
	lang := s.langOf(u)
	if d.Text == "" {
		s.showCompose(w, r, u, d, "web.text_empty", http.StatusUnprocessableEntity)
		return
	}
	if len([]rune(d.Text)) > maxBroadcastText {
		s.showCompose(w, r, u, d, "web.text_long", http.StatusUnprocessableEntity)
		return
	}
	now := s.cfg.Now()
	p := previewData{Draft: d, Message: broadcast.Message(lang, d.Text, "").Text,
		Night: ops.InQuietHours(now, s.cfg.Location)}
	if p.Night {
		p.Morning = view{Lang: lang, loc: s.cfg.Location}.Date(ops.AfterQuietHours(now, s.cfg.Location))
	}
	if d.Photo != "" {
		p.PhotoURL = "/siaran-foto/" + d.Photo
	}
	var ok bool
	err := s.db.View(r.Context(), func(tx *store.Tx) error {
		a := d.audience()
		if ok = validAudience(tx, a); !ok {
			return nil
		}
		p.Audience = broadcast.DescribeAudience(tx, lang, a)
		_, reach, err := tx.BroadcastAudienceMembers(a)
		p.Reach, p.Left = reach.Reach, reach.Left()
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.showCompose(w, r, u, d, "web.audience_pick", http.StatusUnprocessableEntity)
		return
	}
	// A one-time token: a form sent twice (a double click, a reload) makes
	// one broadcast.
	if p.Nonce, err = menu.NewWebToken(s.cfg.Random); err != nil {
		s.fail(w, r, err)
		return
	}
	p.MinSchedl = now.In(s.cfg.Location).Format("2006-01-02T15:04")
	v := struct {
		previewData
		Problem string
	}{p, problem}
	s.render(w, r, status, "preview", u, "web.preview_title", v)
}

// broadcastSend makes the broadcast through the same operation as the
// chat: now, at 06:00 after a night, or at a chosen time that is not at
// night.
func (s *Server) broadcastSend(w http.ResponseWriter, r *http.Request, u who) {
	d := readDraft(r)
	now := s.cfg.Now()
	loc := s.cfg.Location
	when := now
	switch r.FormValue("when") {
	case "now":
	case "morning":
		when = ops.AfterQuietHours(now, loc)
	case "schedule":
		t, err := time.ParseInLocation("2006-01-02T15:04", r.FormValue("at"), loc)
		switch {
		case err != nil:
			s.preview(w, r, u, d, "broadcast.when_format", http.StatusUnprocessableEntity)
			return
		case !t.After(now):
			s.preview(w, r, u, d, "broadcast.when_past", http.StatusUnprocessableEntity)
			return
		case ops.InQuietHours(t, loc):
			s.preview(w, r, u, d, "broadcast.when_quiet", http.StatusUnprocessableEntity)
			return
		case t.Sub(now) > 366*24*time.Hour:
			s.preview(w, r, u, d, "broadcast.when_far", http.StatusUnprocessableEntity)
			return
		}
		when = t
	default:
		s.preview(w, r, u, d, "", http.StatusUnprocessableEntity)
		return
	}
	nonce := r.FormValue("nonce")
	var made ops.BroadcastMade
	var again bool
	q, err := s.db.TxQueued(r.Context(), func(tx *store.Tx) error {
		a := d.audience()
		if !validAudience(tx, a) || d.Text == "" || len([]rune(d.Text)) > maxBroadcastText || len(nonce) < 20 {
			made.Outcome = ops.Refused
			return nil
		}
		first, err := tx.MarkOnce("web:broadcast:"+store.SecretHash(nonce), now)
		if err != nil || !first {
			again = !first
			return err
		}
		b := store.Broadcast{Text: d.Text, Audience: a, ScheduledAt: when}
		if d.Photo != "" {
			b.PhotoChannel, b.PhotoRef, b.PhotoPath = "web", d.Photo, filepath.Join(s.photoDir(), d.Photo)
		}
		made, err = ops.CreateBroadcast(tx, u.actor(), b, broadcast.DescribeAudience(tx, "id", a), now)
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if again {
		s.render(w, r, http.StatusConflict, "message", u, "web.broadcasts_title", message{Text: "web.already_sent", Back: "/siaran"})
		return
	}
	if made.Outcome != ops.Done {
		s.preview(w, r, u, d, "web.broadcast_refused", http.StatusUnprocessableEntity)
		return
	}
	s.cfg.Committed(store.Queued{Changed: true, Messages: q.Messages})
	http.Redirect(w, r, fmt.Sprintf("/siaran/%d", made.Broadcast.ID), http.StatusSeeOther)
}

func (s *Server) broadcastByPath(w http.ResponseWriter, r *http.Request, u who) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFound(w, r, u)
		return 0, false
	}
	return id, true
}

type broadcastData struct {
	Row     broadcastRow
	Message string
	Final   bool
	Flash   string
}

func (s *Server) broadcast(w http.ResponseWriter, r *http.Request, u who) {
	s.showBroadcast(w, r, u, "", http.StatusOK)
}

func (s *Server) showBroadcast(w http.ResponseWriter, r *http.Request, u who, flash string, status int) {
	id, ok := s.broadcastByPath(w, r, u)
	if !ok {
		return
	}
	lang := s.langOf(u)
	var d broadcastData
	err := s.db.View(r.Context(), func(tx *store.Tx) error {
		b, err := tx.Broadcast(id)
		if err != nil {
			return err
		}
		d.Row, err = broadcastRowOf(tx, lang, b)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r, u)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Message = broadcast.Message(lang, d.Row.Text, "").Text
	d.Final = finalState(d.Row.State)
	d.Flash = flash
	s.render(w, r, status, "broadcast", u, "web.broadcast_title", d)
}

func finalState(s string) bool {
	return s == store.BroadcastDone || s == store.BroadcastCancelled || s == store.BroadcastMissed
}

// broadcastProgress is the live progress for the page's script.
func (s *Server) broadcastProgress(w http.ResponseWriter, r *http.Request, u who) {
	id, ok := s.broadcastByPath(w, r, u)
	if !ok {
		return
	}
	lang := s.langOf(u)
	var row broadcastRow
	err := s.db.View(r.Context(), func(tx *store.Tx) error {
		b, err := tx.Broadcast(id)
		if err != nil {
			return err
		}
		row, err = broadcastRowOf(tx, lang, b)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	text := row.Progress
	if text == "" {
		text = view{Lang: lang, loc: s.cfg.Location}.Date(row.ScheduledAt)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"state": row.StateName, "text": text, "final": finalState(row.State)})
}

var broadcastActions = map[string]string{"jeda": ops.BroadcastPause, "lanjut": ops.BroadcastResume, "batal": ops.BroadcastCancel}

func (s *Server) broadcastAction(w http.ResponseWriter, r *http.Request, u who) {
	id, ok := s.broadcastByPath(w, r, u)
	if !ok {
		return
	}
	action, ok := broadcastActions[r.PathValue("action")]
	if !ok {
		s.notFound(w, r, u)
		return
	}
	var ch ops.BroadcastChange
	q, err := s.db.TxQueued(r.Context(), func(tx *store.Tx) error {
		var err error
		ch, err = ops.ChangeBroadcast(tx, u.actor(), id, action, s.cfg.Now())
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.cfg.Committed(store.Queued{Changed: true, Messages: q.Messages})
	lang := s.langOf(u)
	v := view{Lang: lang}
	switch ch.Outcome {
	case ops.Done:
		s.showBroadcast(w, r, u, v.T(map[string]string{ops.BroadcastPause: "broadcast.paused",
			ops.BroadcastResume: "broadcast.resumed", ops.BroadcastCancel: "broadcast.cancelled"}[action], id), http.StatusOK)
	case ops.AlreadyDone:
		s.showBroadcast(w, r, u, v.T("broadcast.already", id, broadcast.StateName(lang, ch.State)), http.StatusOK)
	case ops.NotFound:
		s.notFound(w, r, u)
	default:
		s.showBroadcast(w, r, u, v.T("broadcast.cannot", id, broadcast.StateName(lang, ch.State)), http.StatusConflict)
	}
}

// broadcastPhoto shows an uploaded photo to staff (the preview).
func (s *Server) broadcastPhoto(w http.ResponseWriter, r *http.Request, u who) {
	name := r.PathValue("name")
	if !photoName.MatchString(name) {
		s.notFound(w, r, u)
		return
	}
	serveFile(w, r, filepath.Join(s.photoDir(), name), name, false)
}
