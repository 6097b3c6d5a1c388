package bot_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"klabot/bot"
	"klabot/bot/message"
	"klabot/flows"
	"klabot/flows/all"
	"klabot/store"
)

// recorder is a Channel that records what it is asked to send and fails
// the way it is told to.
type recorder struct {
	mu    sync.Mutex
	sent  []sent
	fail  map[string][]error // per address, consumed in order
	calls map[string]int     // attempts per address, failed ones too
	cond  *sync.Cond
}

type sent struct {
	address string
	msg     bot.Outbound
	at      time.Time
}

func newRecorder() *recorder {
	r := &recorder{fail: map[string][]error{}, calls: map[string]int{}}
	r.cond = sync.NewCond(&r.mu)
	return r
}

func (r *recorder) Name() string { return "test" }

func (r *recorder) Send(ctx context.Context, address string, m bot.Outbound) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls[address]++
	if errs := r.fail[address]; len(errs) > 0 {
		r.fail[address] = errs[1:]
		if errs[0] != nil {
			return errs[0]
		}
	}
	r.sent = append(r.sent, sent{address, m, time.Now()})
	r.cond.Broadcast()
	return nil
}

// waitFor waits until at least n messages were delivered, failing after a
// deadline, and returns all delivered so far.
func (r *recorder) waitFor(t *testing.T, n int) []sent {
	t.Helper()
	expired := false
	deadline := time.AfterFunc(10*time.Second, func() {
		r.mu.Lock()
		expired = true
		r.cond.Broadcast()
		r.mu.Unlock()
	})
	defer deadline.Stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.sent) < n {
		if expired {
			t.Fatalf("waited for %d messages, got %d", n, len(r.sent))
		}
		r.cond.Wait()
	}
	return append([]sent(nil), r.sent...)
}

// settled waits until the outbox holds nothing pending (every message
// queued so far was delivered or given up, and that was recorded) and
// returns what was delivered. Messages a handled turn queued are committed
// when Handle returns, so this sees all of them: nothing later can turn up.
func (h *harness) settled(t *testing.T) []sent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		pending, _, _, err := h.db.OutboxCounts(ctx, "test")
		if err != nil {
			t.Fatalf("outbox still pending after the deadline: %v", err)
		}
		if pending == 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	return append([]sent(nil), h.rec.sent...)
}

type harness struct {
	db   *store.DB
	d    *bot.Dispatcher
	rec  *recorder
	stop func()
}

func start(t *testing.T, cfg bot.Config, limits bot.Limits) *harness {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := newRecorder()
	sender := bot.NewSender(db, rec, limits, log)
	d := bot.NewDispatcher(db, all.NewEngine(flows.Config{}), cfg, sender.Offer, log)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); d.Run(ctx) }()
	go func() { defer wg.Done(); sender.Run(ctx) }()
	h := &harness{db: db, d: d, rec: rec}
	h.stop = func() { cancel(); wg.Wait(); db.Close() }
	t.Cleanup(h.stop)
	return h
}

var seq int

func text(chat, s string) bot.Inbound {
	seq++
	return bot.Inbound{Channel: "test", ChatID: chat, MessageID: fmt.Sprint(seq), Input: message.Input{Kind: message.KindText, Text: s}}
}

func fast() bot.Limits {
	return bot.Limits{PerSecond: 1000, PerChatPerSecond: 1000, PerChatBurst: 100}
}

func TestDuplicateMessageProcessedOnce(t *testing.T) {
	h := start(t, bot.Config{}, fast())
	in := text("1", "halo")
	for i := 0; i < 3; i++ {
		if err := h.d.Handle(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(h.settled(t)); got != 1 {
		t.Errorf("%d replies to one message delivered three times, want 1", got)
	}
}

func TestEachChatKeepsItsOrder(t *testing.T) {
	h := start(t, bot.Config{}, fast())
	ctx := context.Background()
	var waits []<-chan error
	for i := 0; i < 20; i++ {
		for _, chat := range []string{"a", "b", "c"} {
			msg := "1"
			if i == 0 {
				msg = "halo"
			}
			waits = append(waits, h.d.Submit(ctx, text(chat, msg)))
		}
	}
	for _, w := range waits {
		if err := <-w; err != nil {
			t.Fatal(err)
		}
	}
	all := h.rec.waitFor(t, 60)
	// Each chat's replies arrive in the order their turns were taken: the
	// welcome, the role question, the menu.
	for _, chat := range []string{"a", "b", "c"} {
		var mine []string
		for _, s := range all {
			if s.address == chat {
				mine = append(mine, s.msg.Text)
			}
		}
		if len(mine) != 20 || !strings.Contains(mine[0], "selamat datang") || !strings.Contains(mine[1], "Anda siapa") ||
			!strings.Contains(mine[2], "Menu utama") {
			t.Errorf("chat %s got %d replies, first %q", chat, len(mine), mine[0])
		}
	}
}

func TestFloodGetsOneWarningThenSilence(t *testing.T) {
	now := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	h := start(t, bot.Config{Now: clock}, fast())
	ctx := context.Background()
	for i := 0; i < 30; i++ {
		h.d.Handle(ctx, text("flooder", "halo"))
	}
	h.d.Handle(ctx, text("calm", "halo"))
	got := h.settled(t)
	warnings, flooder := 0, 0
	for _, s := range got {
		if s.address == "flooder" {
			flooder++
			if strings.Contains(s.msg.Text, "1 menit") {
				warnings++
			}
		}
	}
	if flooder != 21 || warnings != 1 {
		t.Errorf("flooder got %d messages with %d warnings; want 20 answers and 1 warning", flooder, warnings)
	}
	if len(got) != 22 {
		t.Errorf("someone else was slowed by the flood: %d messages in all, want 22", len(got))
	}
	// Still silence 50 seconds on; after the minute the person is answered again.
	now = now.Add(50 * time.Second)
	h.d.Handle(ctx, text("flooder", "menu"))
	if got := h.settled(t); len(got) != 22 {
		t.Errorf("answered %d messages 50 seconds after the warning, want silence for a minute", len(got)-22)
	}
	now = now.Add(20 * time.Second)
	h.d.Handle(ctx, text("flooder", "menu"))
	h.rec.waitFor(t, 23)
}

func TestGroupChatDeclinedOncePerHour(t *testing.T) {
	h := start(t, bot.Config{}, fast())
	for i := 0; i < 3; i++ {
		in := text("-100", "/start")
		in.Group = true
		h.d.Handle(context.Background(), in)
	}
	if got := h.settled(t); len(got) != 1 || !strings.Contains(got[0].msg.Text, "percakapan pribadi") {
		t.Errorf("group replies: %+v", got)
	}
}

func TestSenderRetriesAndMarksBlocked(t *testing.T) {
	h := start(t, bot.Config{}, fast())
	h.rec.mu.Lock()
	h.rec.fail["slow"] = []error{&bot.SendError{RetryAfter: 1 * time.Second, Err: errors.New("429")}}
	h.rec.fail["flaky"] = []error{&bot.SendError{Temporary: true, Err: errors.New("502")}}
	h.rec.fail["gone"] = []error{&bot.SendError{Blocked: true, Err: errors.New("403")}}
	h.rec.mu.Unlock()
	ctx := context.Background()
	began := time.Now()
	for _, chat := range []string{"slow", "flaky", "gone"} {
		h.d.Handle(ctx, text(chat, "halo"))
	}
	got := h.settled(t)
	if time.Since(began) < time.Second {
		t.Errorf("the 429 was not waited out")
	}
	addresses := map[string]bool{}
	for _, s := range got {
		addresses[s.address] = true
	}
	if !addresses["slow"] || !addresses["flaky"] || addresses["gone"] {
		t.Errorf("delivered to %v; want slow and flaky, not gone", addresses)
	}
	if un, _ := h.db.Unreachable(store.Contact{Channel: "test", Address: "gone"}); !un {
		t.Error("blocked recipient not marked unreachable")
	}
	// Nothing more is attempted for the blocked person's old message;
	// writing again makes them reachable again: one attempt for the reply.
	h.rec.mu.Lock()
	before := h.rec.calls["gone"]
	h.rec.mu.Unlock()
	h.d.Handle(ctx, text("gone", "1"))
	h.settled(t)
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	if before != 1 || h.rec.calls["gone"] != 2 {
		t.Errorf("attempts to the blocked person: %d, then %d after they wrote again; want 1, then 2", before, h.rec.calls["gone"])
	}
}

func TestPerChatRateLimit(t *testing.T) {
	h := start(t, bot.Config{}, bot.Limits{PerSecond: 1000, PerChatPerSecond: 5, PerChatBurst: 1})
	ctx := context.Background()
	for i := 0; i < 6; i++ {
		h.d.Handle(ctx, text("one", "x"))
	}
	got := h.rec.waitFor(t, 6)
	if span := got[5].at.Sub(got[0].at); span < 900*time.Millisecond {
		t.Errorf("6 messages to one chat at 5/s took %s, want about 1 s", span)
	}
}
