package whatsapp

import (
	"context"
	"time"

	"go.mau.fi/whatsmeow/types"
)

// defaultIdleAfter is how long after its last message klabot shows the
// office number as offline again.
const defaultIdleAfter = 30 * time.Second

// presence keeps the office number "online" only while klabot is writing.
// WhatsApp shows "typing…" only from an account that is online, as a
// person on WhatsApp Web is while they type; but while a linked device is
// online the office phone gets no notifications, so klabot goes offline
// again once it has been quiet for a while (Config.IdleAfter).
//
// The mutex is held across the presence call so that an "online" and an
// "offline" never overtake each other; the call only writes one frame.
type presence struct {
	online     bool
	lastActive time.Time // real time: the idle timer runs on the real clock
}

// beOnline marks the number online before a message goes out, and starts
// the timer that takes it offline when klabot is quiet again.
func (w *WhatsApp) beOnline(ctx context.Context) {
	w.presenceMu.Lock()
	defer w.presenceMu.Unlock()
	w.presence.lastActive = time.Now()
	if w.presence.online {
		return
	}
	if err := w.client.SendPresence(ctx, types.PresenceAvailable); err != nil {
		// WhatsApp refuses a presence until it knows the account's name
		// (shortly after linking): the message still goes, without "typing…".
		w.log.Debug("set presence online", "err", hide(err))
		return
	}
	w.presence.online = true
	w.background(0, w.offlineWhenIdle)
}

// offlineWhenIdle waits until klabot has sent nothing for IdleAfter, then
// shows the number offline.
func (w *WhatsApp) offlineWhenIdle(ctx context.Context) {
	for {
		w.presenceMu.Lock()
		wait := time.Until(w.presence.lastActive.Add(w.cfg.IdleAfter))
		if wait <= 0 {
			w.presence.online = false
			w.beOfflineLocked(ctx)
			w.presenceMu.Unlock()
			return
		}
		w.presenceMu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-w.stopped:
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// beOffline shows the number offline, as after connecting: the office
// phone keeps its notifications.
func (w *WhatsApp) beOffline(ctx context.Context) {
	w.presenceMu.Lock()
	defer w.presenceMu.Unlock()
	w.presence.online = false
	w.beOfflineLocked(ctx)
}

func (w *WhatsApp) beOfflineLocked(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := w.client.SendPresence(ctx, types.PresenceUnavailable); err != nil {
		w.log.Debug("set presence offline", "err", hide(err))
	}
}
