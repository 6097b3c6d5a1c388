package store

import (
	"fmt"
	"time"
)

// The facts behind the monthly KLA recap: every number of the recap is a
// count (or a median) of these rows, so each can be traced to its reports,
// trainings and registrations.

// Kinds of report facts.
const (
	FactReceived = "received" // made in the period
	FactVerified = "verified" // first marked verified in the period
	FactReferred = "referred" // first referred in the period
	// FactClosed: closed (done, rejected, not ours) in the period; a report
	// closed twice in it (reopened in between) counts once, at the last.
	FactClosed = "closed"
)

// ReportFact is one thing that happened to a report in the period.
type ReportFact struct {
	Kind      string
	Code      string
	Category  string
	Cluster   string
	Indicator string
	KecCode   string
	DesaCode  string
	Status    string    // for closed: how it was closed
	At        time.Time // when it happened
	CreatedAt time.Time // when the report was made (for days to close)
}

// ReportFacts lists what happened to reports in [from, to): received,
// verified, referred and closed, in time order.
func (tx *Tx) ReportFacts(from, to time.Time) ([]ReportFact, error) {
	f, t := FormatTime(from), FormatTime(to)
	rows, err := tx.query(`
		SELECT 'received', code, category, kla_cluster, kla_indicator, kec_code, desa_code, status, created_at, created_at
			FROM reports WHERE created_at >= ?1 AND created_at < ?2
		UNION ALL
		SELECT CASE e.to_status WHEN 'diverifikasi' THEN 'verified' ELSE 'referred' END,
			r.code, r.category, r.kla_cluster, r.kla_indicator, r.kec_code, r.desa_code, e.to_status, MIN(e.at), r.created_at
			FROM report_events e JOIN reports r ON r.id = e.report_id
			WHERE e.kind = 'status' AND e.to_status IN ('diverifikasi', 'ditindaklanjuti')
			GROUP BY r.id, e.to_status HAVING MIN(e.at) >= ?1 AND MIN(e.at) < ?2
		UNION ALL
		SELECT 'closed', r.code, r.category, r.kla_cluster, r.kla_indicator, r.kec_code, r.desa_code, e.to_status, e.at,
			r.created_at
			FROM report_events e JOIN reports r ON r.id = e.report_id
			WHERE e.id IN (SELECT MAX(c.id) FROM report_events c WHERE c.kind = 'status'
				AND c.to_status IN ('selesai', 'ditolak', 'bukan_wewenang') AND c.at >= ?1 AND c.at < ?2 GROUP BY c.report_id)
		ORDER BY 9, 2`, f, t)
	if err != nil {
		return nil, fmt.Errorf("list report facts: %w", err)
	}
	return scanAll(rows, "scan report fact", func(row rowScanner) (ReportFact, error) {
		var r ReportFact
		var at, created string
		err := row.Scan(&r.Kind, &r.Code, &r.Category, &r.Cluster, &r.Indicator, &r.KecCode, &r.DesaCode, &r.Status,
			&at, &created)
		r.At, r.CreatedAt = ParseTime(at), ParseTime(created)
		return r, err
	})
}

// TrainingFact is a training that took place in the period, with its
// registered people and how many of them came.
type TrainingFact struct {
	ID         int64
	Program    string
	Title      string
	KecCode    string
	StartsAt   time.Time
	Registered int
	Attended   int
}

// HeldTrainings lists the trainings that started in [from, to), were not
// cancelled and had ended by now: the ones that were held.
func (tx *Tx) HeldTrainings(from, to, now time.Time) ([]TrainingFact, error) {
	rows, err := tx.query(`SELECT t.id, t.program, t.title, t.kec_code, t.starts_at,
		(SELECT count(*) FROM registrations r WHERE r.training_id = t.id AND r.status = 'registered'),
		(SELECT count(*) FROM registrations r WHERE r.training_id = t.id AND r.status = 'registered' AND r.attended_at IS NOT NULL)
		FROM trainings t WHERE t.status = 'scheduled' AND t.starts_at >= ? AND t.starts_at < ? AND t.ends_at <= ?
		ORDER BY t.starts_at, t.id`, FormatTime(from), FormatTime(to), FormatTime(now))
	if err != nil {
		return nil, fmt.Errorf("list held trainings: %w", err)
	}
	return scanAll(rows, "scan held training", func(row rowScanner) (TrainingFact, error) {
		var t TrainingFact
		var starts string
		err := row.Scan(&t.ID, &t.Program, &t.Title, &t.KecCode, &starts, &t.Registered, &t.Attended)
		t.StartsAt = ParseTime(starts)
		return t, err
	})
}

// SeatFact is one registered seat of a held training: the row behind the
// registration and attendance counts.
type SeatFact struct {
	RegistrationID int64
	TrainingID     int64
	Program        string
	KecCode        string // the training's kecamatan
	DesaCode       string // the participant's village
	UserID         int64
	AttendedAt     time.Time // zero: did not come
}

// HeldTrainingSeats lists the registered seats of the trainings
// HeldTrainings returns.
func (tx *Tx) HeldTrainingSeats(from, to, now time.Time) ([]SeatFact, error) {
	rows, err := tx.query(`SELECT r.id, t.id, t.program, t.kec_code, r.desa_code, r.user_id, COALESCE(r.attended_at, '')
		FROM registrations r JOIN trainings t ON t.id = r.training_id
		WHERE r.status = 'registered' AND t.status = 'scheduled' AND t.starts_at >= ? AND t.starts_at < ? AND t.ends_at <= ?
		ORDER BY t.starts_at, t.id, r.id`, FormatTime(from), FormatTime(to), FormatTime(now))
	if err != nil {
		return nil, fmt.Errorf("list seats of held trainings: %w", err)
	}
	return scanAll(rows, "scan seat", func(row rowScanner) (SeatFact, error) {
		var s SeatFact
		var attended string
		err := row.Scan(&s.RegistrationID, &s.TrainingID, &s.Program, &s.KecCode, &s.DesaCode, &s.UserID, &attended)
		s.AttendedAt = ParseTime(attended)
		return s, err
	})
}

// VolunteerFact is a Satgas PA volunteer who had joined by the end of the
// period, and whether they were active in it.
type VolunteerFact struct {
	UserID  int64
	KecCode string
	Since   time.Time
	// Actions is what they recorded on reports in the period (verifications,
	// field notes); Attended is how many trainings they came to.
	Actions  int
	Attended int
}

// Active: did something for the task force in the period.
func (v VolunteerFact) Active() bool { return v.Actions > 0 || v.Attended > 0 }

// VolunteerFacts lists the volunteers who joined before to (and did not
// erase their data), with their activity in [from, to).
func (tx *Tx) VolunteerFacts(from, to time.Time) ([]VolunteerFact, error) {
	f, t := FormatTime(from), FormatTime(to)
	rows, err := tx.query(`SELECT v.user_id, v.kec_code, v.since,
		(SELECT count(*) FROM report_events e WHERE e.actor_user_id = v.user_id AND e.role = 'volunteer'
			AND e.at >= ?1 AND e.at < ?2),
		(SELECT count(*) FROM registrations r WHERE r.user_id = v.user_id AND r.status = 'registered'
			AND r.attended_at >= ?1 AND r.attended_at < ?2)
		FROM volunteers v JOIN users u ON u.id = v.user_id
		WHERE v.since < ?2 AND u.erased_at IS NULL ORDER BY v.kec_code, v.user_id`, f, t)
	if err != nil {
		return nil, fmt.Errorf("list volunteers for recap: %w", err)
	}
	return scanAll(rows, "scan volunteer for recap", func(row rowScanner) (VolunteerFact, error) {
		var v VolunteerFact
		var since string
		err := row.Scan(&v.UserID, &v.KecCode, &since, &v.Actions, &v.Attended)
		v.Since = ParseTime(since)
		return v, err
	})
}

// MemberFact is a person who came to a session of a programme in the
// period (e.g. a Forum Anak member at a Forum Anak meeting).
type MemberFact struct {
	UserID         int64
	RegistrationID int64 // their first attended session in the period
	TrainingID     int64
	KecCode        string // the training's kecamatan
	DesaCode       string // the person's village, as they registered
	AttendedAt     time.Time
}

// ProgramAttendees lists, once each, the people who attended a session of
// program in [from, to), with their first such session.
func (tx *Tx) ProgramAttendees(program string, from, to time.Time) ([]MemberFact, error) {
	rows, err := tx.query(`SELECT r.user_id, r.id, t.id, t.kec_code, r.desa_code, MIN(r.attended_at)
		FROM registrations r JOIN trainings t ON t.id = r.training_id
		WHERE t.program = ? AND r.status = 'registered' AND r.attended_at >= ? AND r.attended_at < ?
		GROUP BY r.user_id ORDER BY r.user_id`, program, FormatTime(from), FormatTime(to))
	if err != nil {
		return nil, fmt.Errorf("list programme attendees: %w", err)
	}
	return scanAll(rows, "scan programme attendee", func(row rowScanner) (MemberFact, error) {
		var m MemberFact
		var at string
		err := row.Scan(&m.UserID, &m.RegistrationID, &m.TrainingID, &m.KecCode, &m.DesaCode, &at)
		m.AttendedAt = ParseTime(at)
		return m, err
	})
}

// CountRole counts the people (who agreed to the data notice and did not
// erase their data) who said they have a role, e.g. "forum_anak".
func (tx *Tx) CountRole(role string, before time.Time) (int, error) {
	var n int
	err := tx.queryRow(`SELECT count(*) FROM users WHERE role = ? AND consent_at IS NOT NULL AND erased_at IS NULL
		AND created_at < ?`, role, FormatTime(before)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count people with role %s: %w", role, err)
	}
	return n, nil
}
