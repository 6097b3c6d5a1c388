package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Personal-data duties (UU 27/2022): showing a person what is stored about
// them, erasing it when they ask, and the retention rule that removes
// personal details once they are no longer needed.
//
// What erasing a person means, table by table:
//   - users: the row stays (reports and registrations refer to it) but names
//     no one: name, role, consent and opt-out are cleared, erased_at is set.
//   - contacts, sessions, link codes, reminders, broadcast recipients and
//     every other row that the schema deletes with the person (ON DELETE
//     CASCADE): deleted. References that the schema clears (ON DELETE SET
//     NULL) are cleared. New tables follow the same rule without changes here.
//   - reports they made: kept, because the case must be followed, but made
//     anonymous (reporter_erased_at set); the story and evidence stay with
//     the case. Staff's copies of alerts naming them are deleted from the
//     outbox.
//   - registrations: seats in trainings still to come are given up (the
//     waitlist moves up); name, phone and answers are removed from all;
//     age, village and attendance stay for the counts.
//   - Satgas PA volunteer: no longer one; open reports go back to staff.
//   - messages: delivered or failed messages to their contacts are deleted,
//     and so are bulk messages still queued to them and the inbound message
//     ids that carry their address.

// ContactInfo is one of a person's contacts, as they are shown their data.
type ContactInfo struct {
	Contact
	LastInbound time.Time
	Unreachable bool
}

// PersonalData is everything klabot keeps that is about one person.
type PersonalData struct {
	User          User
	Contacts      []ContactInfo
	Reports       []Report
	Registrations []ExportRegistration
	Volunteer     *Volunteer
	Reminders     int // training reminders still to be sent
	Broadcasts    int // announcements sent to them
}

// PersonalData gathers what is stored about a person.
func (tx *Tx) PersonalData(userID int64) (PersonalData, error) {
	var p PersonalData
	var err error
	if p.User, err = tx.User(userID); err != nil {
		return p, err
	}
	rows, err := tx.query(`SELECT channel, address, COALESCE(last_inbound_at, ''), unreachable_at IS NOT NULL
		FROM contacts WHERE user_id = ? ORDER BY last_inbound_at DESC`, userID)
	if err != nil {
		return p, fmt.Errorf("list contacts: %w", err)
	}
	for rows.Next() {
		var c ContactInfo
		var last string
		if err := rows.Scan(&c.Channel, &c.Address, &last, &c.Unreachable); err != nil {
			rows.Close()
			return p, fmt.Errorf("scan contact: %w", err)
		}
		c.LastInbound = ParseTime(last)
		p.Contacts = append(p.Contacts, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return p, fmt.Errorf("list contacts: %w", err)
	}
	if p.Reports, err = tx.ListReports(ReportFilter{ReporterID: userID, Limit: -1}); err != nil {
		return p, err
	}
	if p.Registrations, err = tx.registrationsOfUser(userID); err != nil {
		return p, err
	}
	if v, ok, err := tx.Volunteer(userID); err != nil {
		return p, err
	} else if ok {
		p.Volunteer = &v
	}
	if p.Reminders, err = tx.countIfTable("reminders", `SELECT count(*) FROM reminders WHERE user_id = ? AND state = 'pending'`, userID); err != nil {
		return p, err
	}
	if p.Broadcasts, err = tx.countIfTable("broadcast_recipients", `SELECT count(*) FROM broadcast_recipients WHERE user_id = ? AND state = 'sent'`, userID); err != nil {
		return p, err
	}
	return p, nil
}

// countIfTable counts with query when table exists (a feature's table), else 0.
func (tx *Tx) countIfTable(table, query string, args ...any) (int, error) {
	ok, err := tx.hasTable(table)
	if err != nil || !ok {
		return 0, err
	}
	var n int
	if err := tx.queryRow(query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", table, err)
	}
	return n, nil
}

// registrationsOfUser lists all of a person's registrations, cancelled ones
// too, with their trainings.
func (tx *Tx) registrationsOfUser(userID int64) ([]ExportRegistration, error) {
	rows, err := tx.query(`SELECT `+registrationColumns+`, COALESCE(r.cancelled_at, ''), r.purged_at IS NOT NULL,
		`+trainingColumns+`
		FROM registrations r JOIN trainings t ON t.id = r.training_id
		WHERE r.user_id = ? ORDER BY t.starts_at, t.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list registrations of person: %w", err)
	}
	return scanAll(rows, "scan registration of person", scanExportRegistration)
}

// Erasure is what erasing a person did, for telling the people concerned.
type Erasure struct {
	Reports       int            // reports kept, now anonymous
	Registrations int            // registrations anonymised
	Cancelled     int            // seats given up in trainings to come
	Promoted      []Registration // people who got a seat that was freed
	Unassigned    []Report       // open reports that were theirs as a volunteer
}

// ErasePerson erases a person's personal data (see the top of this file
// for what that means, table by table). It is one transaction's work: all
// of it happens, or none.
func (tx *Tx) ErasePerson(userID int64, now time.Time) (Erasure, error) {
	var e Erasure
	at := FormatTime(now)

	// Messages: what was delivered to them (or failed), and staff's copies
	// of alerts that named them on a report.
	contacts, err := tx.query(`SELECT channel, address FROM contacts WHERE user_id = ?`, userID)
	if err != nil {
		return e, fmt.Errorf("erase: list contacts: %w", err)
	}
	var cs []Contact
	for contacts.Next() {
		var c Contact
		if err := contacts.Scan(&c.Channel, &c.Address); err != nil {
			contacts.Close()
			return e, fmt.Errorf("erase: scan contact: %w", err)
		}
		cs = append(cs, c)
	}
	contacts.Close()
	if err := contacts.Err(); err != nil {
		return e, fmt.Errorf("erase: list contacts: %w", err)
	}
	// Pending replies stay: the sender may hold them already, and the
	// answer to this very request is among them. Pending bulk messages
	// (reminders, broadcasts) go: they are not for someone who is no one
	// now, and once sent they would be kept with the address for good.
	for _, c := range cs {
		if _, err := tx.exec(`DELETE FROM outbox WHERE channel = ? AND address = ? AND (state <> 'pending' OR priority >= ?)`,
			c.Channel, c.Address, PriorityReminder); err != nil {
			return e, fmt.Errorf("erase: delete messages: %w", err)
		}
		// Message ids that begin with the sender's address (WhatsApp's
		// "6281...@s.whatsapp.net/3EB0...") would keep the number in the
		// dedupe log for days.
		if _, err := tx.exec(`DELETE FROM inbound WHERE channel = ?1 AND substr(message_id, 1, length(?2) + 1) IN (?2 || '@', ?2 || '/')`,
			c.Channel, c.Address); err != nil {
			return e, fmt.Errorf("erase: forget message ids: %w", err)
		}
	}
	named, err := tx.query(`SELECT code FROM reports WHERE reporter_user_id = ? AND anonymous = 0`, userID)
	if err != nil {
		return e, fmt.Errorf("erase: list named reports: %w", err)
	}
	var codes []string
	for named.Next() {
		var code string
		if err := named.Scan(&code); err != nil {
			named.Close()
			return e, fmt.Errorf("erase: scan report: %w", err)
		}
		codes = append(codes, code)
	}
	named.Close()
	if err := named.Err(); err != nil {
		return e, fmt.Errorf("erase: list named reports: %w", err)
	}
	for _, code := range codes {
		if _, err := tx.exec(`DELETE FROM outbox WHERE state <> 'pending' AND subject = ?`, ReportSubject(code)); err != nil {
			return e, fmt.Errorf("erase: delete alerts: %w", err)
		}
	}

	// Reports stay with the case, anonymous.
	res, err := tx.exec(`UPDATE reports SET anonymous = 1, reporter_name = '', reporter_erased_at = ? WHERE reporter_user_id = ?`, at, userID)
	if err != nil {
		return e, fmt.Errorf("erase: anonymise reports: %w", err)
	}
	n, _ := res.RowsAffected()
	e.Reports = int(n)

	// A volunteer's open cases go back to staff.
	if _, ok, err := tx.Volunteer(userID); err != nil {
		return e, err
	} else if ok {
		if e.Unassigned, err = tx.RemoveVolunteer(userID, 0, now); err != nil {
			return e, err
		}
	}

	// Seats in trainings still to come are given up; then every
	// registration loses its personal details.
	trainings, err := tx.ids(`SELECT r.training_id FROM registrations r JOIN trainings t ON t.id = r.training_id
		WHERE r.user_id = ? AND r.status <> 'cancelled' AND t.starts_at > ?`, userID, at)
	if err != nil {
		return e, fmt.Errorf("erase: list seats: %w", err)
	}
	for _, id := range trainings {
		promoted, err := tx.CancelRegistration(id, userID, now)
		if err != nil && !errors.Is(err, ErrNotRegistered) {
			return e, err
		}
		e.Cancelled++
		e.Promoted = append(e.Promoted, promoted...)
	}
	res, err = tx.exec(`UPDATE registrations SET full_name = '', phone = '', answers = '{}', purged_at = ?, updated_at = ?
		WHERE user_id = ?`, at, at, userID)
	if err != nil {
		return e, fmt.Errorf("erase: anonymise registrations: %w", err)
	}
	n, _ = res.RowsAffected()
	e.Registrations = int(n)

	// Every other row that is the person's, by the schema's own rule.
	refs, err := tx.userReferences()
	if err != nil {
		return e, err
	}
	for _, r := range refs {
		var q string
		switch r.onDelete {
		case "CASCADE":
			q = `DELETE FROM ` + r.table + ` WHERE ` + r.column + ` = ?`
		case "SET NULL":
			q = `UPDATE ` + r.table + ` SET ` + r.column + ` = NULL WHERE ` + r.column + ` = ?`
		default:
			continue // kept, pointing at a person who is no one now
		}
		if _, err := tx.exec(q, userID); err != nil {
			return e, fmt.Errorf("erase: %s.%s: %w", r.table, r.column, err)
		}
	}
	if _, err := tx.exec(`UPDATE users SET name = '', role = '', consent_at = NULL, opted_out_at = NULL, erased_at = ?
		WHERE id = ?`, at, userID); err != nil {
		return e, fmt.Errorf("erase: clear person: %w", err)
	}
	detail := fmt.Sprintf("%d reports anonymised, %d registrations anonymised, %d seats given up", e.Reports,
		e.Registrations, e.Cancelled)
	if err := tx.Audit(now, "user:"+strconv.FormatInt(userID, 10), "privacy_erase", "user:"+strconv.FormatInt(userID, 10), detail); err != nil {
		return e, err
	}
	return e, nil
}

// IsErased tells whether a person's data was erased.
func (tx *Tx) IsErased(userID int64) (bool, error) {
	var erased bool
	if err := tx.queryRow(`SELECT erased_at IS NOT NULL FROM users WHERE id = ?`, userID).Scan(&erased); err != nil {
		return false, fmt.Errorf("check erased: %w", err)
	}
	return erased, nil
}

// DefaultRetentionDays is how long personal details of closed reports and
// of past trainings' registrations are kept: two years.
const DefaultRetentionDays = 730

// OutboxKeepDays is how long delivered conversation replies and alerts
// are kept (for answering "did it arrive?"); they repeat what people and
// staff wrote, so they do not stay longer.
const OutboxKeepDays = 30

// RetentionResult is what one run of the retention rule removed.
type RetentionResult struct {
	Reports       int // closed reports whose personal details were removed
	Files         int // evidence files deleted
	Registrations int // registrations whose personal details were removed
	Sessions      int // conversations of erased people
	Messages      int // old delivered messages
}

// ApplyRetention removes personal details kept longer than days:
//   - reports closed before now-days: the story, place note, pin, notes
//     and evidence files go, the reporter is detached (the report points to
//     a placeholder person); category, place codes, children's count and
//     age range, status and dates stay for the recaps;
//   - registrations of trainings that ended before now-days: name, phone
//     and answers go; age, village and attendance stay;
//   - conversations left behind by erased people, and delivered messages
//     (replies, alerts, reminders, broadcasts) and the recipients of
//     finished broadcasts older than OutboxKeepDays (or days, if fewer);
//     delivery counts stay.
//
// Evidence files are deleted before the rows that name them, so a crash
// in between leaves rows without files (retried next run), never files
// that nothing points to.
func (db *DB) ApplyRetention(ctx context.Context, now time.Time, days int) (RetentionResult, error) {
	var res RetentionResult
	if days <= 0 {
		return res, fmt.Errorf("retention: days must be positive, not %d", days)
	}
	cutoff := FormatTime(now.AddDate(0, 0, -days))
	rows, err := db.read.QueryContext(ctx, `SELECT m.path, r.code FROM report_media m JOIN reports r ON r.id = m.report_id
		WHERE r.closed_at IS NOT NULL AND r.closed_at < ? AND r.purged_at IS NULL AND m.path <> ''`, cutoff)
	if err != nil {
		return res, fmt.Errorf("retention: list evidence files: %w", err)
	}
	folders := map[string]bool{}
	var files []string
	for rows.Next() {
		var path, code string
		if err := rows.Scan(&path, &code); err != nil {
			rows.Close()
			return res, fmt.Errorf("retention: scan evidence file: %w", err)
		}
		files = append(files, path)
		folders[filepath.Dir(path)] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("retention: list evidence files: %w", err)
	}
	for _, f := range files {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return res, fmt.Errorf("retention: delete evidence file: %w", err)
		}
		res.Files++
	}
	for dir := range folders {
		os.Remove(dir) // only if empty; a report's folder holds only its own files
	}

	err = db.Tx(ctx, func(tx *Tx) error {
		placeholder, err := tx.placeholderPerson(now)
		if err != nil {
			return err
		}
		ids, err := tx.ids(`SELECT id FROM reports WHERE closed_at IS NOT NULL AND closed_at < ? AND purged_at IS NULL`, cutoff)
		if err != nil {
			return err
		}
		at := FormatTime(now)
		for _, id := range ids {
			steps := []struct {
				q    string
				args []any
			}{
				{`DELETE FROM report_media WHERE report_id = ?`, []any{id}},
				{`UPDATE report_events SET note = '' WHERE report_id = ?`, []any{id}},
				// The questions and answers go too; their number stays.
				{`UPDATE report_questions SET question = '', answer = '' WHERE report_id = ?`, []any{id}},
				{`UPDATE report_events SET actor_user_id = NULL WHERE report_id = ? AND role = 'reporter'`, []any{id}},
				{`UPDATE reports SET description = '', place_note = '', lat = NULL, lon = NULL, anonymous = 1, reporter_name = '',
					reporter_user_id = ?, reporter_erased_at = COALESCE(reporter_erased_at, ?), purged_at = ? WHERE id = ?`,
					[]any{placeholder, at, at, id}},
			}
			for _, s := range steps {
				if _, err := tx.exec(s.q, s.args...); err != nil {
					return fmt.Errorf("retention: purge report %d: %w", id, err)
				}
			}
		}
		res.Reports = len(ids)
		r, err := tx.exec(`UPDATE registrations SET full_name = '', phone = '', answers = '{}', purged_at = ?
			WHERE purged_at IS NULL AND training_id IN (SELECT id FROM trainings WHERE ends_at < ?)`, at, cutoff)
		if err != nil {
			return fmt.Errorf("retention: purge registrations: %w", err)
		}
		n, _ := r.RowsAffected()
		res.Registrations = int(n)
		r, err = tx.exec(`DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE erased_at IS NOT NULL)`)
		if err != nil {
			return fmt.Errorf("retention: drop conversations of erased people: %w", err)
		}
		n, _ = r.RowsAffected()
		res.Sessions = int(n)
		// Delivered messages of every kind, reminders and broadcasts too:
		// they hold numbers and texts. Their delivery counts are kept
		// apart (delivery_counts), as are finished broadcasts' numbers
		// once their recipients go.
		old := FormatTime(now.AddDate(0, 0, -min(OutboxKeepDays, days)))
		r, err = tx.exec(`DELETE FROM outbox WHERE state IN ('sent', 'failed', 'cancelled') AND created_at < ?`, old)
		if err != nil {
			return fmt.Errorf("retention: drop old messages: %w", err)
		}
		n, _ = r.RowsAffected()
		res.Messages = int(n)
		if _, err := tx.exec(`DELETE FROM broadcast_recipients WHERE broadcast_id IN (SELECT id FROM broadcasts
			WHERE state IN ('done', 'cancelled', 'missed') AND COALESCE(finished_at, created_at) < ?)`, old); err != nil {
			return fmt.Errorf("retention: drop recipients of old broadcasts: %w", err)
		}
		if res.Reports+res.Registrations > 0 {
			return tx.Audit(now, "klabot", "privacy_retention", "",
				fmt.Sprintf("%d reports, %d registrations, %d files (older than %d days)", res.Reports, res.Registrations, res.Files, days))
		}
		return nil
	})
	return res, err
}

// PruneFiles deletes the files directly in dir last written before cutoff
// and tells how many. A missing dir holds nothing to delete.
func PruneFiles(dir string, cutoff time.Time) (int, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("retention: list %s: %w", filepath.Base(dir), err)
	}
	n := 0
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() || !info.ModTime().Before(cutoff) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			return n, fmt.Errorf("retention: delete old file: %w", err)
		}
		n++
	}
	return n, nil
}

// placeholderRole marks the one person row that reports point to once
// their reporter was detached by the retention rule. No one can choose it.
const placeholderRole = "dihapus"

// placeholderPerson finds or makes the placeholder person.
func (tx *Tx) placeholderPerson(now time.Time) (int64, error) {
	var id int64
	err := tx.queryRow(`SELECT id FROM users WHERE role = ? AND erased_at IS NOT NULL ORDER BY id LIMIT 1`, placeholderRole).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("find placeholder person: %w", err)
	}
	res, err := tx.exec(`INSERT INTO users(name, lang, role, created_at, erased_at) VALUES ('', 'id', ?, ?, ?)`,
		placeholderRole, FormatTime(now), FormatTime(now))
	if err != nil {
		return 0, fmt.Errorf("make placeholder person: %w", err)
	}
	return res.LastInsertId()
}
