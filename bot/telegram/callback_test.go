package telegram_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"klabot/bot/telegram"
	"klabot/bot/telegram/fakeapi"
)

// Presses in one batch are acknowledged side by side: one after another,
// each round trip to Telegram would hold up the next poll for everyone.
func TestButtonPressesAcknowledgedTogether(t *testing.T) {
	srv := fakeapi.New(token)
	defer srv.Close()
	const presses = 4
	// In front of the fake server, each acknowledgement is held until all
	// are in flight (or a while has passed): only answers sent together
	// can all be in flight at once.
	var mu sync.Mutex
	inFlight, peak := 0, 0
	all := make(chan struct{})
	target, _ := url.Parse(srv.URL())
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/answerCallbackQuery") {
			mu.Lock()
			inFlight++
			peak = max(peak, inFlight)
			if inFlight == presses {
				close(all)
			}
			mu.Unlock()
			select {
			case <-all:
			case <-time.After(2 * time.Second):
			}
			defer func() { mu.Lock(); inFlight--; mu.Unlock() }()
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()

	tg, err := telegram.Connect(context.Background(), telegram.Config{
		Token: srv.Token(), Endpoint: front.URL + "/bot%s/%s", PollTimeout: time.Second,
	}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	for i := range int64(presses) {
		u := fakeapi.User{ID: 300 + i, FirstName: "Rina"}
		srv.SendText(u.ID, u, "halo") // the chat exists
		srv.PressButton(u.ID, u, 1, "menu|1")
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go tg.Poll(ctx, &receiver{commit: true})
	deadline := time.Now().Add(10 * time.Second)
	for len(srv.CallbackAnswers()) < presses {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d presses acknowledged", len(srv.CallbackAnswers()), presses)
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if peak != presses {
		t.Errorf("at most %d acknowledgements in flight at once, want %d", peak, presses)
	}
}
