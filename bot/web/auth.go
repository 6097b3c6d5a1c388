package web

import (
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"klabot/flows/menu"
	"klabot/flows/ops"
	"klabot/store"
)

// who is the signed-in person of a request.
type who struct {
	UserID    int64
	Name      string
	Lang      string
	Staff     bool
	Volunteer bool
	KecCode   string // a volunteer's kecamatan
	sid       string
}

func (u who) actor() ops.Actor { return ops.Actor{UserID: u.UserID, Staff: u.Staff} }

func (u who) auditName() string { return u.actor().AuditName() }

// Roles a page is open to.
const (
	anyRole   = iota // staff and volunteers
	staffOnly        // staff alone
)

type handler func(w http.ResponseWriter, r *http.Request, u who)

// auth lets a request through only with a live session of someone who is
// staff (by their contact, now) or a Satgas PA volunteer.
func (s *Server) auth(role int, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.session(r)
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/masuk", http.StatusSeeOther)
				return
			}
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		}
		if role == staffOnly && !u.Staff {
			s.render(w, r, http.StatusForbidden, "message", u, "web.forbidden_title", message{Text: "web.staff_only"})
			return
		}
		h(w, r, u)
	}
}

// session finds the person of a request's cookie. A session idle too long,
// or of a contact no longer staff nor volunteer, is ended.
func (s *Server) session(r *http.Request) (who, bool) {
	c, err := r.Cookie(cookieName)
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return who{}, false
	}
	now := s.cfg.Now()
	var u who
	var sess store.WebSession
	var alive bool
	err = s.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		sess, err = tx.WebSessionByID(c.Value)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if now.Sub(sess.LastSeen) > sessionIdle {
			return nil
		}
		user, err := tx.User(sess.UserID)
		if err != nil {
			return err
		}
		u = who{UserID: user.ID, Name: user.Name, Lang: user.Lang, Staff: s.cfg.Staff[sess.Contact.String()], sid: c.Value}
		if !u.Staff {
			v, ok, err := tx.Volunteer(user.ID)
			if err != nil {
				return err
			}
			u.Volunteer, u.KecCode = ok, v.KecCode
		}
		alive = u.Staff || u.Volunteer
		return nil
	})
	if err != nil {
		s.cfg.Log.Error("read web session", "err", err)
		return who{}, false
	}
	if !alive {
		if sess.UserID != 0 {
			s.db.Tx(r.Context(), func(tx *store.Tx) error { return tx.EndWebSession(c.Value) })
		}
		return who{}, false
	}
	if now.Sub(sess.LastSeen) > touchEvery {
		if err := s.db.Tx(r.Context(), func(tx *store.Tx) error { return tx.TouchWebSession(c.Value, now) }); err != nil {
			s.cfg.Log.Warn("touch web session", "err", err)
		}
	}
	return u, true
}

// attempts bounds how often one address may try sign-in links: tokens
// cannot be guessed, but nobody should get to try.
type attempts struct {
	mu    sync.Mutex
	seen  map[string][]time.Time
	limit int
	per   time.Duration
}

func (a *attempts) allow(key string, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.seen == nil {
		a.seen = map[string][]time.Time{}
	}
	recent := a.seen[key][:0]
	for _, t := range a.seen[key] {
		if now.Sub(t) < a.per {
			recent = append(recent, t)
		}
	}
	if len(recent) >= a.limit {
		a.seen[key] = recent
		return false
	}
	a.seen[key] = append(recent, now)
	if len(a.seen) > 10000 {
		a.seen = map[string][]time.Time{} // bounded memory under a flood
	}
	return true
}

func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) signInHelp(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "message", who{}, "web.signin_title", message{Text: "web.signin_help"})
}

// signInPage shows a button that spends the link: a link preview fetched
// by a chat app must not use the link up.
func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !s.attempts.allow(clientKey(r), s.cfg.Now()) {
		s.render(w, r, http.StatusTooManyRequests, "message", who{}, "web.signin_title", message{Text: "web.signin_slow"})
		return
	}
	valid := false
	err := s.db.View(r.Context(), func(tx *store.Tx) error {
		_, _, err := tx.WebLogin(token, s.cfg.Now())
		valid = err == nil
		if errors.Is(err, store.ErrLinkUsed) {
			return nil
		}
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !valid {
		s.render(w, r, http.StatusGone, "message", who{}, "web.signin_title", message{Text: "web.signin_used"})
		return
	}
	s.render(w, r, http.StatusOK, "signin", who{}, "web.signin_title", struct{ Token string }{token})
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	now := s.cfg.Now()
	if !s.attempts.allow(clientKey(r), now) {
		s.render(w, r, http.StatusTooManyRequests, "message", who{}, "web.signin_title", message{Text: "web.signin_slow"})
		return
	}
	sid, err := menu.NewWebToken(s.cfg.Random)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	allowed := false
	err = s.db.Tx(r.Context(), func(tx *store.Tx) error {
		sess, err := tx.UseWebLogin(token, sid, now)
		if err != nil {
			return err
		}
		allowed = s.cfg.Staff[sess.Contact.String()]
		if !allowed {
			_, allowed, err = tx.Volunteer(sess.UserID)
			if err != nil {
				return err
			}
		}
		if !allowed {
			return tx.EndWebSession(sid)
		}
		return tx.Audit(now, "user:"+strconv.FormatInt(sess.UserID, 10), "web:signin", "", "")
	})
	if errors.Is(err, store.ErrLinkUsed) || err == nil && !allowed {
		s.render(w, r, http.StatusGone, "message", who{}, "web.signin_title", message{Text: "web.signin_used"})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: sid, Path: "/", HttpOnly: true,
		Secure: s.secure(), SameSite: http.SameSiteLaxMode, MaxAge: int(sessionIdle / time.Second)})
	http.Redirect(w, r, "/laporan", http.StatusSeeOther)
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(cookieName); err == nil {
		if u, ok := s.session(r); ok {
			if err := s.db.Tx(r.Context(), func(tx *store.Tx) error {
				if err := tx.EndWebSession(c.Value); err != nil {
					return err
				}
				return tx.Audit(s.cfg.Now(), u.auditName(), "web:signout", "", "")
			}); err != nil {
				s.fail(w, r, err)
				return
			}
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", HttpOnly: true,
		Secure: s.secure(), SameSite: http.SameSiteLaxMode, MaxAge: -1})
	http.Redirect(w, r, "/masuk", http.StatusSeeOther)
}
