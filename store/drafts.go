package store

import (
	"context"
	"fmt"
	"time"
)

// IdleSession is a conversation left half done in some flow.
type IdleSession struct {
	UserID  int64
	Updated time.Time // the person's last message
	Nudged  bool      // already nudged since that message
}

// IdleSessions lists conversations in flow whose last activity is before
// idleSince and that either were not nudged since, or are older than
// dropBefore (to be dropped, nudged or not).
func (db *DB) IdleSessions(ctx context.Context, flow string, idleSince, dropBefore time.Time, limit int) ([]IdleSession, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT user_id, updated_at, nudged_at IS NOT NULL AND nudged_at >= updated_at
		FROM sessions WHERE flow = ? AND updated_at < ?
		AND (nudged_at IS NULL OR nudged_at < updated_at OR updated_at < ?)
		ORDER BY updated_at LIMIT ?`, flow, FormatTime(idleSince), FormatTime(dropBefore), limit)
	if err != nil {
		return nil, fmt.Errorf("list idle sessions: %w", err)
	}
	return scanAll(rows, "scan idle session", scanIdleSession)
}

// scanIdleSession reads user_id, updated_at and whether nudged since.
func scanIdleSession(row rowScanner) (IdleSession, error) {
	var s IdleSession
	var updated string
	err := row.Scan(&s.UserID, &updated, &s.Nudged)
	s.Updated = ParseTime(updated)
	return s, err
}

// StaleSessions lists conversations in any flow whose last activity is
// before idleSince and that still hold answers typed in them (a name, a
// phone number, a draft), to be dropped.
func (db *DB) StaleSessions(ctx context.Context, idleSince time.Time, limit int) ([]IdleSession, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT user_id, updated_at, 0 FROM sessions
		WHERE updated_at < ? AND has_data
		ORDER BY updated_at LIMIT ?`, FormatTime(idleSince), limit)
	if err != nil {
		return nil, fmt.Errorf("list stale sessions: %w", err)
	}
	return scanAll(rows, "scan stale session", scanIdleSession)
}

// MarkSessionNudged records a nudge, unless the person wrote since updated
// (then false: they are back, and need no nudge).
func (tx *Tx) MarkSessionNudged(userID int64, updated, now time.Time) (bool, error) {
	res, err := tx.exec(`UPDATE sessions SET nudged_at = ? WHERE user_id = ? AND updated_at = ?`,
		FormatTime(now), userID, FormatTime(updated))
	if err != nil {
		return false, fmt.Errorf("mark session nudged: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReplaceIdleSession overwrites a conversation's state, unless the person
// wrote since updated (then false). Its time stays, so it does not look
// like activity.
func (tx *Tx) ReplaceIdleSession(userID int64, updated time.Time, state []byte) (bool, error) {
	res, err := tx.exec(`UPDATE sessions SET state = ? WHERE user_id = ? AND updated_at = ?`,
		string(state), userID, FormatTime(updated))
	if err != nil {
		return false, fmt.Errorf("replace idle session: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
