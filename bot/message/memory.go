package message

import (
	"context"
	"time"
)

type outboxKey struct{}

// WithOutboxID tells a channel which outbox row it is sending, so a
// channel that can make a retry idempotent (WhatsApp: the same message id
// every try) knows what the earlier tries were.
func WithOutboxID(ctx context.Context, id int64) context.Context {
	return context.WithValue(ctx, outboxKey{}, id)
}

// OutboxID is the outbox row a Send call delivers; false when the call
// does not come from the sender.
func OutboxID(ctx context.Context) (int64, bool) {
	id, ok := ctx.Value(outboxKey{}).(int64)
	return id, ok
}

// Part is one platform message an outbox row goes out as.
type Part struct {
	N       int
	ID      string // the platform's message id, chosen before the first try
	Message []byte // the encoded message, ready to send again
	Sent    bool
}

// Memory is what a channel keeps in klabot's database across restarts:
// the parts of its outbox rows, a few values of its own, and notices it
// queues itself (WhatsApp: the answer to a call).
type Memory interface {
	Parts(ctx context.Context, outboxID int64) ([]Part, error)
	// SaveParts stores an outbox row's parts before their first try;
	// parts stored already are kept.
	SaveParts(ctx context.Context, outboxID int64, parts []Part) error
	PartSent(ctx context.Context, outboxID int64, n int, at time.Time) error
	// Message is the stored message with a platform id, or nil.
	Message(ctx context.Context, id string) ([]byte, error)
	// State reads a value ("" if none); SetState keeps one (onlyNew:
	// an existing one stays).
	State(ctx context.Context, key string) (string, error)
	SetState(ctx context.Context, key, value string, onlyNew bool) error
	// Notify queues a notice to an address through the outbox, as an
	// alert: paced and counted like one.
	Notify(ctx context.Context, address string, m Outbound, now time.Time) error
}

// BulkAdvisor is a channel that knows, beyond the configured pacing, how
// fast bulk messages may go now: the platform may have asked it to hold
// back from new people, the number may be newly linked or lately banned.
type BulkAdvisor interface {
	BulkAdvice(now time.Time) BulkAdvice
}

// BulkAdvice is what a BulkAdvisor says.
type BulkAdvice struct {
	HoldUntil time.Time // no reminder or broadcast before then
	Cap       int       // a lower daily cap than configured (0: as configured)
	Slower    int       // pauses this many times longer (0 or 1: as configured)
}
