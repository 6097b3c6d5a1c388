package bot

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"klabot/bot/message"
	"klabot/store"
)

// Limits are a channel's sending limits.
type Limits struct {
	// PerSecond is the overall rate across all chats (Telegram: about 30).
	// Sends are spaced evenly, and never more than that in any second as
	// the platform counts them (see slidingWindow).
	PerSecond float64
	// PerChatPerSecond and PerChatBurst limit one chat: at most
	// PerChatBurst messages in any PerChatBurst/PerChatPerSecond seconds
	// (Telegram: one a second).
	PerChatPerSecond float64
	PerChatBurst     int
	// Concurrency is how many sends may be in flight at once.
	Concurrency int
	// MaxAttempts after which a message that keeps failing is given up.
	// The default, 600, is at least a day of tries (five minutes apart once
	// backed off), so an outage of the office's internet loses nothing.
	MaxAttempts int
	// Bulk, when set, paces reminders and broadcasts (WhatsApp): see Pacing.
	Bulk *Pacing
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
		l.MaxAttempts = 600
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
	// dirty: the outbox changed in ways only a read shows (Wake).
	dirty atomic.Bool
	// offered are messages just committed, handed over by Offer.
	mu      sync.Mutex
	offered []store.OutboxMessage
	// settle takes the requests of Settle.
	settle chan chan struct{}
}

// NewSender makes a sender for a channel.
func NewSender(db *store.DB, ch Channel, limits Limits, log *slog.Logger) *Sender {
	limits.defaults()
	return &Sender{db: db, ch: ch, limits: limits, now: time.Now, log: log.With("channel", ch.Name()),
		wake: make(chan struct{}, 1), settle: make(chan chan struct{})}
}

// Settle waits until the sender has sent everything due that was in the
// outbox when it was called, for the addresses it reaches: a terminal
// shows a person what klabot owes them before reading their next line.
// It needs Run to be running.
func (s *Sender) Settle(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case s.settle <- done:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// SetClock makes the sender read the time from now (call it before Run):
// the daily cap, retry times and delivery records follow that clock.
func (s *Sender) SetClock(now func() time.Time) { s.now = now }

// Wake tells the sender the outbox changed: it reads it again. It never
// blocks.
func (s *Sender) Wake() {
	s.dirty.Store(true)
	s.signal()
}

// Offer hands the sender what a commit queued. Messages it was given one by
// one go straight into its queue, which spares reading them back from the
// database on every conversation turn; anything else makes it read.
func (s *Sender) Offer(q store.Queued) {
	if q.Changed {
		s.Wake()
		return
	}
	s.mu.Lock()
	n := len(s.offered)
	for _, m := range q.Messages {
		if m.Channel == s.ch.Name() {
			s.offered = append(s.offered, m)
		}
	}
	added := len(s.offered) > n
	s.mu.Unlock()
	if added {
		s.signal()
	}
}

func (s *Sender) takeOffered() []store.OutboxMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.offered
	s.offered = nil
	return m
}

func (s *Sender) signal() {
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
const window = 256

type result struct {
	msg store.OutboxMessage
	err error
	ref string // the platform's id of the message sent, if the channel tells it
	// at is when the send began; prev when the chat's send before it
	// began (zero: none lately), to tell a chat's 429 from the channel's.
	at, prev time.Time
	// done is when the platform's answer came back.
	done time.Time
}

// catchUp is how far behind the sender may fall (a late timer, a slow
// round) and make up for it with sends closer together than even spacing.
const catchUp = 10 * time.Millisecond

// Run sends until ctx ends, then waits for the sends in flight.
func (s *Sender) Run(ctx context.Context) error {
	// Sends in flight when shutdown begins are allowed to finish for a
	// moment: cutting one off after Telegram accepted it would make it go
	// out twice after the restart.
	sendCtx, cancelSends := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelSends()
	stopSends := context.AfterFunc(ctx, func() { time.AfterFunc(drainGrace, cancelSends) })
	defer stopSends()

	r := &senderRun{
		Sender:   s,
		global:   newBucket(s.limits.PerSecond, 1+s.limits.PerSecond*catchUp.Seconds()),
		second:   newSlidingWindow(s.limits.PerSecond),
		perChat:  map[string]*slidingWindow{},
		lastSend: map[string]time.Time{},
		inflight: map[int64]string{},
		busy:     map[string]bool{},
		results:  make(chan result, s.limits.Concurrency),
		stale:    true,
	}
	if s.limits.Bulk != nil {
		r.pace = newPacer(s.db, s.ch.Name(), *s.limits.Bulk, s.log)
		r.pace.advisor, _ = s.ch.(message.BulkAdvisor)
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		now := s.now()
		if len(r.recorded) >= flushBatch || now.Sub(r.recordedSince) >= flushDelay {
			r.flush(ctx)
		}
		next := now.Add(pollInterval)
		switch {
		case ctx.Err() != nil:
			for len(r.inflight) > len(r.recorded) {
				r.record(<-r.results)
			}
			r.flush(ctx)
			return nil
		case now.Before(r.pausedUntil):
			next = r.pausedUntil
		default:
			next = r.dispatch(ctx, sendCtx, now, next)
		}
		if len(r.recorded) > 0 {
			next = earlier(next, r.recordedSince.Add(flushDelay))
		}
		r.releaseSettled(s.now())
		timer.Reset(max(next.Sub(s.now()), time.Millisecond))
		select {
		case <-ctx.Done():
		case <-s.wake:
			if s.dirty.Swap(false) {
				r.stale = true
			}
		case done := <-s.settle:
			// Settled only after a read that began after the request.
			r.settling = append(r.settling, settleWait{done: done, reads: r.reads})
			r.stale = true
		case res := <-r.results:
			r.record(res)
			// Take whatever else finished, so one transaction records them.
			for more := true; more; {
				select {
				case res := <-r.results:
					r.record(res)
				default:
					more = false
				}
			}
		case <-timer.C:
			r.stale = true // rows written by another process, or due again
		}
	}
}

// senderRun is the state of one Run: what is queued, in flight and owed to
// the database. Only the Run goroutine touches it.
type senderRun struct {
	*Sender
	global *bucket
	// second keeps the overall rate within the limit over any window, as
	// platforms count it, whatever the network does (see slidingWindow).
	second *slidingWindow
	// perChat does the same for each chat: PerChatBurst messages in
	// PerChatBurst/PerChatPerSecond (Telegram: one a second).
	perChat map[string]*slidingWindow
	// lastSend is when each chat's latest send began.
	lastSend map[string]time.Time
	// inflight maps the rows being sent (or sent but not yet recorded) to
	// their chat; busy marks those chats, which must wait: order.
	inflight map[int64]string
	busy     map[string]bool
	results  chan result
	// queue is the pending rows last read plus those offered since, minus
	// those dispatched, by priority then id. It is read again when stale
	// (woken, a retry), every pollInterval, or when used up and the last
	// read did not hold every pending row (complete).
	queue    []store.OutboxMessage
	stale    bool
	complete bool
	readAt   time.Time
	// maxID is the highest row id read or offered: rows are numbered in
	// commit order, so an offered row at or below it was read already.
	maxID       int64
	pausedUntil time.Time
	recorded    []store.Delivery
	// recordedSince is when the oldest outcome not yet written came in.
	recordedSince time.Time
	pace          *pacer // nil: bulk messages are not paced
	// reads counts the reads of the outbox; settling are Settle's waiters.
	reads    int
	settling []settleWait
}

type settleWait struct {
	done  chan struct{}
	reads int // reads done when it came
}

// releaseSettled lets go the Settle waiters whose rows are all sent: none
// in flight or owed to the database, and none queued that is due and that
// this sender reaches.
func (r *senderRun) releaseSettled(now time.Time) {
	if len(r.settling) == 0 || len(r.inflight) > 0 || len(r.recorded) > 0 {
		return
	}
	r.mu.Lock()
	offered := len(r.offered)
	r.mu.Unlock()
	if offered > 0 {
		return
	}
	for _, m := range r.queue {
		if a, ok := r.ch.(Attached); ok && !a.Attached(m.Address) {
			continue
		}
		if !m.NotBefore.After(now) {
			return
		}
	}
	kept := r.settling[:0]
	for _, w := range r.settling {
		if r.reads > w.reads {
			close(w.done)
		} else {
			kept = append(kept, w)
		}
	}
	r.settling = kept
}

// dispatch starts the sends that may go now and returns when to look again.
func (r *senderRun) dispatch(ctx, sendCtx context.Context, now, next time.Time) time.Time {
	if len(r.inflight) >= r.limits.Concurrency {
		return next
	}
	offered := r.takeOffered()
	if len(offered) > 0 && !r.complete {
		r.stale = true // the queue is a window: only a read puts them in order
	}
	if r.stale || (len(r.queue) == 0 && !r.complete) || now.Sub(r.readAt) >= pollInterval {
		// Offered rows were committed before they were offered, so this
		// read has them.
		pending, err := r.db.PendingOutbox(ctx, r.ch.Name(), window)
		if err != nil {
			if ctx.Err() == nil {
				r.log.Error("read outbox", "err", err)
			}
			return next
		}
		r.queue, r.stale, r.complete, r.readAt = pending, false, len(pending) < window, now
		r.reads++
		for _, m := range pending {
			r.maxID = max(r.maxID, m.ID)
		}
	} else {
		r.merge(offered)
	}
	seen := map[string]bool{}
	kept := r.queue[:0]
	for i, m := range r.queue {
		if _, sending := r.inflight[m.ID]; sending {
			continue // read again while in flight: not queued any more
		}
		if a, ok := r.ch.(Attached); ok && !a.Attached(m.Address) {
			kept = append(kept, m) // another process prints it
			continue
		}
		if m.Attempts == 0 && m.NotBefore.After(now) {
			// Held on purpose until a time (a question asked at night
			// waits for 06:00): what the chat is owed meanwhile goes.
			// A retry waiting out its backoff keeps its place instead.
			next = earlier(next, m.NotBefore)
			kept = append(kept, m)
			continue
		}
		first := !seen[m.Address]
		seen[m.Address] = true
		// Only a chat's first message may go, and only when nothing else
		// of that chat is in flight: each chat's order is kept.
		if !first || r.busy[m.Address] || len(r.inflight) >= r.limits.Concurrency {
			kept = append(kept, m)
			continue
		}
		if m.NotBefore.After(now) {
			next = earlier(next, m.NotBefore)
			kept = append(kept, m)
			continue
		}
		if r.pace.paces(m) {
			send, wait, fail := r.pace.admit(ctx, m, now)
			if fail != "" {
				// Recorded like a send's outcome, without sending.
				r.inflight[m.ID] = m.Address
				r.busy[m.Address] = true
				r.record1(store.Delivery{ID: m.ID, Address: m.Address, Failed: true, Error: fail})
				next = now
				continue
			}
			if !send {
				if !wait.IsZero() {
					next = earlier(next, wait)
				}
				kept = append(kept, m)
				continue
			}
		}
		b := r.perChat[m.Address]
		if b == nil {
			b = newWindow(r.limits.PerChatBurst, time.Duration(float64(r.limits.PerChatBurst)/r.limits.PerChatPerSecond*float64(time.Second)))
			r.perChat[m.Address] = b
		}
		if wait := b.wait(now); wait > 0 {
			next = earlier(next, now.Add(wait))
			kept = append(kept, m)
			continue
		}
		wait := r.global.wait(now)
		if w := r.second.wait(now); w > wait {
			wait = w
		}
		if wait > 0 {
			next = earlier(next, now.Add(wait))
			kept = append(kept, r.queue[i:]...)
			break
		}
		b.start()
		r.global.take(now)
		r.second.start()
		r.inflight[m.ID] = m.Address
		r.busy[m.Address] = true
		r.pace.started(m)
		prev := r.lastSend[m.Address]
		r.lastSend[m.Address] = now
		go func(m store.OutboxMessage) {
			ref, err := r.send(sendCtx, m)
			r.results <- result{msg: m, err: err, ref: ref, at: now, prev: prev, done: r.now()}
		}(m)
	}
	r.queue = kept
	if len(r.perChat) > 50000 {
		for k, w := range r.perChat {
			if w.idle(now) {
				delete(r.perChat, k)
			}
		}
	}
	if len(r.lastSend) > 50000 {
		for k, t := range r.lastSend {
			if now.Sub(t) > chatWindow {
				delete(r.lastSend, k)
			}
		}
	}
	return next
}

// merge puts offered rows into the queue in priority and id order, leaving
// out those the last read already had.
func (r *senderRun) merge(offered []store.OutboxMessage) {
	for _, m := range offered {
		if m.ID <= r.maxID {
			continue
		}
		r.maxID = m.ID
		i, _ := slices.BinarySearchFunc(r.queue, m, func(a, b store.OutboxMessage) int {
			return cmp.Or(cmp.Compare(a.Priority, b.Priority), cmp.Compare(a.ID, b.ID))
		})
		r.queue = slices.Insert(r.queue, i, m)
	}
}

// chatWindow is the span over which platforms count one chat's messages
// (Telegram: about one a second).
const chatWindow = time.Second

// record notes a send's outcome, to be written by the next flush.
func (r *senderRun) record(res result) {
	r.second.finish(res.done, !errors.Is(res.err, store.ErrNotPending))
	if w := r.perChat[res.msg.Address]; w != nil {
		w.finish(res.done, !errors.Is(res.err, store.ErrNotPending))
	}
	if errors.Is(res.err, store.ErrNotPending) {
		// Held or cancelled (a paused broadcast) after it was read: nothing
		// was sent and there is nothing to record.
		r.pace.release(res.msg)
		delete(r.inflight, res.msg.ID)
		delete(r.busy, res.msg.Address)
		r.stale = true
		return
	}
	d := r.delivery(res)
	r.pace.finished(res.msg, r.now(), d.Sent)
	if se := classify(res.err); res.err != nil && se.RetryAfter > 0 && d.RetryAt.After(r.pausedUntil) {
		// The platform asked us to slow down. If this chat had another
		// message just before, it is the chat's limit: only the chat waits
		// (its message comes back at RetryAt, ahead of its others).
		// Otherwise the whole channel waits.
		chatLimited := !res.prev.IsZero() && res.at.Sub(res.prev) < chatWindow
		if !chatLimited {
			r.pausedUntil = d.RetryAt
		}
	}
	if !d.Sent && !d.Failed {
		r.stale = true // the row comes back with a later time: read it again
	}
	r.record1(d)
}

// record1 adds an outcome for the next flush.
func (r *senderRun) record1(d store.Delivery) {
	if len(r.recorded) == 0 {
		r.recordedSince = r.now()
	}
	r.recorded = append(r.recorded, d)
}

// Outcomes are written together, a few milliseconds or a few dozen at a
// time: each write waits for the disk, and holds up incoming messages
// meanwhile. A chat's next message waits for its outcome, as order needs.
const (
	flushDelay = 5 * time.Millisecond
	flushBatch = 64
)

// flush writes the recorded outcomes in one transaction and frees their chats.
func (r *senderRun) flush(ctx context.Context) {
	if len(r.recorded) == 0 {
		return
	}
	if err := r.db.RecordDeliveries(context.WithoutCancel(ctx), r.recorded, r.now()); err != nil {
		r.log.Error("record deliveries", "err", err)
		// The rows stay in flight; try again in a second.
		r.recordedSince = r.now().Add(time.Second - flushDelay)
		return
	}
	for _, d := range r.recorded {
		delete(r.inflight, d.ID)
		delete(r.busy, d.Address)
	}
	r.recorded = r.recorded[:0]
}

func (s *Sender) send(ctx context.Context, m store.OutboxMessage) (string, error) {
	payload := m.Payload // offered rows carry it; rows read do not
	if payload == nil {
		var err error
		payload, err = s.db.OutboxPayload(ctx, m.ID)
		if errors.Is(err, store.ErrNotPending) {
			return "", err
		}
		if err != nil {
			return "", &SendError{Temporary: true, Err: err}
		}
	}
	var out Outbound
	if err := json.Unmarshal(payload, &out); err != nil {
		return "", &SendError{Err: err} // a broken row can never be sent
	}
	ctx, cancel := context.WithTimeout(message.WithOutboxID(ctx, m.ID), 60*time.Second)
	defer cancel()
	if e, ok := s.ch.(Editor); ok {
		return e.SendID(ctx, m.Address, out)
	}
	return "", s.ch.Send(ctx, m.Address, out)
}

// delivery turns a send's outcome into what is recorded.
func (s *Sender) delivery(r result) store.Delivery {
	now := s.now()
	d := store.Delivery{ID: r.msg.ID, Address: r.msg.Address}
	if r.err == nil {
		d.Sent, d.Ref = true, r.ref
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

// slidingWindow limits sends to n within any span, the way platforms count
// (Telegram: 30 in any second), and does so whatever the network does: a
// send counts from the moment it starts until span after its answer came
// back. The platform saw it somewhere in between, so by then it has left
// the platform's window too, and requests that arrive late or bunched up
// cannot add up to more than n in any span there. A token bucket alone,
// which counts when requests leave, can: a 429 then stops the whole
// channel for a second or more.
type slidingWindow struct {
	n        int
	span     time.Duration
	inFlight int
	ends     []time.Time // answers within the last span, oldest first
}

// newSlidingWindow is a window for an overall rate: n in a second, or in
// exactly the span that makes the rate (25.5/s is 25 in 980 ms).
func newSlidingWindow(perSecond float64) *slidingWindow {
	n := max(1, int(perSecond))
	return newWindow(n, time.Duration(float64(n)/perSecond*float64(time.Second)))
}

func newWindow(n int, span time.Duration) *slidingWindow {
	return &slidingWindow{n: max(1, n), span: span}
}

// idle tells whether the window holds nothing that still counts.
func (w *slidingWindow) idle(now time.Time) bool {
	return w.inFlight == 0 && (len(w.ends) == 0 || !w.ends[len(w.ends)-1].After(now.Add(-w.span)))
}

// wait is how long until a send may start; 0 if it may now. When every
// counted send is still in flight, the answer of one frees a place: the
// sender looks again when a result comes in.
func (w *slidingWindow) wait(now time.Time) time.Duration {
	cut := 0
	for cut < len(w.ends) && !w.ends[cut].After(now.Add(-w.span)) {
		cut++
	}
	w.ends = w.ends[cut:]
	if w.inFlight+len(w.ends) < w.n {
		return 0
	}
	if len(w.ends) == 0 {
		return pollInterval
	}
	return w.ends[0].Add(w.span).Sub(now) + time.Millisecond
}

func (w *slidingWindow) start() { w.inFlight++ }

// finish notes a send's answer; sent is false when nothing reached the
// platform (the row was no longer pending).
func (w *slidingWindow) finish(at time.Time, sent bool) {
	w.inFlight--
	if !sent {
		return
	}
	i := len(w.ends)
	for i > 0 && w.ends[i-1].After(at) {
		i--
	}
	w.ends = append(w.ends, time.Time{})
	copy(w.ends[i+1:], w.ends[i:])
	w.ends[i] = at
}
