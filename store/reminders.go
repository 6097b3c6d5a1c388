package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kinds of one-time reminders.
const (
	ReminderTrainingDayBefore = "training_day_before" // 07:00 local time the day before
	ReminderTraining2h        = "training_2h"         // two hours before the start
)

// States of one-time reminders.
const (
	ReminderPending = "pending"
	ReminderSent    = "sent"
	ReminderMissed  = "missed"  // fell due when it was too late to be useful
	ReminderSkipped = "skipped" // not needed: opted out, or already past when planned
)

// TrainingReminderHour is when the day-before reminder goes, local time.
const TrainingReminderHour = 7

// TrainingReminder is one reminder of one person about one training.
type TrainingReminder struct {
	ID         int64
	UserID     int64
	TrainingID int64
	Kind       string
	DueAt      time.Time
	State      string
}

// TrainingReminderTimes are when a training's reminders are due: 07:00
// local time the day before it starts, and two hours before it starts.
func TrainingReminderTimes(start time.Time, loc *time.Location) (dayBefore, twoHours time.Time) {
	d := start.In(loc).AddDate(0, 0, -1)
	dayBefore = time.Date(d.Year(), d.Month(), d.Day(), TrainingReminderHour, 0, 0, 0, loc)
	return dayBefore, start.Add(-2 * time.Hour)
}

// SyncTrainingReminders makes a training's reminders match its
// registrations: two for each person registered (not waiting, not
// cancelled) while the training is scheduled, at the times of
// TrainingReminderTimes. A reminder whose time changed (the training
// moved) is planned again, even if the old one was sent; one no longer
// wanted (cancelled) is deleted. A new time already past is marked skipped:
// the person was just told (registered, or was told of the move).
// Flows call it after every change to registrations or to a training's time.
func (tx *Tx) SyncTrainingReminders(trainingID int64, loc *time.Location, now time.Time) error {
	t, err := tx.Training(trainingID)
	if errors.Is(err, ErrTrainingNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	type key struct {
		user int64
		kind string
	}
	want := map[key]time.Time{}
	if t.Status == TrainingScheduled {
		rows, err := tx.query(`SELECT user_id FROM registrations WHERE training_id = ? AND status = 'registered'`, t.ID)
		if err != nil {
			return fmt.Errorf("list registered people: %w", err)
		}
		dayBefore, twoHours := TrainingReminderTimes(t.StartsAt, loc)
		for rows.Next() {
			var u int64
			if err := rows.Scan(&u); err != nil {
				rows.Close()
				return fmt.Errorf("scan registered person: %w", err)
			}
			want[key{u, ReminderTrainingDayBefore}] = dayBefore
			want[key{u, ReminderTraining2h}] = twoHours
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list registered people: %w", err)
		}
	}

	have, err := tx.trainingReminders(`WHERE training_id = ?`, t.ID)
	if err != nil {
		return err
	}
	stateFor := func(due time.Time) (string, any) {
		if due.After(now) {
			return ReminderPending, nil
		}
		return ReminderSkipped, FormatTime(now)
	}
	for _, r := range have {
		due, wanted := want[key{r.UserID, r.Kind}]
		delete(want, key{r.UserID, r.Kind})
		switch {
		case !wanted:
			if _, err := tx.exec(`DELETE FROM reminders WHERE id = ?`, r.ID); err != nil {
				return fmt.Errorf("drop reminder %d: %w", r.ID, err)
			}
		case !due.Equal(r.DueAt):
			state, done := stateFor(due)
			if _, err := tx.exec(`UPDATE reminders SET due_at = ?, state = ?, done_at = ? WHERE id = ?`,
				FormatTime(due), state, done, r.ID); err != nil {
				return fmt.Errorf("move reminder %d: %w", r.ID, err)
			}
		}
	}
	for k, due := range want {
		state, done := stateFor(due)
		if _, err := tx.exec(`INSERT INTO reminders(user_id, kind, training_id, due_at, state, done_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, k.user, k.kind, t.ID, FormatTime(due), state, done, FormatTime(now)); err != nil {
			return fmt.Errorf("plan reminder: %w", err)
		}
	}
	return nil
}

// SyncTrainingRemindersStarting runs SyncTrainingReminders for every
// training starting after from and up to to (no limit when to is zero).
// The scheduler runs it at start-up for all coming trainings, so that
// registrations made before reminders existed get theirs, and at every
// tick for the next two days, as a safety net for any change made without
// a sync (a registration cancelled when a person's data is erased).
func (tx *Tx) SyncTrainingRemindersStarting(from, to time.Time, loc *time.Location, now time.Time) error {
	until := "9999"
	if !to.IsZero() {
		until = FormatTime(to)
	}
	ids, err := tx.ids(`SELECT id FROM trainings WHERE starts_at > ? AND starts_at <= ? ORDER BY id`, FormatTime(from), until)
	if err != nil {
		return fmt.Errorf("list coming trainings: %w", err)
	}
	for _, id := range ids {
		if err := tx.SyncTrainingReminders(id, loc, now); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) trainingReminders(where string, args ...any) ([]TrainingReminder, error) {
	rows, err := tx.query(`SELECT id, user_id, training_id, kind, due_at, state FROM reminders `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list reminders: %w", err)
	}
	return scanAll(rows, "scan reminder", func(row rowScanner) (TrainingReminder, error) {
		var r TrainingReminder
		var due string
		err := row.Scan(&r.ID, &r.UserID, &r.TrainingID, &r.Kind, &due, &r.State)
		r.DueAt = ParseTime(due)
		return r, err
	})
}

// UserTrainingReminders lists a person's training reminders still to come,
// soonest first.
func (tx *Tx) UserTrainingReminders(userID int64) ([]TrainingReminder, error) {
	return tx.trainingReminders(`WHERE user_id = ? AND state = 'pending' ORDER BY due_at, id`, userID)
}

// DueTrainingReminder is a reminder whose time has come, with what the
// scheduler needs to decide whether it is still worth sending.
type DueTrainingReminder struct {
	TrainingReminder
	Training  Training
	RegStatus string // the registration's status now
	User      User
}

// DueTrainingReminders lists pending training reminders due at or before
// now, oldest first. Called inside the transaction that sends them.
func (tx *Tx) DueTrainingReminders(now time.Time) ([]DueTrainingReminder, error) {
	rems, err := tx.trainingReminders(`WHERE state = 'pending' AND due_at <= ? ORDER BY due_at, id`, FormatTime(now))
	if err != nil {
		return nil, err
	}
	out := make([]DueTrainingReminder, 0, len(rems))
	for _, r := range rems {
		d := DueTrainingReminder{TrainingReminder: r}
		if d.Training, err = tx.Training(r.TrainingID); err != nil {
			return nil, err
		}
		reg, found, err := tx.Registration(r.TrainingID, r.UserID)
		if err != nil {
			return nil, err
		}
		if found {
			d.RegStatus = reg.Status
		}
		if d.User, err = tx.User(r.UserID); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// SetTrainingReminderState records what became of a due reminder; only a
// pending one changes, so a reminder is claimed once.
func (tx *Tx) SetTrainingReminderState(id int64, state string, now time.Time) (bool, error) {
	res, err := tx.exec(`UPDATE reminders SET state = ?, done_at = ? WHERE id = ? AND state = 'pending'`,
		state, FormatTime(now), id)
	if err != nil {
		return false, fmt.Errorf("record reminder %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Audiences of recurring reminders.
const (
	AudienceSatgas    = "satgas"     // Satgas PA: invited volunteers and people who said they are one
	AudienceForumAnak = "forum_anak" // people who said they are in the Forum Anak
	AudienceTrainees  = "peserta"    // people who said they are trainees, and people registered for a coming training
	AudienceAll       = "semua"      // everyone who agreed to the data notice
)

// Audiences lists the audiences in the order staff are offered them.
var Audiences = []string{AudienceSatgas, AudienceForumAnak, AudienceTrainees, AudienceAll}

// ErrReminderNotFound: no recurring reminder with that id.
var ErrReminderNotFound = errors.New("reminder not found")

// RecurringReminder is a message staff scheduled with a cron spec.
type RecurringReminder struct {
	ID          int64
	Spec        string
	Message     string
	Audience    string
	KecCode     string // "" for every kecamatan
	Active      bool
	NextDueAt   time.Time
	LastSentAt  time.Time
	SentCount   int
	MissedCount int
	CreatedBy   int64
	CreatedAt   time.Time
	StoppedAt   time.Time
}

const recurringColumns = `id, spec, message, audience, kec_code, active, next_due_at, COALESCE(last_sent_at, ''),
	sent_count, missed_count, COALESCE(created_by, 0), created_at, COALESCE(stopped_at, '')`

func scanRecurring(row interface{ Scan(...any) error }) (RecurringReminder, error) {
	var r RecurringReminder
	var next, last, created, stopped string
	err := row.Scan(&r.ID, &r.Spec, &r.Message, &r.Audience, &r.KecCode, &r.Active, &next, &last,
		&r.SentCount, &r.MissedCount, &r.CreatedBy, &created, &stopped)
	r.NextDueAt, r.LastSentAt, r.CreatedAt, r.StoppedAt = ParseTime(next), ParseTime(last), ParseTime(created), ParseTime(stopped)
	return r, err
}

// RecurringReminderSubject and TrainingReminderSubject are what reminder
// messages are about (outbox subjects); their delivery counts are kept
// under them.
func RecurringReminderSubject(id int64) string { return "reminder:" + strconv.FormatInt(id, 10) }

func TrainingReminderSubject(trainingID int64) string {
	return "reminder:training:" + strconv.FormatInt(trainingID, 10)
}

// DeliveryCounts are the delivery numbers kept under a subject.
type DeliveryCounts struct {
	Total, Waiting, Queued, Sent, Failed, Cancelled, Blocked int
}

// DeliveryCountsOf reads the delivery numbers kept under subject (zero
// when nothing was sent under it).
func (tx *Tx) DeliveryCountsOf(subject string) (DeliveryCounts, error) {
	var d DeliveryCounts
	err := tx.queryRow(`SELECT total, waiting, queued, sent, failed, cancelled, blocked FROM delivery_counts
		WHERE subject = ?`, subject).Scan(&d.Total, &d.Waiting, &d.Queued, &d.Sent, &d.Failed, &d.Cancelled, &d.Blocked)
	if errors.Is(err, sql.ErrNoRows) {
		return d, nil
	}
	if err != nil {
		return d, fmt.Errorf("read delivery counts of %s: %w", subject, err)
	}
	return d, nil
}

// CreateRecurringReminder checks the audience and stores the reminder with
// its spec (checked by the caller, flows/recurrence) and its first due
// time, r.NextDueAt.
func (tx *Tx) CreateRecurringReminder(r RecurringReminder, now time.Time) (RecurringReminder, error) {
	if strings.TrimSpace(r.Spec) == "" || r.NextDueAt.IsZero() {
		return RecurringReminder{}, errors.New("create reminder: no schedule")
	}
	if !validAudience(r.Audience) {
		return RecurringReminder{}, fmt.Errorf("create reminder: unknown audience %q", r.Audience)
	}
	if strings.TrimSpace(r.Message) == "" {
		return RecurringReminder{}, errors.New("create reminder: empty message")
	}
	res, err := tx.exec(`INSERT INTO recurring_reminders(spec, message, audience, kec_code, next_due_at, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, r.Spec, strings.TrimSpace(r.Message), r.Audience, r.KecCode, FormatTime(r.NextDueAt),
		nullID(r.CreatedBy), FormatTime(now))
	if err != nil {
		return RecurringReminder{}, fmt.Errorf("create reminder: %w", err)
	}
	id, _ := res.LastInsertId()
	return tx.RecurringReminder(id)
}

func validAudience(a string) bool {
	for _, x := range Audiences {
		if x == a {
			return true
		}
	}
	return false
}

// RecurringReminder loads one recurring reminder.
func (tx *Tx) RecurringReminder(id int64) (RecurringReminder, error) {
	r, err := scanRecurring(tx.queryRow(`SELECT `+recurringColumns+` FROM recurring_reminders WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return RecurringReminder{}, ErrReminderNotFound
	}
	if err != nil {
		return RecurringReminder{}, fmt.Errorf("load reminder %d: %w", id, err)
	}
	return r, nil
}

func (tx *Tx) recurringReminders(where string, args ...any) ([]RecurringReminder, error) {
	rows, err := tx.query(`SELECT `+recurringColumns+` FROM recurring_reminders `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list reminders: %w", err)
	}
	return scanAll(rows, "scan reminder", scanRecurring)
}

// ActiveRecurringReminders lists the recurring reminders still running, in
// the order they were made.
func (tx *Tx) ActiveRecurringReminders() ([]RecurringReminder, error) {
	return tx.recurringReminders(`WHERE active = 1 ORDER BY id`)
}

// DueRecurringReminders lists active recurring reminders due at or before now.
func (tx *Tx) DueRecurringReminders(now time.Time) ([]RecurringReminder, error) {
	return tx.recurringReminders(`WHERE active = 1 AND next_due_at <= ? ORDER BY next_due_at, id`, FormatTime(now))
}

// StopRecurringReminder ends a recurring reminder for everyone.
func (tx *Tx) StopRecurringReminder(id, by int64, now time.Time) error {
	res, err := tx.exec(`UPDATE recurring_reminders SET active = 0, stopped_by = ?, stopped_at = ? WHERE id = ? AND active = 1`,
		nullID(by), FormatTime(now), id)
	if err != nil {
		return fmt.Errorf("stop reminder %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrReminderNotFound
	}
	return nil
}

// RecordRecurringRun moves a recurring reminder on to its next due time
// after an occurrence was handled: sent (to its audience), or missed
// (counted in missed). Only a reminder still due at claimedDue moves, so
// two overlapping runs cannot both handle one occurrence.
func (tx *Tx) RecordRecurringRun(id int64, claimedDue, next time.Time, sent bool, missed int, now time.Time) (bool, error) {
	var res sql.Result
	var err error
	if sent {
		res, err = tx.exec(`UPDATE recurring_reminders SET next_due_at = ?, last_sent_at = ?, sent_count = sent_count + 1,
			missed_count = missed_count + ? WHERE id = ? AND next_due_at = ? AND active = 1`,
			FormatTime(next), FormatTime(now), missed, id, FormatTime(claimedDue))
	} else {
		res, err = tx.exec(`UPDATE recurring_reminders SET next_due_at = ?, missed_count = missed_count + ?
			WHERE id = ? AND next_due_at = ? AND active = 1`, FormatTime(next), missed, id, FormatTime(claimedDue))
	}
	if err != nil {
		return false, fmt.Errorf("record reminder run %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// audienceWhere is the condition, on users u, for belonging to an
// audience (and a kecamatan when kec is not ""). A person's kecamatan is
// the one a Satgas PA volunteer was invited for, otherwise the one of the
// village given in their latest training registration; people whose
// kecamatan is not known are left out of a reminder for one kecamatan.
// Only people who agreed to the data notice belong to any audience.
func audienceWhere(audience, kec string, now time.Time) (string, []any) {
	cond := []string{`u.consent_at IS NOT NULL`}
	var args []any
	switch audience {
	case AudienceSatgas:
		cond = append(cond, `(u.role = 'satgas' OR EXISTS (SELECT 1 FROM volunteers v WHERE v.user_id = u.id))`)
	case AudienceForumAnak:
		cond = append(cond, `u.role = 'forum_anak'`)
	case AudienceTrainees:
		cond = append(cond, `(u.role = 'peserta' OR EXISTS (SELECT 1 FROM registrations r JOIN trainings t ON t.id = r.training_id
			WHERE r.user_id = u.id AND r.status = 'registered' AND t.status = 'scheduled' AND t.ends_at > ?))`)
		args = append(args, FormatTime(now))
	case AudienceAll:
	default:
		cond = append(cond, `0`) // an unknown audience reaches nobody
	}
	if kec != "" {
		cond = append(cond, `(EXISTS (SELECT 1 FROM volunteers v WHERE v.user_id = u.id AND v.kec_code = ?)
			OR NOT EXISTS (SELECT 1 FROM volunteers v WHERE v.user_id = u.id)
			AND (SELECT r.desa_code FROM registrations r WHERE r.user_id = u.id AND r.desa_code <> ''
				ORDER BY r.updated_at DESC, r.id DESC LIMIT 1) LIKE ? || '.%')`)
		args = append(args, kec, kec)
	}
	return strings.Join(cond, ` AND `), args
}

// AudienceMembers lists who receives a recurring reminder now: its
// audience, less people who said berhenti and people who stopped this one.
func (tx *Tx) AudienceMembers(r RecurringReminder, now time.Time) ([]User, error) {
	where, args := audienceWhere(r.Audience, r.KecCode, now)
	rows, err := tx.query(`SELECT `+userColumns+` FROM users u WHERE `+where+` AND u.opted_out_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM reminder_optouts o WHERE o.reminder_id = ? AND o.user_id = u.id) ORDER BY u.id`,
		append(args, r.ID)...)
	if err != nil {
		return nil, fmt.Errorf("list audience: %w", err)
	}
	return scanAll(rows, "scan audience member", func(row rowScanner) (User, error) { return scanUser(row) })
}

// CountAudience is how many people an audience reaches now (less those who
// said berhenti), shown to staff before they save a reminder.
func (tx *Tx) CountAudience(audience, kec string, now time.Time) (int, error) {
	where, args := audienceWhere(audience, kec, now)
	var n int
	if err := tx.queryRow(`SELECT count(*) FROM users u WHERE `+where+` AND u.opted_out_at IS NULL`, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count audience: %w", err)
	}
	return n, nil
}

// PersonalReminder is a recurring reminder meant for one person, and
// whether they stopped it.
type PersonalReminder struct {
	RecurringReminder
	Stopped bool
}

// RecurringRemindersFor lists the active recurring reminders whose
// audience includes a person (whether or not they said berhenti).
func (tx *Tx) RecurringRemindersFor(userID int64, now time.Time) ([]PersonalReminder, error) {
	all, err := tx.ActiveRecurringReminders()
	if err != nil {
		return nil, err
	}
	var out []PersonalReminder
	for _, r := range all {
		where, args := audienceWhere(r.Audience, r.KecCode, now)
		var member, stopped bool
		err := tx.queryRow(`SELECT EXISTS (SELECT 1 FROM users u WHERE u.id = ? AND `+where+`),
			EXISTS (SELECT 1 FROM reminder_optouts WHERE reminder_id = ? AND user_id = ?)`,
			append(append([]any{userID}, args...), r.ID, userID)...).Scan(&member, &stopped)
		if err != nil {
			return nil, fmt.Errorf("check audience of reminder %d: %w", r.ID, err)
		}
		if member {
			out = append(out, PersonalReminder{RecurringReminder: r, Stopped: stopped})
		}
	}
	return out, nil
}

// SetRecurringOptOut stops (out) or resumes one recurring reminder for one person.
func (tx *Tx) SetRecurringOptOut(reminderID, userID int64, out bool, now time.Time) error {
	var err error
	if out {
		_, err = tx.exec(`INSERT INTO reminder_optouts(reminder_id, user_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			reminderID, userID, FormatTime(now))
	} else {
		_, err = tx.exec(`DELETE FROM reminder_optouts WHERE reminder_id = ? AND user_id = ?`, reminderID, userID)
	}
	if err != nil {
		return fmt.Errorf("change reminder %d for person %d: %w", reminderID, userID, err)
	}
	return nil
}

// MarkOnce records that the thing named by key was done, and tells whether
// this call was the first: a job writes the mark in the same transaction as
// its messages, so however often it runs the messages go once.
func (tx *Tx) MarkOnce(key string, now time.Time) (bool, error) {
	res, err := tx.exec(`INSERT INTO schedule_marks(key, at) VALUES (?, ?) ON CONFLICT DO NOTHING`, key, FormatTime(now))
	if err != nil {
		return false, fmt.Errorf("mark %s: %w", key, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// LastJobRun is when a periodic job last ran; zero if never.
func (db *DB) LastJobRun(name string) (time.Time, error) {
	var at string
	err := db.read.QueryRow(`SELECT last_run_at FROM schedule_runs WHERE name = ?`, name).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("read last run of %s: %w", name, err)
	}
	return ParseTime(at), nil
}

// RecordJobRun notes that a periodic job ran for the occurrence at at.
func (tx *Tx) RecordJobRun(name string, at time.Time) error {
	_, err := tx.exec(`INSERT INTO schedule_runs(name, last_run_at) VALUES (?, ?)
		ON CONFLICT(name) DO UPDATE SET last_run_at = excluded.last_run_at WHERE excluded.last_run_at > last_run_at`,
		name, FormatTime(at))
	if err != nil {
		return fmt.Errorf("record run of %s: %w", name, err)
	}
	return nil
}

// OpenReport is an open report with the time someone last worked on it.
type OpenReport struct {
	Report
	// LastWork is the latest change by staff or a volunteer (an assignment,
	// a status, a note), or the report's creation if none.
	LastWork time.Time
}

// OpenReports lists every report not closed, oldest first: what the
// follow-ups and the staff digest look at.
func (tx *Tx) OpenReports() ([]OpenReport, error) {
	rows, err := tx.query(`SELECT `+reportColumns+`, COALESCE((SELECT max(e.at) FROM report_events e
		WHERE e.report_id = reports.id AND e.role IN ('staff', 'volunteer')), created_at)
		FROM reports WHERE status NOT IN (?, ?, ?) ORDER BY id`, StatusDone, StatusRejected, StatusNotOurs)
	if err != nil {
		return nil, fmt.Errorf("list open reports: %w", err)
	}
	defer rows.Close()
	var out []OpenReport
	for rows.Next() {
		var o OpenReport
		var last string
		var err error
		o.Report, err = scanReport(extraScanner{rows, []any{&last}})
		if err != nil {
			return nil, fmt.Errorf("scan open report: %w", err)
		}
		o.LastWork = ParseTime(last)
		out = append(out, o)
	}
	return out, rows.Err()
}

// TrainingsStarting lists scheduled trainings starting in [from, to), soonest first.
func (tx *Tx) TrainingsStarting(from, to time.Time) ([]Training, error) {
	return tx.trainings(`WHERE t.status = 'scheduled' AND t.starts_at >= ? AND t.starts_at < ? ORDER BY t.starts_at, t.id`,
		FormatTime(from), FormatTime(to))
}
