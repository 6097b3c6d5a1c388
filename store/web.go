package store

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// The dashboard's sign-in: a one-time link asked for in the chat opens a
// browser session. Secrets are stored as hashes only.

// ErrLinkUsed: a sign-in link was used before, or has expired.
var ErrLinkUsed = errors.New("sign-in link used or expired")

// SecretHash is how a sign-in token or session id is kept.
func SecretHash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// WebSession is a signed-in browser.
type WebSession struct {
	UserID   int64
	Contact  Contact // the staff or volunteer contact the link was sent to
	Created  time.Time
	LastSeen time.Time
}

// AddWebLogin stores a sign-in token for a person's contact, valid until
// expires.
func (tx *Tx) AddWebLogin(token string, userID int64, c Contact, now, expires time.Time) error {
	_, err := tx.exec(`INSERT INTO web_logins(token_hash, user_id, channel, address, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, SecretHash(token), userID, c.Channel, c.Address, FormatTime(now), FormatTime(expires))
	if err != nil {
		return fmt.Errorf("save sign-in link: %w", err)
	}
	return nil
}

// WebLoginsSince counts the links a person asked for since a time.
func (tx *Tx) WebLoginsSince(userID int64, since time.Time) (int, error) {
	var n int
	err := tx.queryRow(`SELECT count(*) FROM web_logins WHERE user_id = ? AND created_at >= ?`,
		userID, FormatTime(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count sign-in links: %w", err)
	}
	return n, nil
}

// WebLogin tells whom an unused, unexpired token was made for.
func (tx *Tx) WebLogin(token string, now time.Time) (userID int64, c Contact, err error) {
	err = tx.queryRow(`SELECT user_id, channel, address FROM web_logins
		WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`, SecretHash(token), FormatTime(now)).
		Scan(&userID, &c.Channel, &c.Address)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, Contact{}, ErrLinkUsed
	}
	if err != nil {
		return 0, Contact{}, fmt.Errorf("read sign-in link: %w", err)
	}
	return userID, c, nil
}

// UseWebLogin spends a token and opens a session with the given id. A
// token already used (a second tab, a second click) or expired is
// ErrLinkUsed and opens nothing.
func (tx *Tx) UseWebLogin(token, sessionID string, now time.Time) (WebSession, error) {
	userID, c, err := tx.WebLogin(token, now)
	if err != nil {
		return WebSession{}, err
	}
	res, err := tx.exec(`UPDATE web_logins SET used_at = ? WHERE token_hash = ? AND used_at IS NULL`,
		FormatTime(now), SecretHash(token))
	if err != nil {
		return WebSession{}, fmt.Errorf("spend sign-in link: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return WebSession{}, ErrLinkUsed
	}
	if _, err := tx.exec(`INSERT INTO web_sessions(id_hash, user_id, channel, address, created_at, last_seen_at)
		VALUES (?, ?, ?, ?, ?, ?)`, SecretHash(sessionID), userID, c.Channel, c.Address, FormatTime(now), FormatTime(now)); err != nil {
		return WebSession{}, fmt.Errorf("open session: %w", err)
	}
	return WebSession{UserID: userID, Contact: c, Created: now, LastSeen: now}, nil
}

// WebSessionByID finds a session; ErrNotFound if there is none.
func (tx *Tx) WebSessionByID(id string) (WebSession, error) {
	var s WebSession
	var created, seen string
	err := tx.queryRow(`SELECT user_id, channel, address, created_at, last_seen_at FROM web_sessions WHERE id_hash = ?`,
		SecretHash(id)).Scan(&s.UserID, &s.Contact.Channel, &s.Contact.Address, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return WebSession{}, ErrNotFound
	}
	if err != nil {
		return WebSession{}, fmt.Errorf("read session: %w", err)
	}
	s.Created, s.LastSeen = ParseTime(created), ParseTime(seen)
	return s, nil
}

// TouchWebSession records that a session was used now.
func (tx *Tx) TouchWebSession(id string, now time.Time) error {
	if _, err := tx.exec(`UPDATE web_sessions SET last_seen_at = ? WHERE id_hash = ?`, FormatTime(now), SecretHash(id)); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// EndWebSession signs a browser out.
func (tx *Tx) EndWebSession(id string) error {
	if _, err := tx.exec(`DELETE FROM web_sessions WHERE id_hash = ?`, SecretHash(id)); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// PruneWeb deletes sessions idle since before idleBefore and links made
// before linksBefore.
func (tx *Tx) PruneWeb(idleBefore, linksBefore time.Time) error {
	if _, err := tx.exec(`DELETE FROM web_sessions WHERE last_seen_at < ?`, FormatTime(idleBefore)); err != nil {
		return fmt.Errorf("prune sessions: %w", err)
	}
	if _, err := tx.exec(`DELETE FROM web_logins WHERE created_at < ?`, FormatTime(linksBefore)); err != nil {
		return fmt.Errorf("prune sign-in links: %w", err)
	}
	return nil
}
