package telegram_test

import (
	"context"
	"testing"
	"time"

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
