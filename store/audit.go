package store

import (
	"fmt"
	"time"
)

// Audit records who did what to which record. Actor is a user id or a
// contact, never a reporter's identity in the detail.
func (tx *Tx) Audit(now time.Time, actor, action, subject, detail string) error {
	_, err := tx.exec(`INSERT INTO audit(at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)`,
		FormatTime(now), actor, action, subject, detail)
	if err != nil {
		return fmt.Errorf("write audit entry: %w", err)
	}
	return nil
}
