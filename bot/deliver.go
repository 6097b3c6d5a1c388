package bot

import (
	"time"

	"klabot/flows/out"
	"klabot/store"
)

// Deliver queues in tx the messages a staff operation owes people, as the
// dispatcher does for a chat turn. Messages to the actor themself (UserID
// 0 or actorID) are skipped: the caller, a web page, shows them instead.
func Deliver(tx *store.Tx, staff map[string]bool, actorID int64, msgs []out.Message, now time.Time) error {
	for _, m := range msgs {
		o := outboundOf(m.Reply)
		var err error
		switch {
		case m.ToStaff:
			err = NotifyStaff(tx, staff, m.Priority, o, now)
		case m.UserID == 0 || m.UserID == actorID:
			continue
		default:
			err = notifyAt(tx, m.UserID, m.Priority, o, now, m.NotBefore)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
