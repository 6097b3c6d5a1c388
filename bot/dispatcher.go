package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"klabot/flows"
	"klabot/flows/ops"
	"klabot/flows/words"
	"klabot/locales"
	"klabot/store"
)

// Config holds the runtime's settings.
type Config struct {
	// Staff are the contacts with staff rights, as "channel:address".
	Staff map[string]bool
	// Lang is the language of new people.
	Lang string
	// Now is the clock; tests fix it.
	Now func() time.Time
	// Flood control per person: more than FloodLimit messages within
	// FloodWindow earn one warning, then FloodPause of silence.
	FloodLimit  int
	FloodWindow time.Duration
	FloodPause  time.Duration
}

func (c *Config) defaults() {
	if c.Lang == "" {
		c.Lang = locales.Default
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.FloodLimit == 0 {
		c.FloodLimit = 20
	}
	if c.FloodWindow == 0 {
		c.FloodWindow = 10 * time.Second
	}
	if c.FloodPause == 0 {
		c.FloodPause = time.Minute
	}
}

// maxBatch bounds how many messages share one transaction (group commit).
const maxBatch = 256

// Dispatcher processes inbound messages. One loop owns the database writer:
// it takes every message waiting, handles each in a savepoint of a single
// transaction and commits once, so many chats share one disk sync. Messages
// are handled in the order they were submitted, which keeps each chat's
// order as long as its adapter submits them in order.
type Dispatcher struct {
	db     *store.DB
	engine *flows.Engine
	cfg    Config
	jobs   chan job
	log    *slog.Logger
	// onCommit hands the senders what a commit queued (Sender.Offer).
	onCommit func(store.Queued)

	// Owned by the Run loop alone.
	flood          map[string]*floodState
	groupsAnswered map[string]time.Time
}

type job struct {
	in   Inbound
	done chan error
}

// NewDispatcher makes a dispatcher; onCommit is called after each commit
// that queued messages, with what it queued.
func NewDispatcher(db *store.DB, engine *flows.Engine, cfg Config, onCommit func(store.Queued), log *slog.Logger) *Dispatcher {
	cfg.defaults()
	if onCommit == nil {
		onCommit = func(store.Queued) {}
	}
	return &Dispatcher{
		db: db, engine: engine, cfg: cfg, log: log, onCommit: onCommit,
		jobs:           make(chan job, maxBatch),
		flood:          map[string]*floodState{},
		groupsAnswered: map[string]time.Time{},
	}
}

// Submit queues a message; the returned channel yields nil once the message
// and its replies are committed, or the error that kept it from being so.
func (d *Dispatcher) Submit(ctx context.Context, in Inbound) <-chan error {
	done := make(chan error, 1)
	select {
	case d.jobs <- job{in: in, done: done}:
	case <-ctx.Done():
		done <- ctx.Err()
	}
	return done
}

// Handle submits a message and waits until it is committed.
func (d *Dispatcher) Handle(ctx context.Context, in Inbound) error {
	select {
	case err := <-d.Submit(ctx, in):
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run processes messages until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) error {
	for {
		var batch []job
		select {
		case <-ctx.Done():
			return nil
		case j := <-d.jobs:
			batch = append(batch, j)
		}
	collect:
		for len(batch) < maxBatch {
			select {
			case j := <-d.jobs:
				batch = append(batch, j)
			default:
				break collect
			}
		}
		d.commit(ctx, batch)
	}
}

// commit handles a batch in one transaction. A commit is never cut short by
// shutdown: it is quick, and half of one would be worse.
func (d *Dispatcher) commit(ctx context.Context, batch []job) {
	txCtx := context.WithoutCancel(ctx)
	queued, err := d.db.TxQueued(txCtx, func(tx *store.Tx) error {
		for _, j := range batch {
			if err := tx.Savepoint(func() error { return d.process(tx, j.in) }); err != nil {
				d.log.Error("handle message", "channel", j.in.Channel, "err", err)
				// Answer anyway, and record the id, so a message that
				// trips a bug is neither silent nor retried forever.
				if err := tx.Savepoint(func() error { return d.apologise(tx, j.in) }); err != nil {
					return fmt.Errorf("answer failed message: %w", err)
				}
			}
		}
		return nil
	})
	if err != nil {
		d.log.Error("commit messages", "count", len(batch), "err", err)
	}
	for _, j := range batch {
		j.done <- err
	}
	if queued.Any() {
		d.onCommit(queued)
	}
}

// process is one message's work inside the transaction.
func (d *Dispatcher) process(tx *store.Tx, in Inbound) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	now := d.cfg.Now()
	fresh, err := tx.FirstSeen(in.Channel, in.MessageID, now)
	if err != nil || !fresh {
		return err
	}
	contact := store.Contact{Channel: in.Channel, Address: in.ChatID}
	switch {
	case in.Blocked:
		return tx.MarkUnreachable(contact, now)
	case in.Unblocked:
		return tx.MarkReachable(contact)
	case in.Group:
		return d.declineGroup(tx, contact, now)
	}
	if warn, silent := d.flooded(contact.String(), now); silent {
		if warn {
			return Enqueue(tx, contact, store.PriorityReply, Outbound{Text: locales.T(d.cfg.Lang, "flood.warning")}, now)
		}
		return nil
	}

	user, isNew, err := tx.UserByContact(contact, d.cfg.Lang, now)
	if err != nil {
		return err
	}
	received, err := receivedOf(tx, contact)
	if err != nil {
		return err
	}
	msgs, err := d.engine.Run(tx, flows.Request{
		User: user, New: isNew, Staff: d.cfg.Staff[contact.String()], Input: flowInput(in.Input), Now: now, Channel: in.Channel,
		Received: received,
	})
	if err != nil {
		return err
	}
	for _, m := range msgs {
		out := outboundOf(m.Reply)
		switch {
		case m.ToStaff:
			err = NotifyStaff(tx, d.cfg.Staff, m.Priority, out, now)
		case m.UserID == 0 || m.UserID == user.ID:
			err = enqueueAt(tx, contact, m.Priority, out, now, m.NotBefore)
			// A message addressed to the person by id is one they would
			// receive from anyone (their own report's status, a question
			// about it): its choices count as a received message's.
			if err == nil && (m.Separate || m.UserID != 0) {
				err = rememberChoices(tx, contact, out)
			}
		default:
			err = notifyAt(tx, m.UserID, m.Priority, out, now, m.NotBefore)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// NotifyStaff queues a message to every staff contact of the configuration
// ("telegram:123"), whether or not they have written to the bot yet.
func NotifyStaff(tx *store.Tx, staff map[string]bool, priority int, m Outbound, now time.Time) error {
	for _, key := range sortedKeys(staff) {
		channel, address, ok := strings.Cut(key, ":")
		if !ok {
			continue
		}
		c := store.Contact{Channel: channel, Address: address}
		if err := Enqueue(tx, c, priority, m, now); err != nil {
			return err
		}
		if err := rememberChoices(tx, c, m); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// apologise records a message that could not be handled and tells the
// person so, in the default language (their record may be what failed).
func (d *Dispatcher) apologise(tx *store.Tx, in Inbound) error {
	now := d.cfg.Now()
	if _, err := tx.FirstSeen(in.Channel, in.MessageID, now); err != nil {
		return err
	}
	if in.Blocked || in.Unblocked {
		return nil
	}
	return Enqueue(tx, store.Contact{Channel: in.Channel, Address: in.ChatID}, store.PriorityReply,
		Outbound{Text: locales.T(d.cfg.Lang, "error.try_again")}, now)
}

// declineGroup answers a group chat at most once an hour: reports must stay
// private, and a busy group must not be flooded with the same answer.
func (d *Dispatcher) declineGroup(tx *store.Tx, c store.Contact, now time.Time) error {
	if last, ok := d.groupsAnswered[c.String()]; ok && now.Sub(last) < time.Hour {
		return nil
	}
	d.groupsAnswered[c.String()] = now
	return Enqueue(tx, c, store.PriorityReply, Outbound{Text: locales.T(d.cfg.Lang, "group.private_only")}, now)
}

// Notify queues a message for a person on the contact they used last.
func Notify(tx *store.Tx, userID int64, priority int, m Outbound, now time.Time) error {
	return notifyAt(tx, userID, priority, m, now, time.Time{})
}

// notifyAt is Notify holding the message until notBefore, if set.
func notifyAt(tx *store.Tx, userID int64, priority int, m Outbound, now, notBefore time.Time) error {
	contacts, err := tx.ContactsOf(userID)
	if err != nil {
		return err
	}
	if len(contacts) == 0 {
		return nil // unreachable everywhere: nothing can be delivered
	}
	// A child is "kamu" in what klabot sends on its own too (a status
	// update, a question from staff, a reminder), as in the chat.
	u, err := tx.User(userID)
	if err != nil {
		return err
	}
	if child, err := ops.IsChild(tx, u); err != nil {
		return err
	} else if child {
		m.Text = words.ChildForm(m.Text)
	}
	if err := enqueueAt(tx, contacts[0], priority, m, now, notBefore); err != nil {
		return err
	}
	return rememberChoices(tx, contacts[0], m)
}

// Enqueue queues a message to a contact, in parts if it is too long for
// one. A message whose file is still to be made waits for it as a file
// job instead: the file is made after this transaction is committed.
func Enqueue(tx *store.Tx, c store.Contact, priority int, m Outbound, now time.Time) error {
	return enqueueAt(tx, c, priority, m, now, time.Time{})
}

// enqueueAt is Enqueue holding the message until notBefore, if set.
func enqueueAt(tx *store.Tx, c store.Contact, priority int, m Outbound, now, notBefore time.Time) error {
	if m.Attachment != nil && m.Attachment.File != nil {
		payload, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf("encode message: %w", err)
		}
		return tx.AddFileJob(store.FileJob{Channel: c.Channel, Address: c.Address, Priority: priority, Payload: payload}, now)
	}
	for _, part := range parts(m) {
		payload, err := json.Marshal(part)
		if err != nil {
			return fmt.Errorf("encode message: %w", err)
		}
		if err := tx.Enqueue(store.OutboxMessage{Channel: c.Channel, Address: c.Address, Priority: priority, Payload: payload,
			NotBefore: notBefore, Subject: m.Subject}, now); err != nil {
			return err
		}
	}
	return nil
}
