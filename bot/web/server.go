// Package web is the staff dashboard: server-rendered pages over HTTP,
// served by "klabot run" beside the chat channels. Every action calls the
// same operations as the chat (package flows/ops) and queues what it owes
// people in the outbox in the same transaction. Staff and Satgas PA
// volunteers sign in with a one-time link asked for in the chat.
package web

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	channel "klabot/bot/message"
	"klabot/store"
)

// Config is what the dashboard needs from klabot's settings.
type Config struct {
	// Addr is where to listen, e.g. "127.0.0.1:8080".
	Addr string
	// BaseURL is the address people open, e.g. "https://klabot.example";
	// cookies are Secure when it is https.
	BaseURL string
	// Staff are the staff contacts ("telegram:123"); read at every
	// request, so a contact removed from it loses access at once.
	Staff    map[string]bool
	Location *time.Location
	Lang     string
	DataDir  string
	// Metrics opens /metrics to anyone who can reach the server; without
	// it, /metrics needs a staff sign-in.
	Metrics bool
	// Channels reports each channel's state for /healthz.
	Channels func() []ChannelState
	// Committed is told what a transaction queued, to wake the senders
	// and the broadcaster.
	Committed func(store.Queued)
	Now       func() time.Time
	Random    io.Reader
	Log       *slog.Logger
}

// ChannelState is one channel's health.
type ChannelState struct {
	Name      string `json:"name"`
	Connected bool   `json:"connected"`
	LastError string `json:"last_error,omitempty"`
	ErrorAt   string `json:"error_at,omitempty"` // RFC 3339
}

// ChannelOf is a channel's state as its adapter keeps it in h.
func ChannelOf(name string, h *channel.Health) ChannelState {
	st := h.State()
	c := ChannelState{Name: name, Connected: st.Connected, LastError: st.LastError}
	if !st.ErrorAt.IsZero() {
		c.ErrorAt = st.ErrorAt.UTC().Format(time.RFC3339)
	}
	return c
}

const (
	// sessionIdle is how long a session lasts without use.
	sessionIdle = 12 * time.Hour
	// touchEvery bounds the writes that keep a session alive.
	touchEvery = time.Minute
	cookieName = "klabot_sesi"
)

// Server is the dashboard.
type Server struct {
	cfg    Config
	db     *store.DB
	pages  *pages
	mux    *http.ServeMux
	counts countsCache
	// attempts bounds the sign-in tries per address.
	attempts attempts
}

// New makes the dashboard for db.
func New(db *store.DB, cfg Config) (*Server, error) {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Lang == "" {
		cfg.Lang = "id"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Random == nil {
		cfg.Random = rand.Reader
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Committed == nil {
		cfg.Committed = func(store.Queued) {}
	}
	if cfg.Staff == nil {
		cfg.Staff = map[string]bool{}
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, db: db, pages: p, mux: http.NewServeMux(), attempts: attempts{limit: 20, per: time.Minute}}
	s.routes()
	return s, nil
}

// Handler is the dashboard with its safety layers: security headers on
// every answer and every cross-site POST refused.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
	}))
	return secureHeaders(cop.Handler(s.mux))
}

// Run serves until ctx ends.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("web dashboard: listen on %s: %w", s.cfg.Addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx ends.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // uploads on a slow line
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.cfg.Log.Handler(), slog.LevelWarn),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.prune(ctx)
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	s.cfg.Log.Info("web dashboard is listening", "addr", ln.Addr().String())
	err := srv.Serve(ln)
	<-done
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// prune deletes idle sessions and old sign-in links every hour until ctx
// ends.
func (s *Server) prune(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		now := s.cfg.Now()
		if err := s.db.Tx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
			return tx.PruneWeb(now.Add(-sessionIdle), now.Add(-24*time.Hour))
		}); err != nil {
			s.cfg.Log.Warn("prune web sessions", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// contentSecurity allows nothing from elsewhere, no inline script and no
// framing.
const contentSecurity = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"media-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurity)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			// Pages hold children's cases: never kept by the browser or
			// a proxy.
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) secure() bool { return strings.HasPrefix(s.cfg.BaseURL, "https://") }

func (s *Server) routes() {
	m := s.mux
	m.Handle("GET /static/", staticHandler())
	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("GET /metrics", s.metrics)
	m.HandleFunc("GET /{$}", s.home)
	m.HandleFunc("GET /masuk", s.signInHelp)
	m.HandleFunc("GET /masuk/{token}", s.signInPage)
	m.HandleFunc("POST /masuk/{token}", s.signIn)
	m.HandleFunc("POST /keluar", s.signOut)

	m.HandleFunc("GET /laporan", s.auth(anyRole, s.reportList))
	m.HandleFunc("POST /laporan", s.auth(anyRole, s.reportList))
	m.HandleFunc("GET /laporan/{code}", s.auth(anyRole, s.reportPage))
	m.HandleFunc("GET /laporan/{code}/bukti/{n}", s.auth(anyRole, s.evidence))
	m.HandleFunc("POST /laporan/{code}/{action}", s.auth(anyRole, s.reportAction))
	m.HandleFunc("GET /wilayah", s.auth(staffOnly, s.places))
	m.HandleFunc("GET /relawan", s.auth(staffOnly, s.volunteers))
	m.HandleFunc("POST /relawan/{action}", s.auth(staffOnly, s.volunteerAction))
	m.HandleFunc("GET /pelatihan", s.auth(staffOnly, s.trainings))
	m.HandleFunc("GET /pelatihan/{id}", s.auth(staffOnly, s.training))
	m.HandleFunc("POST /pelatihan/impor", s.auth(staffOnly, s.trainingImport))
	m.HandleFunc("GET /siaran", s.auth(staffOnly, s.broadcasts))
	m.HandleFunc("GET /siaran/hitung", s.auth(staffOnly, s.broadcastCount))
	m.HandleFunc("POST /siaran/pratinjau", s.auth(staffOnly, s.broadcastPreview))
	m.HandleFunc("POST /siaran/kirim", s.auth(staffOnly, s.broadcastSend))
	m.HandleFunc("GET /siaran-foto/{name}", s.auth(staffOnly, s.broadcastPhoto))
	m.HandleFunc("GET /siaran/{id}", s.auth(staffOnly, s.broadcast))
	m.HandleFunc("GET /siaran/{id}/progres", s.auth(staffOnly, s.broadcastProgress))
	m.HandleFunc("POST /siaran/{id}/{action}", s.auth(staffOnly, s.broadcastAction))
	m.HandleFunc("GET /pengingat", s.auth(staffOnly, s.reminders))
	m.HandleFunc("GET /rekap", s.auth(staffOnly, s.recap))
	m.HandleFunc("GET /rekap/grafik.png", s.auth(staffOnly, s.recapChart))
	m.HandleFunc("GET /rekap/unduh/{file}", s.auth(staffOnly, s.recapDownload))
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.session(r); ok {
		http.Redirect(w, r, "/laporan", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/masuk", http.StatusSeeOther)
}
