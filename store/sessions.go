package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Session loads a person's conversation state as the flows saved it (JSON);
// empty when they have none.
func (tx *Tx) Session(userID int64) ([]byte, error) {
	var state string
	err := tx.queryRow(`SELECT state FROM sessions WHERE user_id = ?`, userID).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load session: %w", err)
	}
	return []byte(state), nil
}

// SaveSession stores a person's conversation state.
func (tx *Tx) SaveSession(userID int64, state []byte, now time.Time) error {
	_, err := tx.exec(`INSERT INTO sessions(user_id, state, updated_at) VALUES (?, ?, ?)
		ON CONFLICT(user_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
		userID, string(state), FormatTime(now))
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return nil
}
