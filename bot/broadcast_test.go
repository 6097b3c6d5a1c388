package bot_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"klabot/bot"
	"klabot/store"
)

// editor is a Channel that can edit (bot.Editor), records every send and
// edit, and lets a test hold sends back: with a gate, each send waits for
// a token.
type editor struct {
	mu       sync.Mutex
	cond     *sync.Cond
	sent     []sent // messages and edits, in order
	edits    int
	attempts int
	nextID   int
	fail     map[string][]error
	gate     chan struct{} // nil: no waiting
}

func newEditor() *editor {
	e := &editor{fail: map[string][]error{}}
	e.cond = sync.NewCond(&e.mu)
	return e
}

func (e *editor) Name() string { return "test" }

func (e *editor) Send(ctx context.Context, address string, m bot.Outbound) error {
	_, err := e.SendID(ctx, address, m)
	return err
}

func (e *editor) SendID(ctx context.Context, address string, m bot.Outbound) (string, error) {
	if e.gate != nil {
		select {
		case <-e.gate:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.attempts++
	if errs := e.fail[address]; len(errs) > 0 {
		e.fail[address] = errs[1:]
		if errs[0] != nil {
			return "", errs[0]
		}
	}
	e.sent = append(e.sent, sent{address, m, time.Now()})
	e.cond.Broadcast()
	if m.Edit != "" {
		e.edits++
		return m.Edit, nil
	}
	e.nextID++
	return strconv.Itoa(e.nextID), nil
}

// waitUntil waits (up to 10 s) until cond holds on what was sent.
func (e *editor) waitUntil(t *testing.T, what string, cond func([]sent) bool) []sent {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	e.mu.Lock()
	defer e.mu.Unlock()
	for !cond(e.sent) {
		if time.Now().After(deadline) {
			for _, s := range e.sent {
				t.Logf("sent to %s: %q (edit %q)", s.address, s.msg.Text, s.msg.Edit)
			}
			t.Fatalf("waited in vain for %s", what)
		}
		e.mu.Unlock()
		time.Sleep(2 * time.Millisecond)
		e.mu.Lock()
	}
	return append([]sent(nil), e.sent...)
}

// to counts the messages (not edits) to each address whose text contains s.
func to(all []sent, s string) map[string]int {
	n := map[string]int{}
	for _, m := range all {
		if m.msg.Edit == "" && strings.Contains(m.msg.Text, s) {
			n[m.address]++
		}
	}
	return n
}

type bcFixture struct {
	db     *store.DB
	ch     *editor
	staff  int64
	clock  func() time.Time
	bc     *bot.Broadcaster
	sender *bot.Sender
}

// newBroadcastFixture makes n people on the test channel ("p1"...) who
// agreed to the data notice, and a staff member ("staff").
func newBroadcastFixture(t *testing.T, n int, clock func() time.Time) *bcFixture {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &bcFixture{db: db, ch: newEditor(), clock: clock}
	err = db.Tx(context.Background(), func(tx *store.Tx) error {
		for i := 0; i <= n; i++ {
			address := "p" + strconv.Itoa(i)
			if i == 0 {
				address = "staff"
			}
			u, _, err := tx.UserByContact(store.Contact{Channel: "test", Address: address}, "id", clock())
			if err != nil {
				return err
			}
			u.ConsentAt, u.Role = clock(), "warga"
			if i == 0 {
				u.Role, f.staff = "staf", u.ID
			}
			if err := tx.SaveUser(u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.sender = bot.NewSender(db, f.ch, bot.Limits{PerSecond: 1000, PerChatPerSecond: 1000, PerChatBurst: 100, Concurrency: 1}, quiet)
	f.bc = bot.NewBroadcaster(db, bot.BroadcastConfig{Editable: map[string]bool{"test": true}, Now: clock,
		ProgressEvery: time.Nanosecond, Tick: 5 * time.Millisecond}, f.sender.Wake, quiet)
	return f
}

func (f *bcFixture) run(t *testing.T, parts ...func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, p := range parts {
		wg.Add(1)
		go func() { defer wg.Done(); p(ctx) }()
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
}

func (f *bcFixture) create(t *testing.T, aud store.BroadcastAudience, at time.Time) store.Broadcast {
	t.Helper()
	var b store.Broadcast
	err := f.db.Tx(context.Background(), func(tx *store.Tx) error {
		var err error
		b, err = tx.CreateBroadcast(store.Broadcast{CreatedBy: f.staff, Text: "Rapat hari Sabtu", Audience: aud, ScheduledAt: at}, f.clock())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *bcFixture) tx(t *testing.T, fn func(*store.Tx) error) {
	t.Helper()
	if err := f.db.Tx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
	f.bc.Wake()
	f.sender.Wake()
}

func (f *bcFixture) progress(t *testing.T, id int64) store.BroadcastProgress {
	t.Helper()
	var p store.BroadcastProgress
	f.tx(t, func(tx *store.Tx) error {
		var err error
		if err = tx.SyncRecipients(id); err == nil {
			p, err = tx.ProgressOf(id)
		}
		return err
	})
	return p
}

// A scheduled broadcast goes out at its time in WIB, not a minute before;
// one that fell due while klabot was down too long is missed and its maker
// told.
func TestScheduledBroadcastFiresAtWIBTime(t *testing.T) {
	wib, _ := time.LoadLocation("Asia/Pontianak")
	now := time.Date(2026, 6, 11, 20, 0, 0, 0, wib)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	set := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
	f := newBroadcastFixture(t, 3, clock)
	ctx := context.Background()
	at := time.Date(2026, 6, 12, 8, 0, 0, 0, wib) // 12 June, World Day Against Child Labour, 08.00 WIB
	b := f.create(t, store.BroadcastAudience{Kind: store.ToAll}, at)
	old := f.create(t, store.BroadcastAudience{Kind: store.ToAll}, now.Add(-13*time.Hour))

	for _, tick := range []time.Time{now, at.Add(-time.Minute), at.Add(-time.Second)} {
		set(tick)
		if _, err := f.bc.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		if p := f.progress(t, b.ID); p.Total != 0 {
			t.Fatalf("at %s the broadcast for %s had started: %+v", tick, at, p)
		}
	}
	pending, _ := f.db.PendingOutbox(ctx, "test", 100)
	if len(pending) != 1 || pending[0].Address != "staff" {
		t.Fatalf("before its time: outbox %+v, want only the note about the missed one to staff", pending)
	}
	set(at)
	if _, err := f.bc.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if p := f.progress(t, b.ID); p.Total != 4 || p.Queued != 4 {
		t.Fatalf("at 08.00 WIB: %+v, want 4 queued (3 people and the staff member)", p)
	}
	f.tx(t, func(tx *store.Tx) error {
		got, err := tx.Broadcast(old.ID)
		if err == nil && got.State != store.BroadcastMissed {
			t.Errorf("a broadcast 13 hours late is %s, want missed", got.State)
		}
		return err
	})

	f.run(t, f.sender.Run)
	all := f.ch.waitUntil(t, "the broadcast and the note", func(s []sent) bool { return len(to(s, "Rapat")) == 4 })
	if n := to(all, "tidak dikirim, karena klabot mati")["staff"]; n != 1 {
		t.Errorf("staff got %d notes about the missed broadcast, want 1", n)
	}
	for address, n := range to(all, "Rapat hari Sabtu") {
		if n != 1 {
			t.Errorf("%s got the broadcast %d times", address, n)
		}
	}
	if !strings.Contains(all[len(all)-1].msg.Text, "BERHENTI") {
		t.Errorf("a broadcast lacks the footer: %q", all[len(all)-1].msg.Text)
	}
}

// Pausing holds the messages not yet sent; resuming sends them; each
// person gets the broadcast once. The staff member sees one progress
// message, edited, and a summary.
func TestBroadcastPauseResume(t *testing.T) {
	f := newBroadcastFixture(t, 20, time.Now)
	f.ch.gate = make(chan struct{})
	b := f.create(t, store.BroadcastAudience{Kind: store.ToRole, Value: "warga"}, time.Now())
	if _, err := f.bc.Tick(context.Background()); err != nil { // started and fed
		t.Fatal(err)
	}
	f.run(t, f.sender.Run)
	// The progress message (a reply: it goes first) and five people.
	for range 6 {
		f.ch.gate <- struct{}{}
	}
	f.ch.waitUntil(t, "five messages", func(s []sent) bool { return len(to(s, "Rapat")) == 5 })
	// The sender (one send at a time) may be inside the sixth send now.
	f.tx(t, func(tx *store.Tx) error { return tx.PauseBroadcast(b.ID) })
	close(f.ch.gate)
	barrier(t, f)
	got := len(to(f.ch.sent, "Rapat"))
	if got != 5 && got != 6 {
		t.Fatalf("%d people got a paused broadcast; want the 5 before and at most the 1 in flight", got)
	}
	if p := f.progress(t, b.ID); p.Sent != got || p.Queued != 20-got {
		t.Errorf("paused: %+v, want %d sent and the rest held", p, got)
	}

	f.run(t, f.bc.Run)
	f.ch.waitUntil(t, "the progress message to say paused", func(s []sent) bool {
		last := lastTo(s, "staff")
		return last.msg.Edit != "" && strings.Contains(last.msg.Text, "Dijeda")
	})
	f.tx(t, func(tx *store.Tx) error { return tx.ResumeBroadcast(b.ID) })
	all := f.ch.waitUntil(t, "the summary", func(s []sent) bool { return len(to(s, "Siaran #1 selesai")) == 1 })
	each := to(all, "Rapat hari Sabtu")
	for i := 1; i <= 20; i++ {
		if n := each["p"+strconv.Itoa(i)]; n != 1 {
			t.Errorf("p%d got the broadcast %d times", i, n)
		}
	}
	if n := to(all, "Siaran #1 untuk")["staff"]; n != 1 || f.ch.edits < 2 {
		t.Errorf("%d progress messages and %d edits; want one message, edited", n, f.ch.edits)
	}
	summary := lastTo(all, "staff").msg.Text
	if !strings.Contains(summary, "Terkirim: 20 orang") || strings.Contains(summary, "Gagal") {
		t.Errorf("summary %q", summary)
	}
}

// barrier waits until a message queued now behind any pending broadcast
// message has been sent: the sender takes the outbox in order, so after
// it, nothing that was pending remains unsent.
func barrier(t *testing.T, f *bcFixture) {
	t.Helper()
	marker := fmt.Sprintf("barrier %d", time.Now().UnixNano())
	f.tx(t, func(tx *store.Tx) error {
		return tx.Enqueue(store.OutboxMessage{Channel: "test", Address: "barrier", Priority: store.PriorityBroadcast,
			Payload: []byte(`{"text":"` + marker + `"}`)}, time.Now())
	})
	f.ch.waitUntil(t, "the barrier", func(s []sent) bool { return to(s, marker)["barrier"] == 1 })
}

func lastTo(all []sent, address string) sent {
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].address == address {
			return all[i]
		}
	}
	return sent{}
}

// Cancelling stops a broadcast for good; the summary says how many got it
// and how many did not because of the cancellation.
func TestBroadcastCancel(t *testing.T) {
	f := newBroadcastFixture(t, 12, time.Now)
	f.ch.gate = make(chan struct{})
	b := f.create(t, store.BroadcastAudience{Kind: store.ToAll}, time.Now())
	if _, err := f.bc.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.run(t, f.sender.Run)
	for range 4 { // the progress message and three people
		f.ch.gate <- struct{}{}
	}
	f.ch.waitUntil(t, "three messages", func(s []sent) bool { return len(to(s, "Rapat")) == 3 })
	f.tx(t, func(tx *store.Tx) error { return tx.CancelBroadcast(b.ID, time.Now()) })
	close(f.ch.gate)
	barrier(t, f)
	got := len(to(f.ch.sent, "Rapat hari Sabtu"))
	if got != 3 && got != 4 {
		t.Errorf("%d got a cancelled broadcast; want the 3 before and at most the 1 in flight", got)
	}
	f.run(t, f.bc.Run)
	all := f.ch.waitUntil(t, "the summary", func(s []sent) bool { return len(to(s, "dibatalkan.\nTerkirim")) == 1 })
	if n := len(to(all, "Rapat hari Sabtu")); n != got {
		t.Errorf("%d got the broadcast after it was cancelled", n-got)
	}
	summary := lastTo(all, "staff").msg.Text
	if !strings.Contains(summary, fmt.Sprintf("Terkirim: %d orang", got)) ||
		!strings.Contains(summary, fmt.Sprintf("Tidak dikirim karena dibatalkan: %d orang", 13-got)) {
		t.Errorf("summary %q", summary)
	}
	if status := lastEditTo(all, "staff"); !strings.Contains(status.msg.Text, "Dibatalkan") || len(status.msg.Buttons) != 0 {
		t.Errorf("last progress %q with keys %v", status.msg.Text, status.msg.Buttons)
	}
}

func lastEditTo(all []sent, address string) sent {
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].address == address && all[i].msg.Edit != "" {
			return all[i]
		}
	}
	return sent{}
}

// A recipient who blocked the bot (403) is marked unreachable and counted
// as failed; a 429 is waited out and the message still arrives; a 5xx is
// retried. Everyone else gets the broadcast once.
func TestBroadcastBlockedAndRateLimited(t *testing.T) {
	f := newBroadcastFixture(t, 6, time.Now)
	f.ch.fail["p2"] = []error{&bot.SendError{Blocked: true, Err: errors.New("403 Forbidden: bot was blocked by the user")}}
	f.ch.fail["p3"] = []error{&bot.SendError{RetryAfter: time.Second, Err: errors.New("429 Too Many Requests")}}
	f.ch.fail["p4"] = []error{&bot.SendError{Temporary: true, Err: errors.New("502 Bad Gateway")}}
	b := f.create(t, store.BroadcastAudience{Kind: store.ToAll}, time.Now())
	f.run(t, f.sender.Run, f.bc.Run)
	all := f.ch.waitUntil(t, "the summary", func(s []sent) bool { return len(to(s, "Siaran #1 selesai.")) == 1 })
	got := to(all, "Rapat hari Sabtu")
	for _, p := range []string{"p1", "p3", "p4", "p5", "p6", "staff"} {
		if got[p] != 1 {
			t.Errorf("%s got the broadcast %d times, want 1", p, got[p])
		}
	}
	if got["p2"] != 0 {
		t.Errorf("the blocked person got it")
	}
	if un, _ := f.db.Unreachable(store.Contact{Channel: "test", Address: "p2"}); !un {
		t.Error("the person who blocked the bot is not marked unreachable")
	}
	summary := lastTo(all, "staff").msg.Text
	if !strings.Contains(summary, "Terkirim: 6 orang") || !strings.Contains(summary, "Gagal: 1 orang (1 di antaranya memblokir bot)") {
		t.Errorf("summary %q", summary)
	}
	if p := f.progress(t, b.ID); p.Sent != 6 || p.Failed != 1 || p.Blocked != 1 {
		t.Errorf("progress %+v", p)
	}
	// The next broadcast leaves the blocked person out, and says so.
	f.tx(t, func(tx *store.Tx) error {
		_, n, err := tx.BroadcastAudienceMembers(store.BroadcastAudience{Kind: store.ToAll})
		if n.Reach != 6 || n.Unreachable != 1 {
			t.Errorf("next audience %+v", n)
		}
		return err
	})
}

// Where the progress message cannot be edited, staff get a short note at
// each quarter and the summary, not a message per recipient.
func TestBroadcastProgressWithoutEditing(t *testing.T) {
	f := newBroadcastFixture(t, 40, time.Now)
	plain := &plainChannel{editor: f.ch}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.sender = bot.NewSender(f.db, plain, bot.Limits{PerSecond: 400, PerChatPerSecond: 1000, PerChatBurst: 100}, quiet)
	f.bc = bot.NewBroadcaster(f.db, bot.BroadcastConfig{Tick: 5 * time.Millisecond, Batch: 5}, f.sender.Wake, quiet)
	f.create(t, store.BroadcastAudience{Kind: store.ToAll}, time.Now())
	f.run(t, f.sender.Run, f.bc.Run)
	all := f.ch.waitUntil(t, "the summary", func(s []sent) bool { return len(to(s, "Siaran #1 selesai.")) == 1 })
	var notes []string
	for _, s := range all {
		if s.address == "staff" && !strings.Contains(s.msg.Text, "Rapat") {
			notes = append(notes, s.msg.Text)
		}
	}
	if len(notes) < 2 || len(notes) > 4 || f.ch.edits != 0 {
		t.Errorf("staff got %d notes and %d edits: %q", len(notes), f.ch.edits, notes)
	}
	for _, n := range notes[:len(notes)-1] {
		if !strings.Contains(n, "% selesai") {
			t.Errorf("progress note %q", n)
		}
	}
}

// plainChannel hides the editor's editing.
type plainChannel struct{ editor *editor }

func (p *plainChannel) Name() string { return "test" }
func (p *plainChannel) Send(ctx context.Context, address string, m bot.Outbound) error {
	return p.editor.Send(ctx, address, m)
}

// A 429 for a chat that was just sent to is that chat's limit: only that
// chat waits; the others' messages go on at once. (Were the whole channel
// paused, the waiting message, older, would go first when it resumed.)
func TestChatRateLimitDoesNotStopTheChannel(t *testing.T) {
	f := newBroadcastFixture(t, 0, time.Now)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.sender = bot.NewSender(f.db, f.ch, bot.Limits{PerSecond: 1000, PerChatPerSecond: 1000, PerChatBurst: 100}, quiet)
	f.ch.fail["a"] = []error{nil, &bot.SendError{RetryAfter: 2 * time.Second, Err: errors.New("429 Too Many Requests: retry after 2")}}
	enqueue := func(address, text string) {
		f.tx(t, func(tx *store.Tx) error {
			return tx.Enqueue(store.OutboxMessage{Channel: "test", Address: address, Payload: []byte(`{"text":"` + text + `"}`)}, time.Now())
		})
	}
	enqueue("a", "a1")
	enqueue("a", "a2")
	f.run(t, f.sender.Run)
	f.ch.waitUntil(t, "the 429", func([]sent) bool { return f.ch.attempts == 2 })
	enqueue("b", "b1")
	enqueue("c", "c1")
	all := f.ch.waitUntil(t, "every message", func(s []sent) bool { return len(s) == 4 })
	order := ""
	for _, s := range all {
		order += s.msg.Text + " "
	}
	if !strings.HasSuffix(order, "a2 ") {
		t.Errorf("sent %q; want b1 and c1 before a2, which waits out its 429", order)
	}
}

type photoFetcher struct{ calls int }

func (p *photoFetcher) Fetch(ctx context.Context, ref string) (io.ReadCloser, error) {
	p.calls++
	if p.calls == 1 {
		return nil, errors.New("502 Bad Gateway")
	}
	return io.NopCloser(strings.NewReader("jpeg of " + ref)), nil
}

// A photo from one channel reaches people on another as the file,
// downloaded once (again after a failed try) before they are sent to.
func TestBroadcastPhotoToOtherChannels(t *testing.T) {
	f := newBroadcastFixture(t, 3, time.Now)
	fetch := &photoFetcher{}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := t.TempDir()
	f.bc = bot.NewBroadcaster(f.db, bot.BroadcastConfig{DataDir: dir, Fetchers: map[string]bot.Fetcher{"telegram": fetch},
		Tick: 5 * time.Millisecond}, f.sender.Wake, quiet)
	f.tx(t, func(tx *store.Tx) error {
		_, err := tx.CreateBroadcast(store.Broadcast{CreatedBy: f.staff, Text: "Lomba foto", PhotoChannel: "telegram",
			PhotoRef: "AgACAgIAAx", Audience: store.BroadcastAudience{Kind: store.ToAll}}, time.Now())
		return err
	})
	f.run(t, f.sender.Run, f.bc.Run)
	all := f.ch.waitUntil(t, "the broadcast", func(s []sent) bool { return len(to(s, "Lomba foto")) == 4 })
	want := filepath.Join(dir, "broadcasts", "1.jpg")
	for _, s := range all {
		if !strings.Contains(s.msg.Text, "Lomba foto") {
			continue
		}
		if a := s.msg.Attachment; a == nil || a.Kind != "photo" || a.Path != want || a.Ref != "" {
			t.Errorf("%s got attachment %+v, want the downloaded %s", s.address, a, want)
		}
	}
	if data, err := os.ReadFile(want); err != nil || string(data) != "jpeg of AgACAgIAAx" {
		t.Errorf("photo file %q (%v)", data, err)
	}
	if fetch.calls != 2 {
		t.Errorf("%d downloads, want a failed one and one more", fetch.calls)
	}
}

// A finished broadcast keeps its numbers when a recipient erases their data
// ("hapus data saya") and when retention prunes its messages and
// recipients, who are gone by then.
func TestFinishedBroadcastNumbersOutliveErasureAndRetention(t *testing.T) {
	f := newBroadcastFixture(t, 3, time.Now)
	ctx := context.Background()
	b := f.create(t, store.BroadcastAudience{Kind: store.ToAll}, time.Now())
	f.run(t, f.bc.Run, f.sender.Run)
	f.bc.Wake()
	f.ch.waitUntil(t, "the broadcast", func(s []sent) bool { return len(to(s, "Rapat hari Sabtu")) == 4 })
	deadline := time.Now().Add(10 * time.Second)
	for {
		var state string
		f.tx(t, func(tx *store.Tx) error {
			got, err := tx.Broadcast(b.ID)
			state = got.State
			return err
		})
		if state == store.BroadcastDone {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the broadcast is %s, not done", state)
		}
		time.Sleep(5 * time.Millisecond)
	}
	want := store.BroadcastProgress{Total: 4, Sent: 4}
	if p := f.progress(t, b.ID); p != want {
		t.Fatalf("finished broadcast: %+v, want %+v", p, want)
	}
	// The staff member's summary goes too; then nothing is left to send.
	f.ch.waitUntil(t, "the summary", func(s []sent) bool { return to(s, "selesai")["staff"] == 1 })
	for pending := 1; pending > 0; {
		if pending, _, _, _ = f.db.OutboxCounts(ctx, "test"); time.Now().After(deadline) {
			t.Fatalf("%d messages still pending", pending)
		}
		time.Sleep(5 * time.Millisecond)
	}

	f.tx(t, func(tx *store.Tx) error {
		u, _, err := tx.UserByContact(store.Contact{Channel: "test", Address: "p1"}, "id", time.Now())
		if err != nil {
			return err
		}
		_, err = tx.ErasePerson(u.ID, time.Now())
		return err
	})
	if p := f.progress(t, b.ID); p != want {
		t.Errorf("after a recipient erased their data: %+v, want %+v", p, want)
	}

	res, err := f.db.ApplyRetention(ctx, time.Now().AddDate(0, 0, store.OutboxKeepDays+1), store.DefaultRetentionDays)
	if err != nil {
		t.Fatal(err)
	}
	if p := f.progress(t, b.ID); p != want {
		t.Errorf("after retention: %+v, want %+v", p, want)
	}
	if _, sentRows, _, _ := f.db.OutboxCounts(ctx, "test"); sentRows != 0 || res.Messages < 4 {
		t.Errorf("retention left %d delivered messages (removed %d); broadcasts' go too", sentRows, res.Messages)
	}
	if left, err := f.db.BroadcastResults(ctx, b.ID); err != nil || len(left) != 0 {
		t.Errorf("retention kept %d recipients of a finished broadcast (%v)", len(left), err)
	}
}
