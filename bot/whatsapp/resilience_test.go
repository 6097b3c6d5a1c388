package whatsapp_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"klabot/bot"
	"klabot/bot/message"
	"klabot/bot/whatsapp"
	"klabot/bot/whatsapp/fakewa"
	"klabot/store"
)

// queue puts a message for address into the outbox, as a feature would,
// and wakes the sender.
func (h *harness) queue(address string, priority int, m bot.Outbound) {
	h.t.Helper()
	err := h.db.Tx(context.Background(), func(tx *store.Tx) error {
		return bot.NotifyStaff(tx, map[string]bool{whatsapp.Name + ":" + address: true}, priority, m, time.Now())
	})
	if err != nil {
		h.t.Fatal(err)
	}
	h.sender.Wake()
}

// settled waits until the outbox holds nothing pending, and returns how
// many rows were sent and failed.
func (h *harness) settled() (sent, failed int) {
	h.t.Helper()
	eventually(h.t, "the outbox to settle", func() bool {
		var pending int
		var err error
		pending, sent, failed, err = h.db.OutboxCounts(context.Background(), whatsapp.Name)
		return err == nil && pending == 0
	})
	return sent, failed
}

func sentWith(wa *fakewa.Client, to, kind, text string) []fakewa.Sent {
	var out []fakewa.Sent
	for _, s := range wa.SentTo(to) {
		if s.Kind == kind && s.Text == text {
			out = append(out, s)
		}
	}
	return out
}

// A send that timed out after the message left is tried again with the
// same message id: the person sees it once. A photo whose caption went
// separately is not uploaded or sent again when only the text failed.
func TestRetrySendsTheSameMessageOnce(t *testing.T) {
	h := start(t, options{})
	ani := h.wa.Person(t, "6281500000001")
	ani.Say("halo")

	h.wa.FailAfterSend(ani.Phone, whatsmeow.ErrMessageTimedOut)
	h.queue(ani.Phone, store.PriorityAlert, bot.Outbound{Text: "Kabar laporan Anda"})
	h.settled()
	got := sentWith(h.wa, ani.Phone, "text", "Kabar laporan Anda")
	if len(got) != 1 {
		t.Fatalf("shown %d times, want once", len(got))
	}
	if n := h.wa.SendsOf(got[0].ID); n != 2 {
		t.Errorf("message id sent %d times, want 2 (the try that timed out, and its retry)", n)
	}

	path := filepath.Join(t.TempDir(), "foto.jpg")
	if err := os.WriteFile(path, []byte("JPEG"), 0o600); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("Pelatihan Satgas PA hari Sabtu. ", 40) // too long for a caption
	uploads := h.wa.Uploads()
	h.wa.FailNext(ani.Phone, nil, whatsmeow.ErrMessageTimedOut) // the photo goes, its text does not
	h.queue(ani.Phone, store.PriorityAlert, bot.Outbound{Text: long, Attachment: &bot.Attachment{Kind: "photo", Path: path}})
	h.settled()
	if n := len(sentWith(h.wa, ani.Phone, "image", "")); n != 1 {
		t.Errorf("photo shown %d times, want once", n)
	}
	if n := len(sentWith(h.wa, ani.Phone, "text", long)); n != 1 {
		t.Errorf("its text shown %d times, want once", n)
	}
	if n := h.wa.Uploads() - uploads; n != 1 {
		t.Errorf("photo uploaded %d times, want once", n)
	}
}

// 479 is often passing: the message is tried again and arrives.
func TestServerError479Retried(t *testing.T) {
	h := start(t, options{})
	budi := h.wa.Person(t, "6281500000002")
	budi.Say("halo")
	h.wa.FailNext(budi.Phone, fakewa.ErrServer(479))
	h.queue(budi.Phone, store.PriorityReply, bot.Outbound{Text: "Jawaban"})
	if sent, failed := h.settled(); failed != 0 || sent < 2 {
		t.Errorf("sent %d, failed %d", sent, failed)
	}
	if n := len(sentWith(h.wa, budi.Phone, "text", "Jawaban")); n != 1 {
		t.Errorf("reply shown %d times after a 479, want once", n)
	}
}

// 463 (the number may not reach out to new people for a while): staff are
// told until when, reminders and broadcasts wait, conversations go on.
func TestServerError463HoldsBulkOnly(t *testing.T) {
	limits := fast()
	limits.Bulk = &bot.Pacing{Min: time.Millisecond, Max: time.Millisecond, DailyCap: 100, Alerts: true}
	h := start(t, options{limits: limits})
	citra := h.wa.Person(t, "6281500000003")
	citra.Say("halo")
	h.wa.FailNext(citra.Phone, fakewa.ErrServer(463))
	before := time.Now()
	h.queue(citra.Phone, store.PriorityReply, bot.Outbound{Text: "Jawaban"})
	tr := recv(t, h.troubles, "staff to be told of the hold")
	if tr.Kind != whatsapp.Held || tr.Kind.Stopping() || tr.Until.Before(before.Add(23*time.Hour)) ||
		!strings.Contains(tr.Text, "463") || !strings.Contains(tr.Text, tr.Until.In(wib).Format("02-01-2006 15:04")) {
		t.Errorf("trouble %+v", tr)
	}
	citra.WaitFor("Jawaban") // the reply went on its retry
	broadcast(t, h.db, "PENGUMUMAN", citra.Phone)
	h.sender.Wake()
	h.waitLog("reminders and broadcasts held back")
	citra.Expect(citra.Say("1"), "Anda siapa")
	if n := len(bulkSent(h.wa, "PENGUMUMAN")); n != 0 {
		t.Errorf("%d broadcast messages sent during the hold", n)
	}
	if adv := h.adapter.BulkAdvice(time.Now()); !adv.HoldUntil.Equal(tr.Until) {
		t.Errorf("hold until %v, want %v", adv.HoldUntil, tr.Until)
	}
}

var wib = time.FixedZone("WIB", 7*3600)

// A call from someone who never wrote gets no text: the notice goes
// through the outbox and the pacer, and a first message could cost the
// number.
func TestCallNoticeOnlyToPeopleWhoWrote(t *testing.T) {
	limits := fast()
	limits.Bulk = &bot.Pacing{Min: time.Millisecond, Max: time.Millisecond, DailyCap: 100, Alerts: true}
	h := start(t, options{limits: limits})
	stranger := types.NewJID("6281500000004", types.DefaultUserServer)
	h.wa.Emit(&events.CallOffer{BasicCallMeta: types.BasicCallMeta{From: stranger, CallCreator: stranger, CallID: "c1"}})
	eventually(t, "the notice failed, not sent", func() bool {
		pending, _, failed, err := h.db.OutboxCounts(context.Background(), whatsapp.Name)
		return err == nil && pending == 0 && failed == 1
	})
	dedi := h.wa.Person(t, "6281500000005")
	dedi.Say("halo")
	caller := types.NewJID(dedi.Phone, types.DefaultUserServer)
	h.wa.Emit(&events.CallOffer{BasicCallMeta: types.BasicCallMeta{From: caller, CallCreator: caller, CallID: "c2"}})
	dedi.WaitFor("panggilan")
	if n := len(h.wa.SentTo(stranger.User)); n != 0 {
		t.Errorf("%d messages to a caller who never wrote", n)
	}
}

// A connect that fails at start is tried again until it works.
func TestStartupConnectRetried(t *testing.T) {
	h := start(t, options{before: func(wa *fakewa.Client) {
		wa.FailConnect(errors.New("dial tcp: no route to host"), errors.New("dial tcp: i/o timeout"))
	}})
	if err := h.wa.WaitFor(waitCtx(t), func() bool { return h.wa.IsConnected() }); err != nil {
		t.Fatal("never connected after two failed tries")
	}
	if n := h.wa.Connects(); n != 3 {
		t.Errorf("%d connects, want 3", n)
	}
	h.waitLog("connect to WhatsApp failed; trying again")
	p := h.wa.Person(t, "6281500000006")
	p.Expect(p.Say("halo"), "selamat datang")
}

// A message that reaches klabot hours after it was sent is not acted on:
// the person gets a short note and the question open now.
func TestLateMessageGetsANote(t *testing.T) {
	h := start(t, options{now: func() time.Time { return time.Now().Add(3 * time.Hour) }})
	p := h.wa.Person(t, "6281500000007")
	p.Expect(p.Say("halo"), "selamat datang")
	p.Expect(p.Say("1"), "Pesan lama", "Setuju")
	if strings.Contains(p.Say("1"), "Anda siapa") {
		t.Error("a late choice was acted on")
	}
}

// flaky is a Receiver whose first commits fail (the disk was busy).
type flaky struct {
	mu    sync.Mutex
	fails int
	got   []string
}

func (f *flaky) Submit(ctx context.Context, in bot.Inbound) <-chan error {
	done := make(chan error, 1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails > 0 {
		f.fails--
		done <- errors.New("database is locked")
		return done
	}
	f.got = append(f.got, in.Input.Text)
	done <- nil
	return done
}

// A failed commit is tried again inside the handler: the message is
// acknowledged once committed, and the next one waits behind it.
func TestFailedCommitRetriedInOrder(t *testing.T) {
	r := &flaky{fails: 3}
	wa, _, _ := runWith(t, r, whatsapp.Config{})
	if _, ok := wa.Text("6281500000008", "pertama"); !ok {
		t.Fatal("not acknowledged after the commit worked")
	}
	if _, ok := wa.Text("6281500000008", "kedua"); !ok {
		t.Fatal("second message not acknowledged")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if strings.Join(r.got, ",") != "pertama,kedua" {
		t.Errorf("committed %v", r.got)
	}
}

// "typing…" shows for a while in proportion to the text.
func TestTypingInProportion(t *testing.T) {
	if d := whatsapp.TypingTime("Ya"); d != time.Second {
		t.Errorf("a short text: %s", d)
	}
	if d := whatsapp.TypingTime(strings.Repeat("a", 100)); d != 2500*time.Millisecond {
		t.Errorf("100 letters: %s", d)
	}
	if d := whatsapp.TypingTime(strings.Repeat("a", 1000)); d != 4*time.Second {
		t.Errorf("a long text: %s", d)
	}
	var mu sync.Mutex
	var typed []string
	wa, adapter, _ := runWith(t, &recorder{}, whatsapp.Config{Typing: func(text string) time.Duration {
		mu.Lock()
		defer mu.Unlock()
		typed = append(typed, text)
		return time.Millisecond
	}})
	if err := adapter.Send(context.Background(), "6281500000009", bot.Outbound{Text: "Halo"}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(typed) != 1 || typed[0] != "Halo" || wa.Typing("6281500000009") != 1 {
		t.Errorf("typing for %q, shown %d times", typed, wa.Typing("6281500000009"))
	}
}

// A link that never learnt since when the account uses LIDs is warned
// about at start: replies to some people would not arrive.
func TestRunWarnsWithoutLIDMigration(t *testing.T) {
	h := start(t, options{before: func(wa *fakewa.Client) { wa.NoLIDMigration() }})
	h.waitLog("klabot whatsapp login")
}

// Connected wakes the sender, so what waited during an outage goes at
// once rather than at the next poll.
func TestConnectedWakesTheSender(t *testing.T) {
	woken := make(chan struct{}, 4)
	wa, _, _ := runWith(t, &recorder{}, whatsapp.Config{Wake: func() { woken <- struct{}{} }})
	wa.Emit(&events.Connected{})
	recv(t, woken, "the sender to be woken")
}

// The connection record follows WhatsApp's events, for /healthz: the last
// error's kind stays after the connection is back.
func TestHealthFollowsConnection(t *testing.T) {
	var health message.Health
	wa, _, _ := runWith(t, &recorder{}, whatsapp.Config{Health: &health})
	for _, step := range []struct {
		evt       any
		connected bool
		lastError string
	}{
		{&events.Connected{}, true, ""},
		{&events.Disconnected{}, false, "disconnected"},
		{&events.Connected{}, true, "disconnected"},
		{&events.TemporaryBan{Code: events.TempBanBlockedByUsers, Expire: time.Hour}, false, "temporary_ban"},
	} {
		wa.Emit(step.evt)
		if st := health.State(); st.Connected != step.connected || st.LastError != step.lastError {
			t.Errorf("after %T: %+v, want connected=%v last error %q", step.evt, st, step.connected, step.lastError)
		}
	}
}
