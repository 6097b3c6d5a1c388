package bot

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"klabot/store"
)

// Pacing slows bulk messages (reminders and broadcasts, priority
// store.PriorityReminder and above) on a channel where sending many
// messages gets a number banned: WhatsApp. Bulk messages go one at a time,
// each followed by a random pause between Min and Max; at most DailyCap go
// out a day (the rest wait for the next day); and they go only to people
// who have written to the bot before, others' are marked failed.
// Conversation replies and alerts are never paced.
type Pacing struct {
	Min, Max time.Duration
	DailyCap int            // 0: no cap
	Location *time.Location // where a day begins, for the cap
}

// DefaultPacing is about one bulk message every 4 to 8 seconds, 300 a day.
var DefaultPacing = Pacing{Min: 4 * time.Second, Max: 8 * time.Second, DailyCap: 300}

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

	busy      bool      // a bulk message is being sent
	next      time.Time // no bulk message before then
	day       time.Time // start of the day counted
	sent      int       // bulk messages sent that day
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

// admit decides about a bulk message that may otherwise go now: send it;
// or fail it, with the reason; or neither, and look again at wait (zero:
// when the bulk message in flight is done).
func (p *pacer) admit(ctx context.Context, m store.OutboxMessage, now time.Time) (send bool, wait time.Time, fail string) {
	if p.busy {
		return false, time.Time{}, ""
	}
	if now.Before(p.next) {
		return false, p.next, ""
	}
	if day := startOfDay(now, p.Location); !day.Equal(p.day) {
		n, err := p.db.SentSince(ctx, p.channel, store.PriorityReminder, day)
		if err != nil {
			p.log.Error("count today's bulk messages", "err", err)
			return false, now.Add(pollInterval), ""
		}
		p.day, p.sent, p.capLogged = day, n, false
	}
	if p.DailyCap > 0 && p.sent >= p.DailyCap {
		if !p.capLogged {
			p.capLogged = true
			p.log.Warn("daily cap of bulk messages reached; the rest go tomorrow", "cap", p.DailyCap)
		}
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

// started notes that a bulk message is being sent.
func (p *pacer) started() { p.busy = true }

// finished notes a bulk send's end; the pause is counted from here, so a
// slow upload does not eat into it.
func (p *pacer) finished(now time.Time, sent bool) {
	p.busy = false
	p.next = now.Add(p.gap())
	if sent {
		p.sent++
	}
}

func startOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}
