package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// NewLinkCode stores a one-time code that links another channel to a
// person, replacing any code they had. False if the code is already taken
// (the caller draws another).
func (tx *Tx) NewLinkCode(userID int64, code string, now, expires time.Time) (bool, error) {
	if _, err := tx.exec(`DELETE FROM link_codes WHERE user_id = ? OR expires_at <= ?`, userID, FormatTime(now)); err != nil {
		return false, fmt.Errorf("drop old link codes: %w", err)
	}
	res, err := tx.exec(`INSERT INTO link_codes(code, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, code, userID, FormatTime(now), FormatTime(expires))
	if err != nil {
		return false, fmt.Errorf("save link code: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("save link code: %w", err)
	}
	return n == 1, nil
}

// LinkCodeOwner is the person who made a code that is still valid, or 0.
func (tx *Tx) LinkCodeOwner(code string, now time.Time) (int64, error) {
	var id int64
	err := tx.queryRow(`SELECT user_id FROM link_codes WHERE code = ? AND expires_at > ?`, code, FormatTime(now)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("find link code: %w", err)
	}
	return id, nil
}

// UseLinkCode deletes a code once it has served.
func (tx *Tx) UseLinkCode(code string) error {
	if _, err := tx.exec(`DELETE FROM link_codes WHERE code = ?`, code); err != nil {
		return fmt.Errorf("use link code: %w", err)
	}
	return nil
}

// RecordLinkAttempt notes a wrong code typed by a person.
func (tx *Tx) RecordLinkAttempt(userID int64, now time.Time) error {
	if _, err := tx.exec(`INSERT INTO link_attempts(user_id, at) VALUES (?, ?)`, userID, FormatTime(now)); err != nil {
		return fmt.Errorf("record link attempt: %w", err)
	}
	return nil
}

// LinkAttemptsSince counts a person's wrong codes since a time.
func (tx *Tx) LinkAttemptsSince(userID int64, since time.Time) (int, error) {
	var n int
	if err := tx.queryRow(`SELECT count(*) FROM link_attempts WHERE user_id = ? AND at >= ?`,
		userID, FormatTime(since)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count link attempts: %w", err)
	}
	return n, nil
}

// MergeUsers makes two person records one: everything of old moves to
// keep, then old is deleted. It finds what to move itself: every column of
// every table with a foreign key to users(id), so tables added by later
// features follow without changes here. A row that cannot move because
// keep already has its twin (a unique constraint: the same training
// registered twice, the session) is dropped with old. keep's name, role
// and consent are kept, filled from old where keep has none; an opt-out on
// either side is honoured. For a training both registered for, the better
// registration stays (a seat before the waitlist before a cancelled one);
// a second seat the person held is freed and given to the waitlist: those
// promoted are returned, for them to be told.
func (tx *Tx) MergeUsers(keep, old int64, now time.Time) (promoted []Registration, err error) {
	if keep == old {
		return nil, errors.New("merge a person with themselves")
	}
	refs, err := tx.userReferences()
	if err != nil {
		return nil, err
	}
	freed, err := tx.keepBetterRegistrations(keep, old)
	if err != nil {
		return nil, err
	}
	_, err = tx.exec(`UPDATE users SET
		name = CASE WHEN name = '' THEN (SELECT name FROM users WHERE id = ?2) ELSE name END,
		role = CASE WHEN role = '' THEN (SELECT role FROM users WHERE id = ?2) ELSE role END,
		consent_at = COALESCE(consent_at, (SELECT consent_at FROM users WHERE id = ?2)),
		opted_out_at = COALESCE(opted_out_at, (SELECT opted_out_at FROM users WHERE id = ?2))
		WHERE id = ?1`, keep, old)
	if err != nil {
		return nil, fmt.Errorf("merge person %d into %d: %w", old, keep, err)
	}
	for _, r := range refs {
		// OR IGNORE skips just the rows that would break a unique constraint.
		if _, err := tx.exec(`UPDATE OR IGNORE `+r.table+` SET `+r.column+` = ? WHERE `+r.column+` = ?`, keep, old); err != nil {
			return nil, fmt.Errorf("move %s.%s of person %d: %w", r.table, r.column, old, err)
		}
		// What stayed behind duplicates keep's rows; without this a
		// reference without ON DELETE CASCADE would block the delete.
		if _, err := tx.exec(`DELETE FROM `+r.table+` WHERE `+r.column+` = ?`, old); err != nil {
			return nil, fmt.Errorf("drop duplicates in %s.%s of person %d: %w", r.table, r.column, old, err)
		}
	}
	if _, err := tx.exec(`DELETE FROM users WHERE id = ?`, old); err != nil {
		return nil, fmt.Errorf("delete merged person %d: %w", old, err)
	}
	for _, id := range freed {
		p, err := tx.PromoteWaitlist(id, now)
		if err != nil {
			return nil, err
		}
		promoted = append(promoted, p...)
	}
	return promoted, nil
}

// keepBetterRegistrations settles the trainings both people registered
// for before the merge moves old's rows: when old's registration is the
// better one, keep's twin is dropped so that old's takes its place (else
// old's stays behind and is dropped). It returns the trainings where both
// held a seat: one of them is free now.
func (tx *Tx) keepBetterRegistrations(keep, old int64) (freed []int64, err error) {
	twins := `FROM registrations k JOIN registrations o ON o.training_id = k.training_id AND o.user_id = ?2
		WHERE k.user_id = ?1`
	freed, err = tx.ids(`SELECT k.training_id `+twins+` AND k.status = 'registered' AND o.status = 'registered'`, keep, old)
	if err != nil {
		return nil, fmt.Errorf("compare registrations of merged people: %w", err)
	}
	if _, err := tx.exec(`DELETE FROM registrations WHERE id IN (SELECT k.id `+twins+`
		AND (o.status = 'registered' AND k.status <> 'registered' OR o.status = 'waitlisted' AND k.status = 'cancelled'))`,
		keep, old); err != nil {
		return nil, fmt.Errorf("drop the lesser registration: %w", err)
	}
	return freed, nil
}

// userRef is a column that refers to users(id), with what the schema does
// to it when the person is deleted (onDelete: "CASCADE", "SET NULL", ...).
type userRef struct{ table, column, onDelete string }

// userReferences lists every column that refers to users(id), the names
// quoted for use in SQL.
func (tx *Tx) userReferences() ([]userRef, error) {
	rows, err := tx.query(`SELECT m.name, f."from", upper(f.on_delete) FROM sqlite_master m, pragma_foreign_key_list(m.name) f
		WHERE m.type = 'table' AND f."table" = 'users' AND (f."to" IS NULL OR f."to" = 'id')
		ORDER BY m.name, f."from"`)
	if err != nil {
		return nil, fmt.Errorf("list references to users: %w", err)
	}
	defer rows.Close()
	var refs []userRef
	for rows.Next() {
		var table, column, onDelete string
		if err := rows.Scan(&table, &column, &onDelete); err != nil {
			return nil, fmt.Errorf("list references to users: %w", err)
		}
		refs = append(refs, userRef{quoteIdent(table), quoteIdent(column), onDelete})
	}
	return refs, rows.Err()
}

// quoteIdent quotes a table or column name read from the schema.
func quoteIdent(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }
