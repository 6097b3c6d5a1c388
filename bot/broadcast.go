package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"klabot/flows"
	"klabot/flows/broadcast"
	"klabot/store"
)

// BroadcastConfig configures the Broadcaster.
type BroadcastConfig struct {
	// DataDir is klabot's data folder: a broadcast photo that must go to
	// people on another channel than it came from is downloaded under it.
	DataDir string
	// Location is where dates are written for staff (WIB).
	Location *time.Location
	// Editable names the channels whose messages can be edited in place
	// (Editor): progress there is one message kept up to date.
	Editable map[string]bool
	// Fetchers download a photo from the channel it came from.
	Fetchers map[string]Fetcher
	// Now is the clock; tests fix it.
	Now func() time.Time
	// Late is how late a scheduled broadcast may still go out (after
	// klabot was down when it fell due); later, it is marked missed.
	Late time.Duration
	// Tick is how often a sending broadcast is fed and its progress
	// looked at; ProgressEvery how often its progress message may change.
	Tick, ProgressEvery time.Duration
	// Queue is how many of a broadcast's messages are kept in the outbox
	// at once; Batch how many are added per transaction.
	Queue, Batch int
}

func (c *BroadcastConfig) defaults() {
	if c.Location == nil {
		c.Location = time.UTC
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Late == 0 {
		c.Late = 12 * time.Hour
	}
	if c.Tick == 0 {
		c.Tick = 250 * time.Millisecond
	}
	if c.ProgressEvery == 0 {
		c.ProgressEvery = 3 * time.Second
	}
	if c.Queue == 0 {
		c.Queue = 1000
	}
	if c.Batch == 0 {
		c.Batch = 500
	}
}

// Broadcaster turns staff broadcasts into messages. When a broadcast falls
// due it fixes the audience (one recipient row per person); then, while it
// is sending, it keeps a bounded number of its messages in the outbox,
// moving each recipient into the outbox in the same transaction as the
// message, so a restart neither repeats nor loses anyone; the senders
// deliver them under each channel's limits, after conversation replies.
// It keeps the staff member who made the broadcast informed: one progress
// message edited in place (or a note at each quarter where messages cannot
// be edited) and a summary at the end.
//
// Only one Broadcaster may run on a database.
type Broadcaster struct {
	db      *store.DB
	cfg     BroadcastConfig
	log     *slog.Logger
	wake    chan struct{}
	onQueue func()

	// Owned by the Run goroutine (or the caller of Tick).
	shown       map[int64]string    // state the progress message last showed
	photoFailed map[int64]time.Time // first failed download of a photo
}

// photoGiveUp is how long a photo download is retried before recipients on
// other channels get the text alone.
const photoGiveUp = 30 * time.Minute

// NewBroadcaster makes a Broadcaster; onQueue is called after messages
// were added to the outbox (to wake the senders).
func NewBroadcaster(db *store.DB, cfg BroadcastConfig, onQueue func(), log *slog.Logger) *Broadcaster {
	cfg.defaults()
	if onQueue == nil {
		onQueue = func() {}
	}
	return &Broadcaster{db: db, cfg: cfg, log: log.With("part", "broadcast"), wake: make(chan struct{}, 1),
		onQueue: onQueue, shown: map[int64]string{}, photoFailed: map[int64]time.Time{}}
}

// Wake tells the Broadcaster something changed (a broadcast was made,
// paused, resumed or cancelled). It never blocks.
func (b *Broadcaster) Wake() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// idleCheck is how often the Broadcaster looks at the database when no
// broadcast is sending, as a safety net: it is woken for changes and
// knows when the next scheduled one falls due.
const idleCheck = time.Minute

// wakeGap is the least time between two looks when woken.
const wakeGap = 50 * time.Millisecond

// Run works until ctx ends.
func (b *Broadcaster) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-b.wake:
			// Every commit that queues a message wakes us: look at most
			// every wakeGap, not once per message people send.
			if since := time.Since(last); since < wakeGap {
				timer.Reset(wakeGap - since)
				continue
			}
		case <-timer.C:
		}
		last = time.Now()
		wait := idleCheck
		active, err := b.Tick(ctx)
		if err != nil && ctx.Err() == nil {
			b.log.Error("broadcasts", "err", err)
		}
		if active {
			wait = b.cfg.Tick
		}
		if due, err := b.db.NextBroadcastDue(ctx); err == nil && !due.IsZero() {
			wait = min(wait, max(due.Sub(b.cfg.Now()), 10*time.Millisecond))
		}
		timer.Reset(wait)
	}
}

// Tick releases the broadcasts that fell due and moves every running one
// on; active tells whether any is still sending.
func (b *Broadcaster) Tick(ctx context.Context) (active bool, err error) {
	now := b.cfg.Now()
	if _, err := b.ReleaseDueBroadcasts(ctx, now); err != nil {
		return false, err
	}
	list, err := b.db.RunningBroadcasts(ctx)
	if err != nil {
		return false, err
	}
	for _, bc := range list {
		if ctx.Err() != nil {
			return active, nil
		}
		if bc.State != store.BroadcastPaused {
			active = true // sending, or its end still to be reported
		}
		if err := b.advance(ctx, bc); err != nil {
			return active, fmt.Errorf("broadcast %d: %w", bc.ID, err)
		}
	}
	return active, nil
}

// ReleaseDueBroadcasts starts every scheduled broadcast whose time has
// come: its audience is fixed as recipients and it starts sending. One
// that fell due more than Late ago (klabot was down) is marked missed and
// its maker told. It returns how many started.
func (b *Broadcaster) ReleaseDueBroadcasts(ctx context.Context, now time.Time) (int, error) {
	due, err := b.db.BroadcastsIn(ctx, store.BroadcastScheduled)
	if err != nil {
		return 0, err
	}
	started := 0
	for _, bc := range due {
		if bc.ScheduledAt.After(now) {
			continue
		}
		late := now.Sub(bc.ScheduledAt) > b.cfg.Late
		queued, err := b.db.TxOutbox(context.WithoutCancel(ctx), func(tx *store.Tx) error {
			if late {
				if err := tx.MissBroadcast(bc.ID, now); err != nil {
					return err
				}
				return b.tellMaker(tx, bc, func(lang string) flows.Reply {
					return broadcast.Missed(lang, b.cfg.Location, bc)
				}, now)
			}
			_, err := tx.StartBroadcast(bc.ID, now)
			return err
		})
		if errors.Is(err, store.ErrBroadcastState) {
			continue // cancelled meanwhile
		}
		if err != nil {
			return started, fmt.Errorf("start broadcast %d: %w", bc.ID, err)
		}
		if queued {
			b.onQueue()
		}
		if late {
			b.log.Warn("scheduled broadcast fell due while klabot was down; not sent", "broadcast", bc.ID)
			continue
		}
		started++
		b.log.Info("broadcast started", "broadcast", bc.ID, "late", now.Sub(bc.ScheduledAt).Round(time.Second))
	}
	return started, nil
}

// tellMaker queues a message to the staff member who made a broadcast, in
// their language.
func (b *Broadcaster) tellMaker(tx *store.Tx, bc store.Broadcast, reply func(lang string) flows.Reply, now time.Time) error {
	if bc.CreatedBy == 0 {
		return nil
	}
	u, err := tx.User(bc.CreatedBy)
	if err != nil {
		return err
	}
	return Notify(tx, u.ID, store.PriorityAlert, outboundOf(reply(u.Lang)), now)
}

// advance moves one running broadcast on, in one transaction: outcomes of
// sent messages are copied to their recipients, more recipients go into
// the outbox, a broadcast nobody waits for any more is done, and the
// progress message is brought up to date.
func (b *Broadcaster) advance(ctx context.Context, bc store.Broadcast) error {
	channels, err := b.photoReady(ctx, &bc)
	if err != nil {
		return err
	}
	var finished bool
	queued, err := b.db.TxOutbox(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		now := b.cfg.Now()
		// Read again in the transaction: a pause committed a moment ago
		// must not be followed by more messages queued as pending.
		bc, err := tx.Broadcast(bc.ID)
		if err != nil {
			return err
		}
		if err := tx.SyncRecipients(bc.ID); err != nil {
			return err
		}
		p, err := tx.ProgressOf(bc.ID)
		if err != nil {
			return err
		}
		if bc.State == store.BroadcastSending {
			if room := min(b.cfg.Queue-p.Queued, b.cfg.Batch); room > 0 && p.Waiting > 0 {
				if err := b.feed(tx, bc, channels, room, now); err != nil {
					return err
				}
			}
			if finished, err = tx.FinishBroadcast(bc.ID, now); err != nil {
				return err
			}
			if finished {
				bc.State, bc.FinishedAt = store.BroadcastDone, now
			}
			if p, err = tx.ProgressOf(bc.ID); err != nil {
				return err
			}
		}
		return b.report(tx, bc, p, now)
	})
	if err != nil {
		return err
	}
	if queued {
		b.onQueue()
	}
	if finished {
		b.log.Info("broadcast done", "broadcast", bc.ID)
		delete(b.photoFailed, bc.ID)
	}
	return nil
}

// feed moves up to n waiting recipients into the outbox.
func (b *Broadcaster) feed(tx *store.Tx, bc store.Broadcast, channels []string, n int, now time.Time) error {
	waiting, err := tx.WaitingRecipients(bc.ID, channels, n)
	if err != nil {
		return err
	}
	payloads := map[string][]byte{} // by language and channel
	for _, r := range waiting {
		key := r.Lang + "\x1f" + r.Contact.Channel
		payload, ok := payloads[key]
		if !ok {
			m := outboundOf(broadcast.Message(r.Lang, bc.Text, ""))
			if bc.PhotoRef != "" {
				switch {
				case r.Contact.Channel == bc.PhotoChannel:
					m.Attachment = &Attachment{Kind: "photo", Ref: bc.PhotoRef}
				case bc.PhotoPath != "":
					m.Attachment = &Attachment{Kind: "photo", Path: bc.PhotoPath}
				}
			}
			if payload, err = json.Marshal(m); err != nil {
				return fmt.Errorf("encode broadcast message: %w", err)
			}
			payloads[key] = payload
		}
		msg := store.OutboxMessage{Priority: store.PriorityBroadcast, Payload: payload}
		if err := tx.QueueRecipient(bc.ID, r, msg, now); err != nil {
			return err
		}
	}
	return nil
}

// photoReady makes sure a broadcast's photo can go to every channel its
// recipients are on, downloading it once for channels other than the one
// it came from. It returns the channels whose recipients can be fed now
// (nil: all). While a download keeps failing, only the photo's own channel
// is fed; after photoGiveUp, the others get the text alone.
func (b *Broadcaster) photoReady(ctx context.Context, bc *store.Broadcast) ([]string, error) {
	if bc.PhotoRef == "" || bc.PhotoPath != "" || bc.State != store.BroadcastSending {
		return nil, nil
	}
	if first, failed := b.photoFailed[bc.ID]; failed && b.cfg.Now().Sub(first) > photoGiveUp {
		return nil, nil
	}
	others, err := b.db.WaitingElsewhere(ctx, bc.ID, bc.PhotoChannel)
	if err != nil || !others {
		return nil, err
	}
	path, err := b.downloadPhoto(ctx, *bc)
	if err == nil {
		delete(b.photoFailed, bc.ID)
		bc.PhotoPath = path
		return nil, b.db.Tx(context.WithoutCancel(ctx), func(tx *store.Tx) error { return tx.SetBroadcastPhoto(bc.ID, path) })
	}
	if _, seen := b.photoFailed[bc.ID]; !seen {
		b.photoFailed[bc.ID] = b.cfg.Now()
	}
	b.log.Warn("download broadcast photo; will retry", "broadcast", bc.ID, "err", err)
	if b.cfg.Now().Sub(b.photoFailed[bc.ID]) > photoGiveUp {
		b.log.Error("broadcast photo cannot be downloaded; other channels get the text alone", "broadcast", bc.ID)
		return nil, nil
	}
	return []string{bc.PhotoChannel}, nil
}

// maxPhoto is the largest broadcast photo downloaded.
const maxPhoto = 20 << 20

func (b *Broadcaster) downloadPhoto(ctx context.Context, bc store.Broadcast) (string, error) {
	f := b.cfg.Fetchers[bc.PhotoChannel]
	if f == nil {
		return "", fmt.Errorf("no downloader for channel %s", bc.PhotoChannel)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	body, err := f.Fetch(ctx, bc.PhotoRef)
	if err != nil {
		return "", err
	}
	defer body.Close()
	dir := filepath.Join(b.cfg.DataDir, "broadcasts")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create broadcasts folder: %w", err)
	}
	path := filepath.Join(dir, strconv.FormatInt(bc.ID, 10)+".jpg")
	tmp, err := os.CreateTemp(dir, ".download-*")
	if err != nil {
		return "", fmt.Errorf("create photo file: %w", err)
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, io.LimitReader(body, maxPhoto+1))
	if err == nil && n > maxPhoto {
		err = fmt.Errorf("photo is over %d bytes", maxPhoto)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return "", fmt.Errorf("save photo: %w", err)
	}
	return path, nil
}

// report keeps the staff member informed. Where the channel can edit, one
// progress message is sent and then edited (at most every ProgressEvery,
// at once when the state changes, and only once the previous version was
// delivered); elsewhere a short note goes at each quarter. At the end a
// summary goes as a new message, so it is noticed.
func (b *Broadcaster) report(tx *store.Tx, bc store.Broadcast, p store.BroadcastProgress, now time.Time) error {
	final := bc.State == store.BroadcastDone || bc.State == store.BroadcastCancelled
	if bc.StatusAddress == "" || bc.CreatedBy == 0 {
		if final {
			return tx.SetBroadcastStatus(bc.ID, bc.StatusOutboxID, bc.StatusText, store.StatusFinal, now)
		}
		return nil // nobody to tell
	}
	maker, err := tx.User(bc.CreatedBy)
	if err != nil {
		return err
	}
	contact := store.Contact{Channel: bc.StatusChannel, Address: bc.StatusAddress}
	outboxID, step := bc.StatusOutboxID, bc.StatusStep
	text := bc.StatusText
	if b.cfg.Editable[bc.StatusChannel] {
		status := outboundOf(broadcast.Status(tx, maker.Lang, bc, p))
		changedState := b.shown[bc.ID] != bc.State
		due := changedState || now.Sub(bc.StatusAt) >= b.cfg.ProgressEvery
		if status.Text != bc.StatusText && due {
			id, sent, err := b.showStatus(tx, contact, bc.StatusOutboxID, status, now)
			if err != nil {
				return err
			}
			if sent {
				outboxID, text = id, status.Text
				b.shown[bc.ID] = bc.State
			} else if final {
				return nil // the last version is not out yet: finish next time
			}
		}
	} else if p.Total > 0 && !final {
		quarter := 4 * (p.Sent + p.Failed) / p.Total
		if quarter > step && quarter < 4 {
			step = quarter
			if err := Enqueue(tx, contact, store.PriorityAlert,
				outboundOf(broadcast.Milestone(maker.Lang, bc, p, 25*quarter)), now); err != nil {
				return err
			}
		}
	}
	if final {
		step = store.StatusFinal
		delete(b.shown, bc.ID)
		if err := Enqueue(tx, contact, store.PriorityAlert, outboundOf(broadcast.Summary(maker.Lang, bc, p)), now); err != nil {
			return err
		}
	}
	if outboxID == bc.StatusOutboxID && text == bc.StatusText && step == bc.StatusStep {
		return nil
	}
	return tx.SetBroadcastStatus(bc.ID, outboxID, text, step, now)
}

// showStatus queues the progress message: an edit of the last version once
// that was delivered, or a new message when there is none or the last one
// could not be delivered or edited. sent is false when the last version is
// still on its way: nothing is queued then.
func (b *Broadcaster) showStatus(tx *store.Tx, c store.Contact, lastID int64, m Outbound, now time.Time) (int64, bool, error) {
	if lastID != 0 {
		state, ref, err := tx.OutboxState(lastID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return 0, false, err
		}
		switch {
		case state == "pending":
			return 0, false, nil
		case state == "sent" && ref != "":
			m.Edit = ref
		}
	}
	payload, err := json.Marshal(m)
	if err != nil {
		return 0, false, fmt.Errorf("encode progress message: %w", err)
	}
	id, err := tx.EnqueueID(store.OutboxMessage{Channel: c.Channel, Address: c.Address,
		Priority: store.PriorityReply, Payload: payload}, now)
	return id, err == nil, err
}
