package telegram_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"klabot/bot"
	"klabot/bot/message"
	"klabot/bot/telegram"
	"klabot/bot/telegram/fakeapi"
	"klabot/flows"
	"klabot/flows/all"
	"klabot/store"
)

const token = "4242:SECRET-token"

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func connect(t testing.TB, srv *fakeapi.Server) *telegram.Telegram {
	t.Helper()
	tg, err := telegram.Connect(context.Background(), telegram.Config{
		Token: srv.Token(), Endpoint: srv.Endpoint(), PollTimeout: time.Second,
	}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// receiver takes updates and, unless commit is set, never commits them,
// like a process that crashes between fetching and committing.
type receiver struct {
	commit bool
	mu     sync.Mutex
	got    []message.Inbound
	// arrived is closed (and replaced) when an update is submitted.
	arrived chan struct{}
}

func (s *receiver) Submit(ctx context.Context, in message.Inbound) <-chan error {
	s.mu.Lock()
	s.got = append(s.got, in)
	if s.arrived != nil {
		close(s.arrived)
		s.arrived = nil
	}
	s.mu.Unlock()
	done := make(chan error, 1)
	if s.commit {
		done <- nil
		return done
	}
	go func() { <-ctx.Done(); done <- ctx.Err() }()
	return done
}

// waitCount waits until n updates were submitted, failing after a deadline.
func (s *receiver) waitCount(t testing.TB, n int) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got := len(s.got)
		if s.arrived == nil {
			s.arrived = make(chan struct{})
		}
		arrived := s.arrived
		s.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-arrived:
		case <-deadline.C:
			t.Fatalf("received %d updates, waited for %d", got, n)
		}
	}
}

func TestCrashBetweenFetchAndCommitLosesNothing(t *testing.T) {
	srv := fakeapi.New(token)
	defer srv.Close()
	tg := connect(t, srv)
	u := fakeapi.User{ID: 77, FirstName: "Rina"}
	srv.SendText(u.ID, u, "/start")

	ctx, crash := context.WithCancel(context.Background())
	r := &receiver{}
	polled := make(chan struct{})
	go func() { tg.Poll(ctx, r); close(polled) }()
	r.waitCount(t, 1)
	crash()
	<-polled
	if srv.PendingUpdates() != 1 {
		t.Fatalf("the update was confirmed before it was committed (pending %d)", srv.PendingUpdates())
	}

	// After the restart the same update arrives again and is handled.
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sender := bot.NewSender(db, tg, bot.Limits{}, quiet)
	d := bot.NewDispatcher(db, all.NewEngine(flows.Config{}), bot.Config{}, sender.Offer, quiet)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go d.Run(ctx)
	go sender.Run(ctx)
	go tg.Poll(ctx, d)
	wait, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sent, err := srv.WaitSentTo(wait, u.ID, 1)
	if err != nil || !strings.Contains(sent[0].Text, "selamat datang") {
		t.Fatalf("after restart: %v %v", sent, err)
	}
	for srv.PendingUpdates() != 0 {
		if wait.Err() != nil {
			t.Fatal("update never confirmed after commit")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSendErrorsAreClassified(t *testing.T) {
	srv := fakeapi.New(token)
	defer srv.Close()
	tg := connect(t, srv)
	ctx := context.Background()
	msg := message.Outbound{Text: "halo"}

	srv.FailNext("sendMessage", 0, 429, "", 7)
	var se *message.SendError
	if err := tg.Send(ctx, "1", msg); !errors.As(err, &se) || se.RetryAfter != 7*time.Second {
		t.Errorf("429: %v, want RetryAfter 7s", err)
	}
	srv.FailNext("sendMessage", 0, 403, "Forbidden: bot was blocked by the user", 0)
	if err := tg.Send(ctx, "1", msg); !errors.As(err, &se) || !se.Blocked {
		t.Errorf("403: %v, want Blocked", err)
	}
	srv.FailNext("sendMessage", 0, 400, "Bad Request: chat not found", 0)
	if err := tg.Send(ctx, "1", msg); !errors.As(err, &se) || !se.Blocked {
		t.Errorf("chat not found: %v, want Blocked", err)
	}
	srv.FailNext("sendMessage", 0, 500, "", 0)
	if err := tg.Send(ctx, "1", msg); !errors.As(err, &se) || !se.Temporary {
		t.Errorf("500: %v, want Temporary", err)
	}
	srv.FailNext("sendMessage", 0, 400, "Bad Request: message text is empty", 0)
	if err := tg.Send(ctx, "1", msg); !errors.As(err, &se) || se.Temporary || se.Blocked || se.RetryAfter > 0 {
		t.Errorf("400: %v, want permanent", err)
	}
	srv.SetDown(true)
	err := tg.Send(ctx, "1", msg)
	if !errors.As(err, &se) || !se.Temporary {
		t.Errorf("outage: %v, want Temporary", err)
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("error text leaks the token: %v", err)
	}
	srv.SetDown(false)
	// A long text is split at Telegram's limit; keys go on the last part.
	long := message.Outbound{Text: strings.Repeat("a", 5000), Buttons: []message.Button{{Label: "OK", Data: "ok|1"}}}
	if err := tg.Send(ctx, "2", long); err != nil {
		t.Fatal(err)
	}
	parts := srv.SentTo(2)
	if len(parts) != 2 || parts[0].ReplyMarkup != nil || parts[1].ReplyMarkup == nil {
		t.Errorf("long text sent as %d parts", len(parts))
	}
}

func TestBadTokenFailsAtOnce(t *testing.T) {
	srv := fakeapi.New(token)
	defer srv.Close()
	_, err := telegram.Connect(context.Background(), telegram.Config{Token: "1:wrong", Endpoint: srv.Endpoint()}, quiet)
	if err == nil || !strings.Contains(err.Error(), "KLABOT_TELEGRAM_TOKEN") {
		t.Errorf("bad token: %v", err)
	}
}

func TestConnectWaitsForTheServer(t *testing.T) {
	srv := fakeapi.New(token)
	defer srv.Close()
	srv.SetDown(true)
	go func() { time.Sleep(1500 * time.Millisecond); srv.SetDown(false) }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := telegram.Connect(ctx, telegram.Config{Token: srv.Token(), Endpoint: srv.Endpoint()}, quiet); err != nil {
		t.Errorf("connect during an outage: %v", err)
	}
}

// A 429 at start-up or while polling is waited out as Telegram asks, not
// retried sooner.
func TestConnectAndPollWaitOutRetryAfter(t *testing.T) {
	srv := fakeapi.New(token)
	defer srv.Close()
	srv.FailNext("getMe", 0, 429, "", 2)
	began := time.Now()
	tg := connect(t, srv)
	if waited := time.Since(began); waited < 2*time.Second || srv.Requests("getMe") != 2 {
		t.Errorf("connected after %s and %d getMe calls; want one retry after 2 s", waited, srv.Requests("getMe"))
	}

	srv.FailNext("getUpdates", 0, 429, "", 2)
	srv.SendText(78, fakeapi.User{ID: 78, FirstName: "Sari"}, "halo")
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	r := &receiver{}
	began = time.Now()
	go tg.Poll(ctx, r)
	r.waitCount(t, 1)
	if waited := time.Since(began); waited < 2*time.Second || srv.Requests("getUpdates") != 2 {
		t.Errorf("update received after %s and %d polls; want one retry after 2 s", waited, srv.Requests("getUpdates"))
	}
}

// The client library leaves the error code out of upload answers, so an
// upload's failure is read from Telegram's description: a server error is
// tried again, a blocked person is marked unreachable.
func TestUploadErrorsAreClassified(t *testing.T) {
	srv := fakeapi.New(token)
	defer srv.Close()
	tg := connect(t, srv)
	path := filepath.Join(t.TempDir(), "rekap.png")
	if err := os.WriteFile(path, []byte("png"), 0o600); err != nil {
		t.Fatal(err)
	}
	msg := message.Outbound{Text: "Rekap KLA", Attachment: &message.Attachment{Kind: "photo", Path: path}}
	var se *message.SendError
	for _, c := range []struct {
		code int
		want func(*message.SendError) bool
	}{
		{500, func(se *message.SendError) bool { return se.Temporary }},
		{502, func(se *message.SendError) bool { return se.Temporary }},
		{403, func(se *message.SendError) bool { return se.Blocked }},
		{429, func(se *message.SendError) bool { return se.RetryAfter > 0 }},
		{400, func(se *message.SendError) bool { return !se.Temporary && !se.Blocked && se.RetryAfter == 0 }},
	} {
		srv.FailNext("sendPhoto", 0, c.code, "", 0)
		if err := tg.Send(context.Background(), "1", msg); !errors.As(err, &se) || !c.want(se) {
			t.Errorf("upload answered %d: %v", c.code, err)
		}
	}
}
