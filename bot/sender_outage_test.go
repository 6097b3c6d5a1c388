package bot

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"klabot/store"
)

type offlineChannel struct{}

func (offlineChannel) Name() string { return "test" }
func (offlineChannel) Send(context.Context, string, Outbound) error {
	return &SendError{Temporary: true, Err: errors.New("dial tcp: connect: network is unreachable")}
}

// The office's internet may be down for hours: a message is tried again,
// further and further apart, for at least a day (as long as Telegram keeps
// what people sent meanwhile) before it is given up.
func TestSenderWaitsOutADayOffline(t *testing.T) {
	now := time.Date(2026, 11, 20, 18, 0, 0, 0, time.UTC)
	s := NewSender(nil, offlineChannel{}, Limits{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.now = func() time.Time { return now }
	err := offlineChannel{}.Send(context.Background(), "1", Outbound{})
	var offline time.Duration
	for attempts := 0; offline < 24*time.Hour; attempts++ {
		d := s.delivery(result{msg: store.OutboxMessage{ID: 1, Address: "1", Attempts: attempts}, err: err})
		if d.Failed {
			t.Fatalf("given up after %d attempts, %s offline", attempts+1, offline.Round(time.Minute))
		}
		offline += d.RetryAt.Sub(now)
	}
}
