package bot

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"klabot/bot/message"
	"klabot/store"
)

// Pacing slows bulk messages (reminders and broadcasts, priority
// store.PriorityReminder and above) on a channel where sending many
// messages gets a number banned: WhatsApp. Bulk messages go one at a time,
// each followed by a random pause between Min and Max; at most DailyCap go
// out a day (the rest wait for the next day); and they go only to people
// who have written to the bot before, others' are marked failed.
// Conversation replies are never paced; alerts only with Alerts.
type Pacing struct {
	Min, Max time.Duration
	DailyCap int            // 0: no cap
	Location *time.Location // where a day begins, for the cap
	// Alerts sends alerts and notices (priority store.PriorityAlert, the
	// call notice on WhatsApp) through the pacer too: only to people who
	// wrote, staff included, and at most DailyCap plus a fifth (at least
	// 20) of bulk messages and alerts together a day, so a broadcast that
	// used the cap leaves room for new-report alerts. They do not wait the
	// pause: a new report reaches staff at once.
	Alerts bool
}

// DefaultPacing is one bulk message every 15 to 45 seconds, at most 200
// a day: a pace no person could keep up by hand looks like spam to
// WhatsApp.
var DefaultPacing = Pacing{Min: 15 * time.Second, Max: 45 * time.Second, DailyCap: 200, Alerts: true}

// ErrorNeverWrote is recorded for a bulk message to someone who never wrote
// to the bot on that channel.
const ErrorNeverWrote = "not sent: bulk messages go only to people who have written to the bot on this channel"

// ErrorOptedOut is recorded for a broadcast message to someone who said
// "berhenti" after the broadcast began.
const ErrorOptedOut = "not sent: the person said berhenti after the broadcast began"

// pacer applies Pacing in the sender's loop (it is not safe for use by
// several goroutines).
type pacer struct {
	Pacing
	db      *store.DB
	channel string
	log     *slog.Logger
	gap     func() time.Duration // the pause after a bulk message; tests fix it
	advisor message.BulkAdvisor  // nil: Pacing alone
	slower  int                  // of the latest advice
	held    bool                 // a hold was logged

	busy      bool      // a bulk message is being sent
	next      time.Time // no bulk message before then
	day       time.Time // start of the day counted
	sent      int       // bulk messages sent that day
	sentAll   int       // bulk messages and alerts sent that day (Alerts)
	capLogged bool
}

func newPacer(db *store.DB, channel string, p Pacing, log *slog.Logger) *pacer {
	if p.Location == nil {
		p.Location = time.UTC
	}
	p.Max = max(p.Max, p.Min)
	pc := &pacer{Pacing: p, db: db, channel: channel, log: log}
	pc.gap = func() time.Duration { return p.Min + rand.N(p.Max-p.Min+1) }
	return pc
}

// paced tells whether a message is bulk.
func paced(m store.OutboxMessage) bool { return m.Priority >= store.PriorityReminder }

// paces tells whether p (nil: no pacing) paces a message.
func (p *pacer) paces(m store.OutboxMessage) bool {
	return p != nil && (paced(m) || p.Alerts && m.Priority == store.PriorityAlert)
}

// admit decides about a bulk message that may otherwise go now: send it;
// or fail it, with the reason; or neither, and look again at wait (zero:
// when the bulk message in flight is done).
func (p *pacer) admit(ctx context.Context, m store.OutboxMessage, now time.Time) (send bool, wait time.Time, fail string) {
	bulk := paced(m)
	if bulk && p.busy {
		return false, time.Time{}, ""
	}
	if bulk && now.Before(p.next) {
		return false, p.next, ""
	}
	limit := p.DailyCap
	if p.advisor != nil {
		adv := p.advisor.BulkAdvice(now)
		p.slower = adv.Slower
		if adv.Cap > 0 && (limit == 0 || adv.Cap < limit) {
			limit = adv.Cap
		}
		if bulk && now.Before(adv.HoldUntil) {
			if !p.held {
				p.held = true
				p.log.Warn("reminders and broadcasts held back at the platform's request", "until", adv.HoldUntil)
			}
			return false, adv.HoldUntil, ""
		}
		p.held = false
	}
	if day := startOfDay(now, p.Location); !day.Equal(p.day) {
		n, err := p.db.SentSince(ctx, p.channel, store.PriorityReminder, day)
		all := n
		if err == nil && p.Alerts {
			all, err = p.db.SentSince(ctx, p.channel, store.PriorityAlert, day)
		}
		if err != nil {
			p.log.Error("count today's bulk messages", "err", err)
			return false, now.Add(pollInterval), ""
		}
		p.day, p.sent, p.sentAll, p.capLogged = day, n, all, false
	}
	if limit > 0 && bulk && p.sent >= limit {
		if !p.capLogged {
			p.capLogged = true
			p.log.Warn("daily cap of bulk messages reached; the rest go tomorrow", "cap", limit)
		}
		return false, p.day.AddDate(0, 0, 1), ""
	}
	if limit > 0 && !bulk && p.sentAll >= limit+max(20, limit/5) {
		p.log.Warn("daily cap of alerts reached; the rest go tomorrow")
		return false, p.day.AddDate(0, 0, 1), ""
	}
	wrote, err := p.db.HasWritten(ctx, store.Contact{Channel: p.channel, Address: m.Address})
	if err != nil {
		p.log.Error("check a bulk message's recipient", "err", err)
		return false, now.Add(pollInterval), ""
	}
	if !wrote {
		return false, time.Time{}, ErrorNeverWrote
	}
	if m.Priority == store.PriorityBroadcast {
		// Paced, a broadcast reaches its last people long after its
		// audience was fixed; "berhenti" said meanwhile holds.
		stopped, err := p.db.OptedOut(ctx, store.Contact{Channel: p.channel, Address: m.Address})
		if err != nil {
			p.log.Error("check a broadcast's recipient", "err", err)
			return false, now.Add(pollInterval), ""
		}
		if stopped {
			return false, time.Time{}, ErrorOptedOut
		}
	}
	return true, time.Time{}, ""
}

// started notes that a message is being sent.
func (p *pacer) started(m store.OutboxMessage) {
	if p.paces(m) && paced(m) {
		p.busy = true
	}
}

// release notes that a message admitted was not sent after all.
func (p *pacer) release(m store.OutboxMessage) {
	if p.paces(m) && paced(m) {
		p.busy = false
	}
}

// finished notes a send's end; a bulk message's pause is counted from
// here, so a slow upload does not eat into it.
func (p *pacer) finished(m store.OutboxMessage, now time.Time, sent bool) {
	if !p.paces(m) {
		return
	}
	if sent {
		p.sentAll++
	}
	if !paced(m) {
		return
	}
	p.busy = false
	p.next = now.Add(p.gap() * time.Duration(max(1, p.slower)))
	if sent {
		p.sent++
	}
}

func startOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}
