package schedule

import (
	"context"
	"time"

	"klabot/bot"
	"klabot/flows"
	"klabot/flows/ops"
	"klabot/flows/recurrence"
	"klabot/flows/reminders"
	"klabot/store"
)

// planAhead is how far ahead every tick re-plans training reminders, as a
// safety net for registrations changed without a sync.
const planAhead = 48 * time.Hour

// Tick turns everything due at now into outbox messages, in one write
// transaction: training reminders and staff's recurring reminders. Each
// item is claimed (its state or next due time changed) in that same
// transaction, so two ticks at once, or a crash half way, cannot send
// anything twice. What fell due while the bot was down is handled by the
// first tick after start: sent if still useful, otherwise marked missed.
func (s *Scheduler) Tick(ctx context.Context, now time.Time) error {
	added, err := s.db.TxOutbox(ctx, func(tx *store.Tx) error {
		if err := tx.SyncTrainingRemindersStarting(now, now.Add(planAhead), s.cfg.Location, now); err != nil {
			return err
		}
		if err := s.trainingReminders(tx, now); err != nil {
			return err
		}
		return s.recurringReminders(tx, now)
	})
	if added {
		s.cfg.Wake()
	}
	return err
}

// trainingReminders sends the due training reminders that are still worth
// it. A reminder is missed when its training has started, or when a later
// reminder of the same training is due too (one message, the latest, is
// enough); it is skipped for someone who said berhenti, or whose
// registration or training was cancelled. In the quiet hours it waits.
func (s *Scheduler) trainingReminders(tx *store.Tx, now time.Time) error {
	due, err := tx.DueTrainingReminders(now)
	if err != nil {
		return err
	}
	type pair struct{ user, training int64 }
	latest := map[pair]int64{} // due is oldest first, so the last one wins
	for _, d := range due {
		latest[pair{d.UserID, d.TrainingID}] = d.ID
	}
	sent, missed := 0, 0
	for _, d := range due {
		var state string
		switch {
		case d.Training.Status != store.TrainingScheduled || d.RegStatus != store.RegRegistered:
			state = store.ReminderSkipped
		case !now.Before(d.Training.StartsAt) || latest[pair{d.UserID, d.TrainingID}] != d.ID:
			state = store.ReminderMissed
		case !d.User.OptedOutAt.IsZero():
			state = store.ReminderSkipped
		case ops.InQuietHours(now, s.cfg.Location):
			continue // waits for 06:00
		default:
			state = store.ReminderSent
		}
		claimed, err := tx.SetTrainingReminderState(d.ID, state, now)
		if err != nil {
			return err
		}
		if !claimed {
			continue
		}
		switch state {
		case store.ReminderSent:
			m := outbound(reminders.TrainingReminder(d.User.Lang, s.cfg.Location, d.Training, now))
			m.Subject = store.TrainingReminderSubject(d.TrainingID)
			if err := bot.Notify(tx, d.UserID, store.PriorityReminder, m, now); err != nil {
				return err
			}
			sent++
		case store.ReminderMissed:
			missed++
		}
	}
	if sent+missed > 0 {
		s.cfg.Log.Info("training reminders", "sent", sent, "missed", missed)
	}
	return nil
}

// recurringReminders sends staff's recurring reminders that are due. When
// several occurrences passed (the bot was down), only the latest counts,
// and only if it still falls on today (an occurrence in the quiet hours
// counts from 06:00); the others are counted as missed. None are sent in
// the quiet hours: they wait for 06:00.
func (s *Scheduler) recurringReminders(tx *store.Tx, now time.Time) error {
	loc := s.cfg.Location
	if ops.InQuietHours(now, loc) {
		return nil
	}
	due, err := tx.DueRecurringReminders(now)
	if err != nil {
		return err
	}
	for _, r := range due {
		spec, err := recurrence.ParseSpec(r.Spec)
		if err != nil {
			// Checked when it was saved; a stored spec that no longer
			// parses must not fire every minute.
			s.cfg.Log.Error("recurring reminder has a bad schedule; stopped", "reminder", r.ID, "err", err)
			if err := tx.StopRecurringReminder(r.ID, 0, now); err != nil {
				return err
			}
			continue
		}
		occurrence, skipped := r.NextDueAt, 0
		for t := spec.Next(occurrence, loc); !t.IsZero() && !t.After(now); t = spec.Next(t, loc) {
			occurrence, skipped = t, skipped+1
		}
		useful := sameDay(ops.AfterQuietHours(occurrence, loc), now, loc)
		missed := skipped
		if !useful {
			missed++
		}
		next := spec.Next(now, loc)
		claimed, err := tx.RecordRecurringRun(r.ID, r.NextDueAt, next, useful, missed, now)
		if err != nil {
			return err
		}
		if !claimed {
			continue
		}
		if next.IsZero() {
			if err := tx.StopRecurringReminder(r.ID, 0, now); err != nil {
				return err
			}
		}
		if !useful {
			s.cfg.Log.Info("recurring reminder missed: too late", "reminder", r.ID, "due", occurrence)
			continue
		}
		people, err := tx.AudienceMembers(r, now)
		if err != nil {
			return err
		}
		for _, u := range people {
			m := outbound(reminders.RecurringReminder(u.Lang, r.Message))
			m.Subject = store.RecurringReminderSubject(r.ID)
			if err := bot.Notify(tx, u.ID, store.PriorityReminder, m, now); err != nil {
				return err
			}
		}
		s.cfg.Log.Info("recurring reminder sent", "reminder", r.ID, "people", len(people), "missed", missed)
	}
	return nil
}

func sameDay(a, b time.Time, loc *time.Location) bool {
	a, b = a.In(loc), b.In(loc)
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

// outbound turns a flow's reply into a message. Scheduled messages carry
// only command keys ("/buka LPR-…"), which work whatever the person's
// conversation is doing, so no question token is needed.
func outbound(r flows.Reply) bot.Outbound {
	m := bot.Outbound{Text: r.Text, Subject: r.Subject}
	for _, o := range r.Options {
		m.Buttons = append(m.Buttons, bot.Button{Label: o.Label, Data: o.Key})
	}
	return m
}
