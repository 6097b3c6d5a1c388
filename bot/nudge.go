package bot

import (
	"context"
	"fmt"
	"time"

	"klabot/flows"
	"klabot/flows/ops"
	"klabot/flows/report"
	"klabot/store"
)

// Half-done reports: after nudgeAfter of silence the person gets one gentle
// reminder; after draftKeep the draft is dropped without another word. What
// was typed in any other flow (a registration's name and phone) is dropped
// after draftKeep too.
const (
	nudgeAfter = 4 * time.Hour
	draftKeep  = 3 * 24 * time.Hour
)

// NudgeStaleDrafts reminds people who left a report half done, once per
// quiet spell, and drops drafts and every other conversation's answers
// older than three days (the person is back at the main menu and told
// nothing more). Housekeeping calls it every quarter of an hour. Someone
// who opted out of reminders is not nudged, but their old draft is still
// dropped. A nudge is not urgent: in the quiet hours (read in loc) it
// waits for the first run from 06:00.
func NudgeStaleDrafts(ctx context.Context, db *store.DB, now time.Time, loc *time.Location) (nudged, dropped int, err error) {
	stale, err := db.IdleSessions(ctx, flows.FlowReport, now.Add(-nudgeAfter), now.Add(-draftKeep), 500)
	if err != nil {
		return 0, 0, err
	}
	old, err := db.StaleSessions(ctx, now.Add(-draftKeep), 500)
	if err != nil {
		return 0, 0, err
	}
	for _, s := range append(stale, old...) {
		err := db.Tx(ctx, func(tx *store.Tx) error {
			if now.Sub(s.Updated) >= draftKeep {
				done, err := dropIdle(tx, s)
				if done {
					dropped++
				}
				return err
			}
			if s.Nudged || ops.InQuietHours(now, loc) {
				return nil
			}
			// Marked first, and only if the person has not written since.
			if fresh, err := tx.MarkSessionNudged(s.UserID, s.Updated, now); err != nil || !fresh {
				return err
			}
			u, err := tx.User(s.UserID)
			if err != nil {
				return err
			}
			if !u.OptedOutAt.IsZero() {
				return nil
			}
			nudged++
			return Notify(tx, u.ID, store.PriorityReminder, outboundOf(report.DraftNudge(u.Lang)), now)
		})
		if err != nil {
			return nudged, dropped, fmt.Errorf("nudge draft of user %d: %w", s.UserID, err)
		}
	}
	return nudged, dropped, nil
}

// dropIdle puts an idle conversation back at the main menu without its
// answers, unless the person wrote since or it holds nothing to drop (an
// old report draft listed twice is dropped once).
func dropIdle(tx *store.Tx, s store.IdleSession) (bool, error) {
	raw, err := tx.Session(s.UserID)
	if err != nil {
		return false, err
	}
	menu, ok := report.DropDraft(raw)
	if !ok {
		return false, nil
	}
	return tx.ReplaceIdleSession(s.UserID, s.Updated, menu)
}
