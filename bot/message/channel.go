package message

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Channel is a platform adapter's sending side.
type Channel interface {
	// Name is the channel's id as stored with contacts and outbox rows.
	Name() string
	// Send delivers one message to an address. Errors should be a
	// *SendError so the sender knows whether to retry.
	Send(ctx context.Context, address string, m Outbound) error
}

// Attached is a channel that reaches only some of its addresses from this
// process: a terminal prints for the one person typing in it. The sender
// leaves other addresses' messages for the process that reaches them.
type Attached interface {
	Channel
	Attached(address string) bool
}

// Editor is a channel that can change a message after sending it: SendID
// is Send that also returns the platform's id of the message sent (the
// last one, when a long text went as several), and an Outbound with Edit
// set to such an id replaces that message's text and keys. The sender
// records the id with the delivery.
type Editor interface {
	Channel
	SendID(ctx context.Context, address string, m Outbound) (id string, err error)
}

// SendError classifies a failed send.
type SendError struct {
	// RetryAfter > 0: the platform asked us to slow down (HTTP 429).
	RetryAfter time.Duration
	// Blocked: the person blocked the bot or cannot be reached any more.
	Blocked bool
	// Temporary: a network fault or server error; try again later.
	Temporary bool
	Err       error
}

func (e *SendError) Error() string {
	switch {
	case e.RetryAfter > 0:
		return fmt.Sprintf("rate limited for %s: %v", e.RetryAfter, e.Err)
	case e.Blocked:
		return fmt.Sprintf("recipient unreachable: %v", e.Err)
	case e.Temporary:
		return fmt.Sprintf("temporary failure: %v", e.Err)
	}
	return fmt.Sprintf("permanent failure: %v", e.Err)
}

func (e *SendError) Unwrap() error { return e.Err }

// Fetcher is implemented by channels that can download a file a person
// sent them, by the reference the channel gave it (Telegram's file_id).
type Fetcher interface {
	Fetch(ctx context.Context, ref string) (io.ReadCloser, error)
}

// FetchError marks a download that can never succeed (the file is gone or
// too big); any other error is tried again later.
type FetchError struct {
	Permanent bool
	Err       error
}

func (e *FetchError) Error() string { return e.Err.Error() }

func (e *FetchError) Unwrap() error { return e.Err }
