package bot

import (
	"context"
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"time"

	"klabot/store"
)

// Limits are a channel's sending limits.
type Limits struct {
	// PerSecond is the overall rate across all chats (Telegram: about 30).
	PerSecond float64
	// PerChatPerSecond and PerChatBurst limit one chat (Telegram: about 1).
	PerChatPerSecond float64
	PerChatBurst     int
	// Concurrency is how many sends may be in flight at once.
	Concurrency int
	// MaxAttempts after which a message that keeps failing is given up.
	MaxAttempts int
}

func (l *Limits) defaults() {
	if l.PerSecond <= 0 {
		l.PerSecond = 30
	}
	if l.PerChatPerSecond <= 0 {
		l.PerChatPerSecond = 1
	}
	if l.PerChatBurst <= 0 {
		l.PerChatBurst = 1
	}
	if l.Concurrency <= 0 {
		// Enough requests in flight to reach the rate at ~200 ms per call.
		l.Concurrency = max(8, int(l.PerSecond/5))
	}
	if l.MaxAttempts <= 0 {
		l.MaxAttempts = 50
	}
}

// Sender delivers one channel's outbox: highest priority first, each chat's
// messages in order, within the channel's limits. It is woken when new
// messages are committed and polls only as a safety net.
type Sender struct {
	db     *store.DB
	ch     Channel
	limits Limits
	now    func() time.Time
	log    *slog.Logger
	wake   chan struct{}
}

// NewSender makes a sender for a channel.
func NewSender(db *store.DB, ch Channel, limits Limits, log *slog.Logger) *Sender {
	limits.defaults()
	return &Sender{db: db, ch: ch, limits: limits, now: time.Now, log: log.With("channel", ch.Name()),
		wake: make(chan struct{}, 1)}
}

// Wake tells the sender there is something new to send. It never blocks.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// pollInterval is the safety-net poll, for rows written by another process
// (the console) or left from before a restart.
const pollInterval = 2 * time.Second

// drainGrace is how long sends in flight may take to finish at shutdown.
const drainGrace = 3 * time.Second

// window is how many pending rows are looked at per round.
const window = 512

type result struct {
	msg store.OutboxMessage
	err error
}

// Run sends until ctx ends, then waits for the sends in flight.
func (s *Sender) Run(ctx context.Context) error {
	global := newBucket(s.limits.PerSecond, max(1, s.limits.PerSecond/10))
	perChat := map[string]*bucket{}
	inflight := map[string]bool{} // chats with a send in flight or unrecorded
	results := make(chan result, s.limits.Concurrency)
	running := 0
	var pausedUntil time.Time
	var recorded []store.Delivery

	record := func(r result) {
		running--
		d := s.delivery(r)
		if d.RetryAt.After(pausedUntil) && classify(r.err).RetryAfter > 0 {
			// The platform asked us to slow down: the whole channel waits.
			pausedUntil = d.RetryAt
		}
		recorded = append(recorded, d)
	}
	flush := func() {
		if len(recorded) == 0 {
			return
		}
		if err := s.db.RecordDeliveries(context.WithoutCancel(ctx), recorded, s.now()); err != nil {
			s.log.Error("record deliveries", "err", err)
			return // the rows stay pending and in flight; try again next round
		}
		for _, d := range recorded {
			delete(inflight, d.Address)
		}
		recorded = recorded[:0]
	}

	// Sends in flight when shutdown begins are allowed to finish for a
	// moment: cutting one off after Telegram accepted it would make it go
	// out twice after the restart.
	sendCtx, cancelSends := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelSends()
	stopSends := context.AfterFunc(ctx, func() { time.AfterFunc(drainGrace, cancelSends) })
	defer stopSends()

	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		flush()
		now := s.now()
		next := now.Add(pollInterval)
		if ctx.Err() == nil && now.After(pausedUntil) && running < s.limits.Concurrency {
			pending, err := s.db.PendingOutbox(ctx, s.ch.Name(), window)
			if err != nil && ctx.Err() == nil {
				s.log.Error("read outbox", "err", err)
			}
			seen := map[string]bool{}
			for _, m := range pending {
				if seen[m.Address] {
					continue // only a chat's first message may go: order
				}
				seen[m.Address] = true
				if inflight[m.Address] {
					continue
				}
				if m.NotBefore.After(now) {
					next = earlier(next, m.NotBefore)
					continue
				}
				b := perChat[m.Address]
				if b == nil {
					b = newBucket(s.limits.PerChatPerSecond, float64(s.limits.PerChatBurst))
					perChat[m.Address] = b
				}
				if wait := b.wait(now); wait > 0 {
					next = earlier(next, now.Add(wait))
					continue
				}
				if wait := global.wait(now); wait > 0 {
					next = earlier(next, now.Add(wait))
					break
				}
				if running >= s.limits.Concurrency {
					break
				}
				b.take(now)
				global.take(now)
				inflight[m.Address] = true
				running++
				go func(m store.OutboxMessage) {
					results <- result{msg: m, err: s.send(sendCtx, m)}
				}(m)
			}
			if len(perChat) > 50000 {
				prune(perChat, now)
			}
		} else if now.Before(pausedUntil) {
			next = earlier(next, pausedUntil)
		}
		if ctx.Err() != nil {
			for running > 0 {
				record(<-results)
			}
			flush()
			return nil
		}

		timer.Reset(max(next.Sub(s.now()), time.Millisecond))
		select {
		case <-ctx.Done():
		case <-s.wake:
		case r := <-results:
			record(r)
			// Take whatever else finished, so one transaction records them.
			for more := true; more; {
				select {
				case r := <-results:
					record(r)
				default:
					more = false
				}
			}
		case <-timer.C:
		}
	}
}

func (s *Sender) send(ctx context.Context, m store.OutboxMessage) error {
	var out Outbound
	if err := json.Unmarshal(m.Payload, &out); err != nil {
		return &SendError{Err: err} // a broken row can never be sent
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	return s.ch.Send(ctx, m.Address, out)
}

// delivery turns a send's outcome into what is recorded.
func (s *Sender) delivery(r result) store.Delivery {
	now := s.now()
	d := store.Delivery{ID: r.msg.ID, Address: r.msg.Address}
	if r.err == nil {
		d.Sent = true
		return d
	}
	se := classify(r.err)
	d.Error = se.Error()
	switch {
	case se.Blocked:
		d.Failed = true
		d.Unreachable = &store.Contact{Channel: s.ch.Name(), Address: r.msg.Address}
		s.log.Info("recipient blocked the bot; marked unreachable")
	case se.RetryAfter > 0:
		d.RetryAt = now.Add(se.RetryAfter)
		s.log.Warn("rate limited by platform", "retry_after", se.RetryAfter)
	case se.Temporary && r.msg.Attempts+1 < s.limits.MaxAttempts:
		d.RetryAt = now.Add(backoff(r.msg.Attempts))
		s.log.Warn("send failed, will retry", "attempt", r.msg.Attempts+1, "err", se.Err)
	default:
		d.Failed = true
		s.log.Error("send failed for good", "attempts", r.msg.Attempts+1, "err", se.Err)
	}
	return d
}

// backoff grows from 1 s to 5 min with jitter, so a recovering server is
// not hit by every message at once.
func backoff(attempts int) time.Duration {
	d := time.Second << min(attempts, 9)
	d = min(d, 5*time.Minute)
	return d/2 + rand.N(d/2+1)
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// bucket is a token bucket: rate tokens a second, at most burst saved up.
type bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func newBucket(rate, burst float64) *bucket {
	return &bucket{rate: rate, burst: burst, tokens: burst}
}

func (b *bucket) refill(now time.Time) {
	if !b.last.IsZero() {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
}

// wait is how long until a token is free; 0 if one is free now.
func (b *bucket) wait(now time.Time) time.Duration {
	b.refill(now)
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

func (b *bucket) take(now time.Time) {
	b.refill(now)
	b.tokens--
}

// prune drops buckets that are full again: they hold no information.
func prune(buckets map[string]*bucket, now time.Time) {
	for k, b := range buckets {
		if b.wait(now) == 0 && b.tokens >= b.burst {
			delete(buckets, k)
		}
	}
}
