package schedule

import (
	"context"
	"time"

	"klabot/bot"
	"klabot/flows/ops"
	"klabot/store"
)

// questionWait is how long a question to a reporter waits for its answer
// before its one reminder.
const questionWait = 24 * time.Hour

// QuestionReminders reminds reporters, once, of a question asked them at
// least a day ago and still unanswered. Never in the quiet hours: the
// reminder waits for the morning. A reporter who erased their data, whose
// report was closed meanwhile or who said berhenti is not reminded; one
// who cannot be reached gets nothing (the reminder is still claimed, so it
// never goes late).
func (s *Scheduler) QuestionReminders(ctx context.Context, now time.Time) error {
	if ops.InQuietHours(now, s.cfg.Location) {
		return nil
	}
	added, err := s.db.TxOutbox(ctx, func(tx *store.Tx) error {
		due, err := tx.QuestionsToRemind(now.Add(-questionWait))
		if err != nil {
			return err
		}
		for _, q := range due {
			claimed, err := tx.MarkQuestionReminded(q.ID, now)
			if err != nil {
				return err
			}
			if !claimed {
				continue
			}
			u, err := tx.User(q.ReporterID)
			if err != nil {
				return err
			}
			if !u.OptedOutAt.IsZero() {
				continue // said berhenti: no reminders, this one neither
			}
			if err := bot.Notify(tx, u.ID, store.PriorityReminder, outbound(ops.QuestionToReporter(u.Lang, q.Question, true, q.Anonymous)), now); err != nil {
				return err
			}
		}
		return nil
	})
	if added {
		s.cfg.Wake()
	}
	return err
}
