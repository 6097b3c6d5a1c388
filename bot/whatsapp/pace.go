package whatsapp

import (
	"context"
	"time"

	"klabot/bot/message"
)

// What the adapter keeps across restarts (store.DB's whatsapp_state).
const (
	stateLinked   = "linked_since:" // + the linked number: since when it runs klabot
	stateBanEnded = "ban_ended"     // when the latest temporary ban ended
	stateHold     = "bulk_held_until"
	// StateConnected is when klabot was last connected to WhatsApp.
	StateConnected = "connected_at"
)

const (
	// newNumberCap is the most reminders, broadcasts and alerts a day in
	// a newly linked number's first week; rampPerWeek more each week
	// after, up to the configured cap.
	newNumberCap = 100
	rampPerWeek  = 50
	// afterBan is how long after a temporary ban the pace stays halved.
	afterBan = 30 * 24 * time.Hour
	// holdLength is how long reminders and broadcasts wait after WhatsApp
	// refused a message with 463 ("may not reach out to new people"):
	// WhatsApp does not say, and such holds last hours to days.
	holdLength = 24 * time.Hour
)

// defaultDailyCap is bot.DefaultPacing's, when the configured one is not
// given.
const defaultDailyCap = 200

// FormatState is how the adapter keeps a time in its memory.
func FormatState(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

var _ message.BulkAdvisor = (*WhatsApp)(nil)

// BulkAdvice implements message.BulkAdvisor: a newly linked number starts
// slowly; after a temporary ban the pace is halved for a month; after a
// 463 reminders and broadcasts wait.
func (w *WhatsApp) BulkAdvice(now time.Time) message.BulkAdvice {
	w.mu.Lock()
	defer w.mu.Unlock()
	adv := message.BulkAdvice{HoldUntil: w.holdUntil}
	if !w.linkedSince.IsZero() {
		weeks := int(now.Sub(w.linkedSince) / (7 * 24 * time.Hour))
		adv.Cap = newNumberCap + rampPerWeek*max(0, weeks)
	}
	if !w.banEnded.IsZero() && now.Sub(w.banEnded) < afterBan {
		if adv.Cap == 0 {
			adv.Cap = w.cfg.DailyCap
		}
		adv.Cap = max(1, min(adv.Cap, w.cfg.DailyCap)/2)
		adv.Slower = 2
	}
	return adv
}

// loadState reads what the adapter remembers, and notes when this number
// first ran klabot.
func (w *WhatsApp) loadState(ctx context.Context) {
	now := w.cfg.Now()
	if w.cfg.Memory == nil {
		w.mu.Lock()
		w.linkedSince = now
		w.mu.Unlock()
		return
	}
	read := func(key string) time.Time {
		v, err := w.cfg.Memory.State(ctx, key)
		if err != nil {
			w.log.Warn("read what WhatsApp left", "err", err)
		}
		if v == "" {
			return time.Time{}
		}
		t, _ := time.Parse(time.RFC3339Nano, v)
		return t
	}
	linkedKey := stateLinked + w.client.Own()
	if err := w.cfg.Memory.SetState(ctx, linkedKey, FormatState(now), true); err != nil {
		w.log.Warn("note when WhatsApp was linked", "err", err)
	}
	linked, banEnded, hold := read(linkedKey), read(stateBanEnded), read(stateHold)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.linkedSince, w.banEnded, w.holdUntil = linked, banEnded, hold
	if w.linkedSince.IsZero() {
		w.linkedSince = now
	}
}

// remember keeps a time across restarts.
func (w *WhatsApp) remember(key string, t time.Time) {
	if w.cfg.Memory == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.cfg.Memory.SetState(ctx, key, FormatState(t), false); err != nil {
		w.log.Warn("remember WhatsApp's state", "key", key, "err", err)
	}
}

// holdBulk holds reminders and broadcasts back after a 463 and tells
// staff until when, once per hold.
func (w *WhatsApp) holdBulk() {
	now := w.cfg.Now()
	until := now.Add(holdLength)
	w.mu.Lock()
	fresh := !now.Before(w.holdUntil)
	if fresh {
		w.holdUntil = until
	}
	w.mu.Unlock()
	if !fresh {
		return
	}
	w.remember(stateHold, until)
	w.log.Error("WhatsApp refused a message with 463: the number may not reach out to new people for a while; reminders and broadcasts wait, replies go on", "until", until)
	w.notify(Trouble{Kind: Held, Until: until, Text: w.t("wa.staff_held", w.when(until))})
}

func (w *WhatsApp) when(t time.Time) string {
	return t.In(w.cfg.Location).Format("02-01-2006 15:04 MST")
}
