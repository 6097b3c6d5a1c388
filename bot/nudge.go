package bot

import (
	"context"
	"fmt"
	"time"

	"klabot/flows"
	"klabot/store"
)

// Half-done reports: after nudgeAfter of silence the person gets one gentle
// reminder; after draftKeep the draft is dropped without another word.
const (
	nudgeAfter = 4 * time.Hour
	draftKeep  = 3 * 24 * time.Hour
)

// NudgeStaleDrafts reminds people who left a report half done, once per
// quiet spell, and drops drafts older than three days (the person is back
// at the main menu and told nothing more). Housekeeping calls it every
// quarter of an hour. Someone who opted out of reminders is not nudged,
// but their old draft is still dropped.
func NudgeStaleDrafts(ctx context.Context, db *store.DB, now time.Time) (nudged, dropped int, err error) {
	stale, err := db.IdleSessions(ctx, flows.FlowReport, now.Add(-nudgeAfter), now.Add(-draftKeep), 500)
	if err != nil {
		return 0, 0, err
	}
	for _, s := range stale {
		err := db.Tx(ctx, func(tx *store.Tx) error {
			if now.Sub(s.Updated) >= draftKeep {
				raw, err := tx.Session(s.UserID)
				if err != nil {
					return err
				}
				menu, ok := flows.DropDraft(raw)
				if !ok {
					return nil
				}
				if done, err := tx.ReplaceIdleSession(s.UserID, s.Updated, menu); err != nil || !done {
					return err
				}
				dropped++
				return nil
			}
			if s.Nudged {
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
			return Notify(tx, u.ID, store.PriorityReminder, outboundOf(flows.DraftNudge(u.Lang)), now)
		})
		if err != nil {
			return nudged, dropped, fmt.Errorf("nudge draft of user %d: %w", s.UserID, err)
		}
	}
	return nudged, dropped, nil
}
