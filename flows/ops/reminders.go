package ops

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"klabot/flows/recurrence"
	"klabot/flows/wilayah"
	"klabot/store"
)

// Recurring reminders: staff schedule a message with a cron spec for an
// audience (in one kecamatan or all), and stop it. The scheduler sends
// them; times are in now's location, the office's.

// Quiet hours: reminders that are not urgent are not sent from 21:00 to
// 06:00 local time; they wait until 06:00.
const (
	QuietFrom = 21
	QuietTo   = 6
)

// InQuietHours tells whether t falls in the quiet hours, local time.
func InQuietHours(t time.Time, loc *time.Location) bool {
	h := t.In(loc).Hour()
	return h >= QuietFrom || h < QuietTo
}

// AfterQuietHours is when something due at t may be sent: t itself, or
// 06:00 after it when t falls in the quiet hours.
func AfterQuietHours(t time.Time, loc *time.Location) time.Time {
	if !InQuietHours(t, loc) {
		return t
	}
	l := t.In(loc)
	if l.Hour() >= QuietFrom {
		l = l.AddDate(0, 0, 1)
	}
	return time.Date(l.Year(), l.Month(), l.Day(), QuietTo, 0, 0, 0, loc)
}

// MaxReminderMessage is the longest message a recurring reminder may
// carry: short messages are read, long ones are not.
const MaxReminderMessage = 500

// Reasons (locales keys) an operation on reminders gives with Refused.
const (
	// WhySpec: the spec cannot be used; ReminderMade.SpecErr says why.
	WhySpec          = "reminders.spec_not_understood"
	WhyReminderEmpty = "reminders.message_text_only"
	WhyReminderLong  = "reminders.message_too_long"
	WhyAudience      = "reminders.command_audience"
	WhyReminderKec   = "reminders.kec_not_found"
)

// ReminderSubject is how a recurring reminder is named in the audit log.
func ReminderSubject(id int64) string { return "reminder:" + strconv.FormatInt(id, 10) }

// ReminderMade is what CreateReminder did.
type ReminderMade struct {
	Result
	Reminder store.RecurringReminder
	// SpecErr explains a refused spec (see recurrence.IsSpecError).
	SpecErr error
}

// CreateReminder schedules a recurring reminder (staff only): r's spec,
// audience, kecamatan ("" for all) and message. The same reminder already
// running (same spec, audience, kecamatan and message) is AlreadyDone.
func CreateReminder(tx *store.Tx, a Actor, r store.RecurringReminder, now time.Time) (ReminderMade, error) {
	if res, ok := staffOnly(a); !ok {
		return ReminderMade{Result: res}, nil
	}
	refuse := func(why string) (ReminderMade, error) {
		return ReminderMade{Result: Result{Outcome: Refused, Why: why}}, nil
	}
	r.Message = strings.TrimSpace(r.Message)
	spec, err := recurrence.ParseSpec(r.Spec)
	switch {
	case err != nil:
		m, _ := refuse(WhySpec)
		m.SpecErr = err
		return m, nil
	case r.Message == "":
		return refuse(WhyReminderEmpty)
	case utf8.RuneCountInString(r.Message) > MaxReminderMessage:
		return refuse(WhyReminderLong)
	case !validAudience(r.Audience):
		return refuse(WhyAudience)
	}
	if _, ok := wilayah.KecamatanByCode(r.KecCode); r.KecCode != "" && !ok {
		return refuse(WhyReminderKec)
	}
	r.Spec = spec.Text
	active, err := tx.ActiveRecurringReminders()
	if err != nil {
		return ReminderMade{}, err
	}
	for _, x := range active {
		if x.Spec == r.Spec && x.Audience == r.Audience && x.KecCode == r.KecCode && x.Message == r.Message {
			return ReminderMade{Result: Result{Outcome: AlreadyDone}, Reminder: x}, nil
		}
	}
	r.CreatedBy = a.UserID
	r.NextDueAt = spec.Next(now, now.Location())
	made, err := tx.CreateRecurringReminder(r, now)
	if err != nil {
		return ReminderMade{}, err
	}
	return ReminderMade{Reminder: made}, audit(tx, a, now, "reminder_create", ReminderSubject(made.ID),
		made.Spec+" | "+made.Audience+" "+made.KecCode)
}

func validAudience(audience string) bool {
	for _, x := range store.Audiences {
		if x == audience {
			return true
		}
	}
	return false
}

// StopReminder ends a recurring reminder for everyone (staff only). One
// stopped before is AlreadyDone.
func StopReminder(tx *store.Tx, a Actor, id int64, now time.Time) (Result, error) {
	if res, ok := staffOnly(a); !ok {
		return res, nil
	}
	r, err := tx.RecurringReminder(id)
	if errors.Is(err, store.ErrReminderNotFound) {
		return Result{Outcome: NotFound}, nil
	}
	if err != nil {
		return Result{}, err
	}
	if !r.Active {
		return Result{Outcome: AlreadyDone}, nil
	}
	if err := tx.StopRecurringReminder(id, a.UserID, now); err != nil {
		return Result{}, err
	}
	return Result{}, audit(tx, a, now, "reminder_stop", ReminderSubject(id), "")
}

// ReminderInfo is a running recurring reminder as staff see it.
type ReminderInfo struct {
	store.RecurringReminder
	// Sends is when it goes out next: its next due time, or 06:00 after
	// it when that falls in the quiet hours.
	Sends time.Time
	// Reach is how many people it would reach now.
	Reach int
}

// ReminderList is what Reminders found.
type ReminderList struct {
	Result
	Reminders []ReminderInfo
}

// Reminders lists the recurring reminders still running, oldest first,
// with their next run (staff only).
func Reminders(tx *store.Tx, a Actor, now time.Time) (ReminderList, error) {
	if res, ok := staffOnly(a); !ok {
		return ReminderList{Result: res}, nil
	}
	list, err := tx.ActiveRecurringReminders()
	if err != nil {
		return ReminderList{}, err
	}
	var l ReminderList
	for _, r := range list {
		info := ReminderInfo{RecurringReminder: r, Sends: AfterQuietHours(r.NextDueAt, now.Location())}
		if info.Reach, err = tx.CountAudience(r.Audience, r.KecCode, now); err != nil {
			return l, err
		}
		l.Reminders = append(l.Reminders, info)
	}
	return l, nil
}
