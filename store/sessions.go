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

// SessionState is a conversation as the flows save it: their JSON, which
// the store never reads, and what the store needs to know of it.
type SessionState struct {
	JSON    []byte
	Flow    string // the flow it is in, e.g. "report"
	HasData bool   // it holds answers typed in it (a name, a draft)
}

// SaveSession stores a person's conversation state.
func (tx *Tx) SaveSession(userID int64, s SessionState, now time.Time) error {
	_, err := tx.exec(`INSERT INTO sessions(user_id, state, flow, has_data, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(user_id) DO UPDATE SET state = excluded.state, flow = excluded.flow, has_data = excluded.has_data,
		updated_at = excluded.updated_at`,
		userID, string(s.JSON), s.Flow, s.HasData, FormatTime(now))
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return nil
}
