package telegram_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"klabot/bot/telegram"
	"klabot/bot/telegram/fakeapi"
)

func (s *receiver) texts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, in := range s.got {
		out = append(out, in.Input.Text)
	}
	return out
}

// An update the client library cannot read (a field whose type Telegram
// changed, say) is passed over: it must not hold up every message after it.
func TestUnreadableUpdateDoesNotStopPolling(t *testing.T) {
	srv := fakeapi.New(token)
	defer srv.Close()
	tg := connect(t, srv)
	defer tg.Close()
	u := fakeapi.User{ID: 79, FirstName: "Dedi"}
	srv.AddUpdate(map[string]any{"message": map[string]any{
		"message_id": 1, "date": "kemarin", // a string where the library wants a number
		"chat": map[string]any{"id": 79, "type": "private"}, "text": "halo",
	}})
	srv.SendText(u.ID, u, "menu")

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	r := &receiver{commit: true}
	go tg.Poll(ctx, r)
	deadline := time.Now().Add(5 * time.Second)
	for len(r.texts()) == 0 || srv.PendingUpdates() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("received %q, %d updates still pending", r.texts(), srv.PendingUpdates())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := r.texts(); len(got) != 1 || got[0] != "menu" {
		t.Errorf("received %q, want the readable message", got)
	}
}

// A token revoked while klabot runs says so in the log, plainly and
// without the token, instead of a bare "get updates failed".
func TestRevokedTokenSaidInTheLog(t *testing.T) {
	srv := fakeapi.New(token)
	defer srv.Close()
	var logs syncLog
	tg, err := telegram.Connect(context.Background(), telegram.Config{
		Token: srv.Token(), Endpoint: srv.Endpoint(), PollTimeout: time.Second,
	}, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	srv.FailNext("getUpdates", 0, 401, "Unauthorized", 0)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go tg.Poll(ctx, &receiver{commit: true})
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "rejected the token") {
		if time.Now().After(deadline) {
			t.Fatalf("no word of the rejected token in the log:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	if strings.Contains(logs.String(), token) {
		t.Error("the token appears in the log")
	}
}

// syncLog is a log buffer safe to read while klabot writes to it.
type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Write(p) }
func (l *syncLog) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }
