package bot

import "context"

type outboxKey struct{}

// withOutboxID tells the channel which outbox row it is sending, so a
// channel that can make a retry idempotent (WhatsApp: the same message id
// every try) knows what the earlier tries were.
func withOutboxID(ctx context.Context, id int64) context.Context {
	return context.WithValue(ctx, outboxKey{}, id)
}

// OutboxID is the outbox row a Send call delivers; false when the call
// does not come from the sender.
func OutboxID(ctx context.Context) (int64, bool) {
	id, ok := ctx.Value(outboxKey{}).(int64)
	return id, ok
}
