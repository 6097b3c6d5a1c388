package store

import (
	"database/sql"
	"errors"
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

// LastAudit is the latest audit entry of actor doing action to subject:
// when, and its detail; found is false when there is none.
func (tx *Tx) LastAudit(actor, action, subject string) (at time.Time, detail string, found bool, err error) {
	var stamp string
	err = tx.queryRow(`SELECT at, detail FROM audit WHERE actor = ? AND action = ? AND subject = ? ORDER BY id DESC LIMIT 1`,
		actor, action, subject).Scan(&stamp, &detail)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, "", false, nil
	}
	if err != nil {
		return time.Time{}, "", false, fmt.Errorf("read audit: %w", err)
	}
	return ParseTime(stamp), detail, true, nil
}
