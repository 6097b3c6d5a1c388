package schedule

import (
	"context"
	"fmt"
	"time"

	"klabot/bot"
	"klabot/flows/ops"
	"klabot/flows/reminders"
	"klabot/store"
)

// Case follow-ups: a report still baru after newReportWorkingDays reminds
// staff; an assigned report nobody worked on for volunteerQuiet reminds
// its volunteer, and after escalateQuiet staff.
const (
	newReportWorkingDays = 2
	volunteerQuiet       = 3 * 24 * time.Hour
	escalateQuiet        = 5 * 24 * time.Hour
	digestHour           = 7
)

// FollowUps sends the case follow-ups due at now. Each goes once (a mark
// per report and quiet spell is written with it), so running it often, or
// twice at once, is harmless; what fell due while the bot was down goes at
// the first run after start. Follow-ups wait for the end of the quiet
// hours, except those about a report marked urgent.
func (s *Scheduler) FollowUps(ctx context.Context, now time.Time) error {
	loc := s.cfg.Location
	quiet := ops.InQuietHours(now, loc)
	added, err := s.db.TxOutbox(ctx, func(tx *store.Tx) error {
		reports, err := tx.OpenReports()
		if err != nil {
			return err
		}
		for _, o := range reports {
			if quiet && !o.Urgent {
				continue
			}
			if o.Status == store.StatusNew && !now.Before(addWorkingDays(o.CreatedAt, newReportWorkingDays, loc)) {
				if err := s.remindStaff(tx, o, "followup:new:"+o.Code, now); err != nil {
					return err
				}
			}
			if o.AssignedTo == 0 {
				continue
			}
			// One reminder and one escalation per quiet spell: the marks
			// carry the time of the last work on the report.
			spell := fmt.Sprintf("%s:%s", o.Code, store.FormatTime(o.LastWork))
			if now.Sub(o.LastWork) >= volunteerQuiet {
				if err := s.remindVolunteer(tx, o, "followup:volunteer:"+spell, now); err != nil {
					return err
				}
			}
			if now.Sub(o.LastWork) >= escalateQuiet {
				if err := s.escalate(tx, o, "followup:escalate:"+spell, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if added {
		s.cfg.Wake()
	}
	return err
}

// remindStaff tells staff a report is still baru.
func (s *Scheduler) remindStaff(tx *store.Tx, o store.OpenReport, mark string, now time.Time) error {
	first, err := tx.MarkOnce(mark, now)
	if err != nil || !first {
		return err
	}
	r := reminders.ReportFollowUp(reminders.FollowUpNew, "", s.cfg.Location, o.Report, "", o.CreatedAt, now)
	return bot.NotifyStaff(tx, s.cfg.Staff, store.PriorityAlert, outbound(r), now)
}

// remindVolunteer tells the assigned volunteer a report waits for news,
// unless they said berhenti (staff hear of it two days later anyway).
func (s *Scheduler) remindVolunteer(tx *store.Tx, o store.OpenReport, mark string, now time.Time) error {
	first, err := tx.MarkOnce(mark, now)
	if err != nil || !first {
		return err
	}
	u, err := tx.User(o.AssignedTo)
	if err != nil {
		return err
	}
	if !u.OptedOutAt.IsZero() {
		return nil
	}
	r := reminders.ReportFollowUp(reminders.FollowUpVolunteer, u.Lang, s.cfg.Location, o.Report, "", o.LastWork, now)
	return bot.Notify(tx, u.ID, store.PriorityReminder, outbound(r), now)
}

// escalate tells staff a volunteer has been quiet on a report too long.
func (s *Scheduler) escalate(tx *store.Tx, o store.OpenReport, mark string, now time.Time) error {
	first, err := tx.MarkOnce(mark, now)
	if err != nil || !first {
		return err
	}
	u, err := tx.User(o.AssignedTo)
	if err != nil {
		return err
	}
	name := u.Name
	if name == "" {
		name = fmt.Sprintf("#%d", u.ID)
	}
	r := reminders.ReportFollowUp(reminders.FollowUpEscalate, "", s.cfg.Location, o.Report, name, o.LastWork, now)
	return bot.NotifyStaff(tx, s.cfg.Staff, store.PriorityAlert, outbound(r), now)
}

// Digest sends staff the morning summary for now's day, once a day: new,
// urgent and overdue reports, and the day's trainings.
func (s *Scheduler) Digest(ctx context.Context, now time.Time) error {
	loc := s.cfg.Location
	day := now.In(loc)
	start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	added, err := s.db.TxOutbox(ctx, func(tx *store.Tx) error {
		if first, err := tx.MarkOnce("digest:"+start.Format("2006-01-02"), now); err != nil || !first {
			return err
		}
		reports, err := tx.OpenReports()
		if err != nil {
			return err
		}
		var d reminders.Digest
		for _, o := range reports {
			if o.Status == store.StatusNew {
				d.New = append(d.New, o.Report)
			}
			if o.Urgent {
				d.Urgent = append(d.Urgent, o.Report)
			}
			if overdue(o, now, loc) {
				d.Overdue = append(d.Overdue, o.Report)
			}
		}
		if d.Trainings, err = tx.TrainingsStarting(start.Add(-time.Nanosecond), start.AddDate(0, 0, 1)); err != nil {
			return err
		}
		return bot.NotifyStaff(tx, s.cfg.Staff, store.PriorityAlert, outbound(reminders.StaffDigest(d, loc, now)), now)
	})
	if added {
		s.cfg.Wake()
	}
	return err
}

// overdue tells whether an open report waits too long: still baru past two
// working days, or assigned and not worked on for three days.
func overdue(o store.OpenReport, now time.Time, loc *time.Location) bool {
	if o.Status == store.StatusNew && !now.Before(addWorkingDays(o.CreatedAt, newReportWorkingDays, loc)) {
		return true
	}
	return o.AssignedTo != 0 && now.Sub(o.LastWork) >= volunteerQuiet
}

// addWorkingDays is the moment when days full working days (Monday to
// Friday, 24 hours each, local time) have passed since t. Public holidays
// are not known to the bot and count as working days.
func addWorkingDays(t time.Time, days int, loc *time.Location) time.Time {
	left := time.Duration(days) * 24 * time.Hour
	cur := t.In(loc)
	for {
		next := time.Date(cur.Year(), cur.Month(), cur.Day()+1, 0, 0, 0, 0, loc)
		if wd := cur.Weekday(); wd != time.Saturday && wd != time.Sunday {
			span := next.Sub(cur)
			if span >= left {
				return cur.Add(left)
			}
			left -= span
		}
		cur = next
	}
}
