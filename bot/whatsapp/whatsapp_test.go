package whatsapp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"klabot/bot"
	"klabot/bot/message"
	"klabot/bot/whatsapp"
	"klabot/bot/whatsapp/fakewa"
	"klabot/flows"
	"klabot/flows/all"
	"klabot/store"
)

// harness is WhatsApp wired to the real dispatcher, engine, sender and a
// SQLite file, with the fake client in place of whatsmeow.
type harness struct {
	t        *testing.T
	wa       *fakewa.Client
	adapter  *whatsapp.WhatsApp
	db       *store.DB
	sender   *bot.Sender
	logs     *logBuffer
	troubles chan whatsapp.Trouble
	runDone  chan struct{} // closed when the adapter's Run returns
}

type options struct {
	limits    bot.Limits
	staff     map[string]bool
	setup     func(*flows.Engine)
	now       func() time.Time
	idleAfter time.Duration
	before    func(*fakewa.Client) // before the adapter runs
	typing    func(string) time.Duration
}

// noTyping shows "typing…" without a pause: tests wait on events.
func noTyping(string) time.Duration { return 0 }

// quick retries at once.
func quick(int) time.Duration { return time.Millisecond }

func fast() bot.Limits {
	return bot.Limits{PerSecond: 1000, PerChatPerSecond: 1000, PerChatBurst: 100}
}

func start(t *testing.T, o options) *harness {
	t.Helper()
	if o.limits.PerSecond == 0 {
		o.limits = fast()
	}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	logs := newLogBuffer()
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := &harness{t: t, wa: fakewa.New(), db: db, logs: logs, troubles: make(chan whatsapp.Trouble, 10), runDone: make(chan struct{})}
	if o.before != nil {
		o.before(h.wa)
	}
	if o.typing == nil {
		o.typing = noTyping
	}
	loc, _ := time.LoadLocation("Asia/Pontianak")
	var sender *bot.Sender
	h.adapter = whatsapp.New(h.wa, whatsapp.Config{
		Location: loc, Now: o.now, IdleAfter: o.idleAfter, Memory: bot.NewMemory(db, whatsapp.Name), Typing: o.typing, Backoff: quick,
		Wake:      func() { sender.Wake() },
		OnTrouble: func(tr whatsapp.Trouble) { h.troubles <- tr },
	}, log)
	sender = bot.NewSender(db, h.adapter, o.limits, log)
	h.sender = sender
	engine := all.NewEngine(flows.Config{Location: loc})
	if o.setup != nil {
		o.setup(engine)
	}
	d := bot.NewDispatcher(db, engine, bot.Config{Staff: o.staff}, sender.Offer, log)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); d.Run(ctx) }()
	go func() { defer wg.Done(); sender.Run(ctx) }()
	go func() { defer wg.Done(); defer close(h.runDone); h.adapter.Run(ctx, d) }()
	t.Cleanup(func() {
		cancel()
		waitGroup(t, &wg, "the dispatcher, sender and adapter to stop")
		db.Close()
	})
	// Run registers its handler before it connects.
	if err := h.wa.WaitFor(waitCtx(t), func() bool { return h.wa.Connects() > 0 }); err != nil {
		t.Fatal("the adapter never connected")
	}
	return h
}

// waitTime bounds every wait in these tests: no test can hang.
const waitTime = 15 * time.Second

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitTime)
	t.Cleanup(cancel)
	return ctx
}

// recv takes the next value from ch, or fails the test after waitTime.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitTime):
		t.Fatalf("waited %s for %s", waitTime, what)
		var zero T
		return zero
	}
}

// closed waits for ch to be closed, or fails the test after waitTime.
func closed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	recv(t, ch, what)
}

func waitGroup(t *testing.T, wg *sync.WaitGroup, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	closed(t, done, what)
}

// eventually polls cond (a database state, which has no change signal)
// until it holds, or fails the test after waitTime.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTime)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", waitTime, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// logBuffer keeps the log lines and wakes whoever waits for one.
type logBuffer struct {
	mu      sync.Mutex
	b       strings.Builder
	changed chan struct{}
}

func newLogBuffer() *logBuffer { return &logBuffer{changed: make(chan struct{})} }

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Write(p)
	close(l.changed)
	l.changed = make(chan struct{})
	return len(p), nil
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitLog waits until a log line contains want.
func (h *harness) waitLog(want string) {
	h.t.Helper()
	timeout := time.After(waitTime)
	for {
		h.logs.mu.Lock()
		changed, found := h.logs.changed, strings.Contains(h.logs.b.String(), want)
		h.logs.mu.Unlock()
		if found {
			return
		}
		select {
		case <-changed:
		case <-timeout:
			h.t.Fatalf("no log line with %q:\n%s", want, h.logs.String())
		}
	}
}

// onboard takes a new person through the welcome to the main menu.
func onboard(t *testing.T, p *fakewa.Person) {
	t.Helper()
	p.Expect(p.Say("halo"), "selamat datang", "1. Setuju", "2. Tidak setuju")
	p.Expect(p.Say("1"), "Anda siapa", "1. Warga")
	p.Expect(p.Say("1"), "Menu utama", "5. Info & nomor darurat")
}

// A whole first conversation: numbered choices typed as "2", "2." and
// "dua" all work, every answer is numbered text, "typing…" comes first and
// each message is marked read once committed.
func TestConversationOverWhatsApp(t *testing.T) {
	h := start(t, options{})
	ani := h.wa.Person(t, "6281200000001")

	welcome := ani.Say("halo")
	ani.Expect(welcome, "selamat datang", "\n\n1. Setuju\n2. Tidak setuju")
	ani.Expect(ani.Say("1."), "Anda siapa", "1. Warga", "2. Anggota Forum Anak")
	menu := ani.Say("dua") // Forum Anak
	ani.Expect(menu, "Menu utama", "1. Laporkan kasus", "7. Ganti bahasa")
	ani.Expect(ani.Say("5"), "SAPA 129", "08111-129-129", "112", "110")
	ani.Expect(ani.Say("tujuh"), "Pilih bahasa", "1. Bahasa Indonesia", "2. English")
	ani.Expect(ani.Say("2"), "Main menu")

	if n := h.wa.Typing(ani.Phone); n < 6 {
		t.Errorf("\"typing…\" shown %d times for 6 answers", n)
	}
	// Receipts go out after each commit, in the background.
	h.wa.WaitFor(waitCtx(t), func() bool { return len(h.wa.Reads()) >= 6 })
	if n := len(h.wa.Reads()); n != 6 {
		t.Errorf("%d messages marked read, want 6", n)
	}
	var id int64
	h.db.Tx(context.Background(), func(tx *store.Tx) error {
		id, _ = tx.UserIDByContact(store.Contact{Channel: whatsapp.Name, Address: ani.Phone})
		return nil
	})
	if id == 0 {
		t.Error("the person's contact is not their phone number")
	}
}

// klabot shows as offline once connected (so the office phone keeps its
// notifications), goes online to write (WhatsApp shows "typing…" only
// from an online account), shows "typing…" before each answer, and goes
// offline again when idle.
func TestOnlineOnlyWhileAnswering(t *testing.T) {
	h := start(t, options{idleAfter: 50 * time.Millisecond})
	h.wa.Emit(&events.Connected{})
	if err := h.wa.WaitFor(waitCtx(t), func() bool { return h.wa.Presence() == types.PresenceUnavailable }); err != nil {
		t.Fatal("not shown offline after connecting")
	}
	eko := h.wa.Person(t, "6281200000017")
	eko.Say("halo")
	eko.Say("1")
	if err := h.wa.WaitFor(waitCtx(t), func() bool { return h.wa.Presence() == types.PresenceUnavailable }); err != nil {
		t.Fatal("not offline again when idle")
	}
	var got []string
	for _, a := range h.wa.Actions() {
		if a != "presence unavailable" || len(got) == 0 || got[len(got)-1] != a {
			got = append(got, a)
		}
	}
	// Between the two answers klabot may or may not have gone offline.
	want1 := []string{"presence unavailable", "presence available", "typing " + eko.Phone, "send " + eko.Phone,
		"typing " + eko.Phone, "send " + eko.Phone, "presence unavailable"}
	want2 := []string{"presence unavailable", "presence available", "typing " + eko.Phone, "send " + eko.Phone,
		"presence unavailable", "presence available", "typing " + eko.Phone, "send " + eko.Phone, "presence unavailable"}
	if g := strings.Join(got, ", "); g != strings.Join(want1, ", ") && g != strings.Join(want2, ", ") {
		t.Errorf("presence, typing and sends:\n%s\nwant\n%s", g, strings.Join(want1, ", "))
	}
}

// echoFlow shows exactly what a flow received, so tests can check the
// adapter's inputs end to end.
func echoFlow(fetch func(ref string) string) func(*flows.Engine) {
	return func(e *flows.Engine) {
		e.Register(&flows.Flow{ID: "echo", Version: 1, Start: "any", Steps: map[string]*flows.Step{
			"any": {
				Prompt: func(c *flows.Ctx) flows.Reply { return flows.Reply{Text: "ECHO READY"} },
				Handle: func(c *flows.Ctx, in flows.Input, _ string) flows.Next {
					s := fmt.Sprintf("kind=%s text=%q", in.Kind, in.Text)
					if in.Media != nil {
						s += fmt.Sprintf(" mime=%s size=%d content=%q", in.Media.Mime, in.Media.Size, fetch(in.Media.Ref))
					}
					if in.Kind == flows.KindLocation {
						s += fmt.Sprintf(" at=%.4f,%.4f", in.Lat, in.Lon)
					}
					if in.Kind == flows.KindContact {
						s += " phone=" + in.Phone
					}
					c.Say(s)
					return flows.Stay()
				},
			},
		}})
		e.AddCommand("echo", func(c *flows.Ctx, args string) flows.Next { return flows.Switch("echo") })
	}
}

// Photos, videos and documents with captions, voice notes, locations and
// contact cards reach the flows, and the media can be fetched later by its reference.
func TestMediaLocationAndContact(t *testing.T) {
	var adapter *whatsapp.WhatsApp
	fetch := func(ref string) string {
		r, err := adapter.Fetch(context.Background(), ref)
		if err != nil {
			return "ERROR " + err.Error()
		}
		defer r.Close()
		b, _ := io.ReadAll(r)
		return string(b)
	}
	h := start(t, options{setup: echoFlow(fetch)})
	adapter = h.adapter
	budi := h.wa.Person(t, "6281200000002")
	onboard(t, budi)
	budi.Expect(budi.Say("/echo"), "ECHO READY")

	budi.Expect(budi.SendImage("rumah di ujung jalan", []byte("JPEG-BYTES")),
		`kind=photo text="rumah di ujung jalan" mime=image/jpeg size=10 content="JPEG-BYTES"`)
	budi.Expect(budi.SendVoice([]byte("OGG")), `kind=voice text="" mime=audio/ogg; codecs=opus size=3 content="OGG"`)
	budi.Expect(budi.Send(h.wa.VideoMessage("anak-anak di kebun", []byte("MP4"))).Text,
		`kind=video text="anak-anak di kebun" mime=video/mp4 size=3 content="MP4"`)
	budi.Expect(budi.Send(h.wa.DocumentMessage("surat desa", "surat.pdf", "application/pdf", []byte("%PDF"))).Text,
		`kind=document text="surat desa" mime=application/pdf size=4 content="%PDF"`)
	budi.Expect(budi.SendLocation(0.8512, 109.4781), "kind=location", "at=0.8512,109.4781")
	budi.Expect(budi.Send(fakewa.ContactMessage("Budi", budi.Phone)).Text, "kind=contact", "phone="+budi.Phone)
	// Someone else's card is not the sender's number.
	other := budi.Send(fakewa.ContactMessage("Tetangga", "6281999999999")).Text
	if !strings.Contains(other, "kind=contact") || strings.Contains(other, "6281999999999") {
		t.Errorf("another person's card: %q", other)
	}
	// A document with a caption comes wrapped; the file is gone from
	// WhatsApp's servers, which Fetch reports as final.
	doc := &waE2E.Message{DocumentWithCaptionMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{
		DocumentMessage: &waE2E.DocumentMessage{Caption: proto.String("surat"), FileName: proto.String("surat.pdf"),
			Mimetype: proto.String("application/pdf"), DirectPath: proto.String("/v/missing"), FileLength: proto.Uint64(5)}}}}
	budi.Expect(budi.Send(doc).Text, `kind=document text="surat" mime=application/pdf size=5 content="ERROR`)
	// A phone that states no length (or a wrong one) for its file: whatsmeow
	// warns, and the file is still there.
	unsized := h.wa.ImageMessage("tanpa ukuran", []byte("JPEG"))
	unsized.ImageMessage.FileLength = nil
	budi.Expect(budi.Send(unsized).Text, `kind=photo text="tanpa ukuran" mime=image/jpeg size=0 content="JPEG"`)
	// With disappearing messages on, or a photo sent "view once".
	ephemeral := &waE2E.Message{EphemeralMessage: &waE2E.FutureProofMessage{Message: fakewa.TextMessage("pesan hilang")}}
	budi.Expect(budi.Send(ephemeral).Text, `kind=text text="pesan hilang"`)
	viewOnce := &waE2E.Message{ViewOnceMessageV2: &waE2E.FutureProofMessage{Message: h.wa.ImageMessage("sekali lihat", []byte("PNG"))}}
	budi.Expect(budi.Send(viewOnce).Text, `kind=photo text="sekali lihat" mime=image/jpeg size=3 content="PNG"`)
	sticker := &waE2E.Message{StickerMessage: &waE2E.StickerMessage{Mimetype: proto.String("image/webp")}}
	budi.Expect(budi.Send(sticker).Text, `kind=sticker`)

	var fe *message.FetchError
	if _, err := adapter.Fetch(context.Background(), "AgACAgIAAxkBAAI"); !errors.As(err, &fe) || !fe.Permanent {
		t.Errorf("a reference of another channel: %v, want a permanent error", err)
	}
}

// recorder is a Receiver that keeps what it is given.
type recorder struct {
	mu sync.Mutex
	in []message.Inbound
}

func (r *recorder) Submit(ctx context.Context, in message.Inbound) <-chan error {
	r.mu.Lock()
	r.in = append(r.in, in)
	r.mu.Unlock()
	done := make(chan error, 1)
	done <- nil
	return done
}

func (r *recorder) got() []message.Inbound {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]message.Inbound(nil), r.in...)
}

// runWith runs an adapter on a fake with a plain receiver.
func runWith(t *testing.T, r whatsapp.Receiver, cfg whatsapp.Config) (*fakewa.Client, *whatsapp.WhatsApp, context.CancelFunc) {
	t.Helper()
	wa := fakewa.New()
	if cfg.Typing == nil {
		cfg.Typing = noTyping
	}
	if cfg.Backoff == nil {
		cfg.Backoff = quick
	}
	adapter := whatsapp.New(wa, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); adapter.Run(ctx, r) }()
	t.Cleanup(func() { cancel(); closed(t, done, "Run to return") })
	if err := wa.WaitFor(waitCtx(t), func() bool { return wa.Connects() > 0 }); err != nil {
		t.Fatal("never connected")
	}
	return wa, adapter, cancel
}

// failing is a Receiver whose commits fail (the disk is full, say).
type failing struct{}

func (failing) Submit(ctx context.Context, in message.Inbound) <-chan error {
	done := make(chan error, 1)
	done <- errors.New("disk I/O error")
	return done
}

// A message that could not be committed is neither acknowledged (WhatsApp
// delivers it again) nor marked read.
func TestUncommittedMessageNotAcknowledged(t *testing.T) {
	wa, _, _ := runWith(t, failing{}, whatsapp.Config{})
	if _, ok := wa.Text("6281200000021", "halo"); ok {
		t.Error("acknowledged although not committed")
	}
	if n := len(wa.Reads()); n != 0 {
		t.Errorf("%d messages marked read although not committed", n)
	}
}

// Own messages, groups, status updates, broadcast lists, channels,
// reactions and deletions are acknowledged and otherwise left alone.
func TestIgnoredMessages(t *testing.T) {
	r := &recorder{}
	wa, _, _ := runWith(t, r, whatsapp.Config{})
	const phone = "6281200000003"
	reaction := &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Text: proto.String("👍")}}
	revoke := &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_REVOKE.Enum()}}
	list := fakewa.Private(phone)
	list.Chat = types.NewJID("1234567890", types.BroadcastServer)
	channel := fakewa.Private(phone)
	channel.Chat = types.NewJID("120363000000000000", types.NewsletterServer)
	cases := map[string]struct {
		src types.MessageSource
		msg *waE2E.Message
	}{
		"own message":    {fakewa.Own(phone), fakewa.TextMessage("halo")},
		"group":          {fakewa.Group("120363000000000001", phone), fakewa.TextMessage("/start")},
		"status":         {fakewa.Status(phone), fakewa.TextMessage("status baru")},
		"broadcast list": {list, fakewa.TextMessage("halo semua")},
		"channel":        {channel, fakewa.TextMessage("berita")},
		"reaction":       {fakewa.Private(phone), reaction},
		"deletion":       {fakewa.Private(phone), revoke},
		"empty":          {fakewa.Private(phone), &waE2E.Message{}},
	}
	for name, c := range cases {
		if _, ok := wa.Deliver(c.src, c.msg); !ok {
			t.Errorf("%s: not acknowledged", name)
		}
	}
	if got := r.got(); len(got) != 0 {
		t.Errorf("%d ignored messages were handed on: %+v", len(got), got)
	}
	// A private text right after is handed on, with its details.
	id, _ := wa.Text(phone, "halo")
	got := r.got()
	if len(got) != 1 {
		t.Fatalf("private message not handed on: %+v", got)
	}
	in := got[0]
	if in.Channel != "whatsapp" || in.ChatID != phone || in.MessageID != phone+"@s.whatsapp.net/"+string(id) || in.Group ||
		in.Input.Kind != message.KindText || in.Input.Text != "halo" || in.Time.IsZero() {
		t.Errorf("inbound = %+v", in)
	}
	// An edit is told apart, as on Telegram.
	edit := &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(),
		EditedMessage: fakewa.TextMessage("halo lagi")}}
	wa.Deliver(fakewa.Private(phone), edit)
	if got := r.got(); len(got) != 2 || got[1].Input.Kind != message.KindEdited || got[1].Input.Text != "halo lagi" {
		t.Errorf("edit: %+v", got[len(got)-1])
	}
}

// A message WhatsApp delivers again (after a reconnect) is answered once,
// also when klabot has learnt the number behind the sender's LID in
// between.
func TestRedeliveredMessageProcessedOnce(t *testing.T) {
	h := start(t, options{})
	const phone = "6281200000004"
	id, ok := h.wa.Text(phone, "halo")
	if !ok {
		t.Fatal("not committed")
	}
	if _, err := h.wa.WaitSentTo(waitCtx(t), phone, 1); err != nil {
		t.Fatal(err)
	}
	// Redeliver returns once the handler has returned, that is after the
	// commit: a second answer would be in the outbox by now.
	if !h.wa.Redeliver(id) {
		t.Error("redelivery not acknowledged")
	}
	h.wa.Text(phone, "2") // "Tidak setuju"
	sent, err := h.wa.WaitSentTo(waitCtx(t), phone, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sent[1].Text, "Tidak apa-apa") {
		t.Errorf("second answer %q: the redelivered message was handled again", sent[1].Text)
	}

	const lid = "207777777777777"
	lidID, _ := h.wa.Deliver(fakewa.LID(lid, ""), fakewa.TextMessage("halo"))
	h.wa.MapLID(lid, "6281200000014")
	if !h.wa.Redeliver(lidID) {
		t.Error("LID redelivery not acknowledged")
	}
	if _, err := h.wa.WaitSentTo(waitCtx(t), lid+"@lid", 1); err != nil {
		t.Fatal(err)
	}
	pending, sentRows, failed, err := h.db.OutboxCounts(context.Background(), whatsapp.Name)
	if err != nil {
		t.Fatal(err)
	}
	if total := pending + sentRows + failed; total != 3 {
		t.Errorf("%d answers queued for three distinct messages and two redeliveries", total)
	}
	if n := len(h.wa.SentTo("6281200000014")); n != 0 {
		t.Errorf("the redelivered LID message was answered again, on the number")
	}
}

// Someone seen as a phone number, as a LID with the number alongside, and
// as a LID whatsmeow has mapped, is one person with one conversation.
func TestLIDAndPhoneAreOnePerson(t *testing.T) {
	h := start(t, options{})
	const phone = "6281200000005"
	citra := h.wa.Person(t, phone)
	citra.Expect(citra.Say("halo"), "selamat datang")

	citra.Source = fakewa.LID("201234567890123", phone) // LID with SenderAlt
	citra.Expect(citra.Say("1"), "Anda siapa")

	h.wa.MapLID("209999999999999", phone) // LID only, known to the store
	citra.Source = fakewa.LID("209999999999999", "")
	citra.Expect(citra.Say("1"), "Menu utama")

	// A LID nobody knows the number of is still answered, as its own contact.
	stranger := h.wa.Person(t, "208888888888888@lid")
	stranger.Source = fakewa.LID("208888888888888", "")
	stranger.Expect(stranger.Say("halo"), "selamat datang")

	var citraID, strangerID int64
	h.db.Tx(context.Background(), func(tx *store.Tx) error {
		citraID, _ = tx.UserIDByContact(store.Contact{Channel: "whatsapp", Address: phone})
		strangerID, _ = tx.UserIDByContact(store.Contact{Channel: "whatsapp", Address: "208888888888888@lid"})
		return nil
	})
	if citraID == 0 || strangerID == 0 || citraID == strangerID {
		t.Errorf("people: citra %d, stranger %d", citraID, strangerID)
	}
	for _, s := range h.wa.Sent() {
		if s.To != phone && s.To != "208888888888888@lid" {
			t.Errorf("message sent to %s", s.To)
		}
	}
}

// A call gets one polite text a day: the bot cannot take calls.
func TestCallGetsOneNotice(t *testing.T) {
	h := start(t, options{})
	const phone = "6281200000006"
	caller := types.NewJID(phone, types.DefaultUserServer)
	for i := 0; i < 2; i++ {
		h.wa.Emit(&events.CallOffer{BasicCallMeta: types.BasicCallMeta{From: caller, CallCreator: caller, CallID: fmt.Sprint("call", i)}})
	}
	dedi := h.wa.Person(t, phone)
	notice := dedi.Next()
	dedi.Expect(notice.Text, "panggilan", "pesan suara", "SAPA 129")
	dedi.Expect(dedi.Say("halo"), "selamat datang")
	if n := len(h.wa.SentTo(phone)); n != 2 {
		t.Errorf("%d messages after two calls and a hello, want the notice and the welcome", n)
	}
	// A group call is not answered.
	h.wa.Emit(&events.CallOffer{BasicCallMeta: types.BasicCallMeta{From: caller, CallCreator: types.NewJID("6281200000007", types.DefaultUserServer),
		GroupJID: types.NewJID("120363000000000002", types.GroupServer)}})
	dedi2 := h.wa.Person(t, "6281200000007")
	dedi2.Expect(dedi2.Say("halo"), "selamat datang")
}

// Logged out: WhatsApp stops (Run returns, nothing more is sent) and
// staff are told, so they can link it again.
func TestLoggedOutStopsWhatsAppAndTellsStaff(t *testing.T) {
	h := start(t, options{})
	h.wa.Emit(&events.LoggedOut{Reason: events.ConnectFailureLoggedOut})
	tr := recv(t, h.troubles, "staff to be told")
	if tr.Kind != whatsapp.LoggedOut || !strings.Contains(tr.Text, "klabot whatsapp login") || !strings.Contains(tr.Text, "Telegram tetap berjalan") {
		t.Errorf("trouble = %+v", tr)
	}
	closed(t, h.runDone, "Run to return after the logout")
	if !strings.Contains(h.logs.String(), "WhatsApp stopped: the linked device was logged out") {
		t.Errorf("the logout is not in the log:\n%s", h.logs.String())
	}
	if h.wa.IsConnected() {
		t.Error("still connected")
	}
	err := h.adapter.Send(context.Background(), "6281200000008", message.Outbound{Text: "halo"})
	var se *message.SendError
	if !errors.As(err, &se) || !se.Temporary {
		t.Errorf("send after logout: %v; want a temporary error (the message waits for the next link)", err)
	}
	if n := len(h.wa.Sent()); n != 0 {
		t.Errorf("%d messages sent after the logout", n)
	}
}

// Logged out because WhatsApp banned or locked the number: staff learn
// that linking again will not help until the number is cleared.
func TestLoggedOutByBanSaysSo(t *testing.T) {
	h := start(t, options{})
	h.wa.Emit(&events.LoggedOut{OnConnect: true, Reason: events.ConnectFailureUnknownLogout})
	tr := recv(t, h.troubles, "staff to be told")
	if tr.Kind != whatsapp.LoggedOut || !strings.Contains(tr.Text, "memblokir atau mengunci nomor kantor (kode 406)") {
		t.Errorf("trouble = %+v", tr)
	}
	closed(t, h.runDone, "Run to return")
}

// A second klabot with the same session: this one stops and says so.
func TestStreamReplacedStops(t *testing.T) {
	h := start(t, options{})
	h.wa.Emit(&events.StreamReplaced{})
	tr := recv(t, h.troubles, "staff to be told")
	if tr.Kind != whatsapp.Replaced || !strings.Contains(tr.Text, "klabot lain") {
		t.Errorf("trouble = %+v", tr)
	}
	closed(t, h.runDone, "Run to return after the stream was replaced")
	if h.wa.IsConnected() {
		t.Error("still connected")
	}
}

// WhatsApp refusing the connection for good (here: this client is too
// old, or an unknown refusal) stops WhatsApp and tells staff why.
func TestConnectFailureStops(t *testing.T) {
	cases := map[string]struct {
		evt  any
		want string
	}{
		"outdated": {&events.ClientOutdated{}, "405 client outdated"},
		"refused":  {&events.ConnectFailure{Reason: events.ConnectFailureBadUserAgent, Message: "bad ua"}, "409 bad ua"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			h := start(t, options{})
			h.wa.Emit(c.evt)
			tr := recv(t, h.troubles, "staff to be told")
			if tr.Kind != whatsapp.Failed || !strings.Contains(tr.Text, c.want) {
				t.Errorf("trouble = %+v", tr)
			}
			closed(t, h.runDone, "Run to return")
		})
	}
}

// Network trouble is not the end: whatsmeow reconnects by itself, the
// adapter keeps running, and what could not be sent meanwhile goes once
// the connection is back. Staff are not bothered.
func TestDisconnectThenReconnect(t *testing.T) {
	h := start(t, options{})
	const phone = "6281200000015"
	h.wa.Disconnect()
	h.wa.Emit(&events.Disconnected{})
	h.wa.Emit(&events.KeepAliveTimeout{ErrorCount: 2})
	h.wa.Emit(&events.StreamError{Code: "500"})
	// A message that arrived just before the connection dropped: its
	// answer cannot go yet.
	if _, ok := h.wa.Text(phone, "halo"); !ok {
		t.Fatal("not committed")
	}
	eventually(t, "the answer to be tried while disconnected", func() bool { return attempted(t, h.db) })
	if err := h.wa.Connect(); err != nil {
		t.Fatal(err)
	}
	h.wa.Emit(&events.Connected{})
	if _, err := h.wa.WaitSentTo(waitCtx(t), phone, 1); err != nil {
		t.Fatal("the answer did not go after the reconnect")
	}
	select {
	case <-h.runDone:
		t.Error("Run returned on a disconnect")
	case tr := <-h.troubles:
		t.Errorf("staff told about a disconnect: %+v", tr)
	default:
	}
}

// A temporary ban stops all sending until it ends, and staff are told why
// and until when; what was owed stays queued.
func TestTemporaryBanStopsSending(t *testing.T) {
	now := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC) // 10:00 WIB
	h := start(t, options{now: func() time.Time { return now }})
	h.wa.Emit(&events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: 2 * time.Hour})
	tr := recv(t, h.troubles, "staff to be told about the ban")
	if tr.Kind != whatsapp.Banned || !tr.Until.Equal(now.Add(2*time.Hour)) ||
		!strings.Contains(tr.Text, "tidak menyimpan nomor kantor") || !strings.Contains(tr.Text, "24-11-2026 12:00 WIB") {
		t.Errorf("trouble = %+v", tr)
	}

	err := h.adapter.Send(context.Background(), "6281200000009", message.Outbound{Text: "halo"})
	var se *message.SendError
	if !errors.As(err, &se) || se.RetryAfter != 2*time.Hour {
		t.Errorf("send during the ban: %v; want to wait 2h", err)
	}
	// Someone writes: the message is committed, the answer waits in the outbox.
	if _, ok := h.wa.Text("6281200000009", "halo"); !ok {
		t.Fatal("message not committed during the ban")
	}
	eventually(t, "the sender to try the answer", func() bool { return attempted(t, h.db) })
	if n := len(h.wa.Sent()); n != 0 {
		t.Errorf("%d messages sent during the ban", n)
	}
	// A call during the ban is not answered either: its notice waits in
	// the outbox with the rest.
	caller := types.NewJID("6281200000016", types.DefaultUserServer)
	h.wa.Emit(&events.CallOffer{BasicCallMeta: types.BasicCallMeta{From: caller, CallCreator: caller, CallID: "ban-call"}})
	eventually(t, "the call notice queued", func() bool {
		pending, _, _, err := h.db.OutboxCounts(context.Background(), whatsapp.Name)
		return err == nil && pending == 2
	})
	if n := len(h.wa.Sent()); n != 0 {
		t.Errorf("%d messages sent during the ban", n)
	}
}

// After the ban's time is over, klabot connects again by itself.
func TestReconnectAfterBan(t *testing.T) {
	h := start(t, options{})
	h.wa.Disconnect() // whatsmeow is disconnected by the ban
	h.wa.Emit(&events.TemporaryBan{Code: events.TempBanSentTooManySameMessage, Expire: 20 * time.Millisecond})
	if tr := recv(t, h.troubles, "staff to be told about the ban"); !strings.Contains(tr.Text, "pesan yang sama") {
		t.Errorf("trouble = %+v", tr)
	}
	if err := h.wa.WaitFor(waitCtx(t), func() bool { return h.wa.Connects() >= 2 }); err != nil {
		t.Fatal("no reconnect after the ban")
	}
	// Staff hear that it runs again, slower for a while.
	if tr := recv(t, h.troubles, "staff to be told the ban is over"); tr.Kind != whatsapp.BanOver || !strings.Contains(tr.Text, "berjalan lagi") {
		t.Errorf("trouble = %+v", tr)
	}
	if adv := h.adapter.BulkAdvice(time.Now()); adv.Slower != 2 || adv.Cap != 50 {
		t.Errorf("after the ban: %+v, want half the pace (first week's 100 halved)", adv)
	}
	p := h.wa.Person(t, "6281200000013")
	p.Expect(p.Say("halo"), "selamat datang")
}

// attempted tells whether the one answer owed was tried and held back.
func attempted(t *testing.T, db *store.DB) bool {
	rows, err := db.PendingOutbox(context.Background(), "whatsapp", 10)
	if err != nil {
		t.Fatal(err)
	}
	return len(rows) == 1 && rows[0].Attempts >= 1
}

// Files go out uploaded, with the text as caption; a send error is
// classified for the sender.
func TestSendFileAndErrors(t *testing.T) {
	r := &recorder{}
	wa, adapter, _ := runWith(t, r, whatsapp.Config{})
	path := filepath.Join(t.TempDir(), "rekap.csv")
	if err := os.WriteFile(path, []byte("a,b\n1,2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	err := adapter.Send(ctx, "6281200000010", message.Outbound{Text: "Rekap laporan",
		Attachment: &message.Attachment{Kind: "document", Path: path, Name: "rekap.csv"}})
	if err != nil {
		t.Fatal(err)
	}
	s := wa.SentTo("6281200000010")
	if len(s) != 1 || s[0].Kind != "document" || s[0].Text != "Rekap laporan" || s[0].FileName != "rekap.csv" || string(s[0].Data) != "a,b\n1,2\n" {
		t.Errorf("sent %+v", s)
	}
	err = adapter.Send(ctx, "6281200000011", message.Outbound{Text: "Pilih:", Buttons: []message.Button{{Label: "Ya", Data: "y|1"}, {Label: "Tidak", Data: "n|1"}}})
	if s := wa.SentTo("6281200000011"); err != nil || len(s) != 1 || s[0].Text != "Pilih:\n\n1. Ya\n2. Tidak" {
		t.Errorf("choices: %v %+v", err, s)
	}
	// An alert's command keys show the command to type.
	err = adapter.Send(ctx, "6281200000011", message.Outbound{Text: "LAPORAN BARU", Buttons: []message.Button{
		{Label: "Terima", Data: "/terima LPR-AB12-CD34"}, {Label: "Lihat", Data: "/buka LPR-AB12-CD34"}}})
	if s := wa.SentTo("6281200000011"); err != nil || len(s) != 2 ||
		s[1].Text != "LAPORAN BARU\n\n1. Terima: /terima LPR-AB12-CD34\n2. Lihat: /buka LPR-AB12-CD34" {
		t.Errorf("command keys: %v %q", err, s[len(s)-1].Text)
	}

	// A photo someone sent on WhatsApp goes on by its reference (fetched
	// again); one only Telegram knows leaves the text to go alone.
	var ref string
	id, _ := wa.Deliver(fakewa.Private("6281200000018"), wa.ImageMessage("foto", []byte("JPEG")))
	for _, in := range r.got() {
		if strings.HasSuffix(in.MessageID, string(id)) && in.Input.Media != nil {
			ref = in.Input.Media.Ref
		}
	}
	err = adapter.Send(ctx, "6281200000019", message.Outbound{Text: "Pengumuman", Attachment: &message.Attachment{Kind: "photo", Ref: ref}})
	if s := wa.SentTo("6281200000019"); err != nil || len(s) != 1 || s[0].Kind != "image" || string(s[0].Data) != "JPEG" || s[0].Text != "Pengumuman" {
		t.Errorf("photo by WhatsApp reference: %v %+v", err, s)
	}
	err = adapter.Send(ctx, "6281200000020", message.Outbound{Text: "Pengumuman", Attachment: &message.Attachment{Kind: "photo", Ref: "AgACAgIAAxkBAAI"}})
	if s := wa.SentTo("6281200000020"); err != nil || len(s) != 1 || s[0].Kind != "text" || s[0].Text != "Pengumuman" {
		t.Errorf("photo by Telegram reference: %v %+v", err, s)
	}
	err = adapter.Send(ctx, "6281200000020", message.Outbound{Text: "x", Attachment: &message.Attachment{Kind: "photo", Path: filepath.Join(t.TempDir(), "gone.jpg")}})
	var missing *message.SendError
	if !errors.As(err, &missing) || missing.Temporary || missing.Blocked || missing.RetryAfter > 0 {
		t.Errorf("a missing file: %v, want a permanent error", err)
	}

	wa.NoAccount("6281200000021")
	err = adapter.Send(ctx, "6281200000021", message.Outbound{Text: "x"})
	if se := (*message.SendError)(nil); !errors.As(err, &se) || !se.Blocked || !errors.Is(err, whatsapp.ErrNoWhatsApp) {
		t.Errorf("a number without WhatsApp: %v", err)
	}
	wa.FailNext("6281200000012", fakewa.ErrServer(401), fakewa.ErrServer(479), fakewa.ErrServer(500))
	for _, want := range []string{"permanent", "temporary", "temporary"} {
		err := adapter.Send(ctx, "6281200000012", message.Outbound{Text: "x"})
		var se *message.SendError
		if !errors.As(err, &se) {
			t.Fatalf("error %v is not a SendError", err)
		}
		got := "permanent"
		if se.Blocked {
			got = "blocked"
		} else if se.Temporary {
			got = "temporary"
		}
		if got != want {
			t.Errorf("%v classified %s, want %s", err, got, want)
		}
	}
}

// broadcast queues a bulk message to each of the people (by phone) in one
// transaction, as the broadcast feature will.
func broadcast(t *testing.T, db *store.DB, text string, phones ...string) {
	t.Helper()
	err := db.Tx(context.Background(), func(tx *store.Tx) error {
		for _, phone := range phones {
			id, err := tx.UserIDByContact(store.Contact{Channel: whatsapp.Name, Address: phone})
			if err != nil {
				return err
			}
			out := message.Outbound{Text: text}
			if id == 0 { // never wrote: no contact yet, only an address
				err = bot.NotifyStaff(tx, map[string]bool{whatsapp.Name + ":" + phone: true}, store.PriorityBroadcast, out, time.Now())
			} else {
				err = bot.Notify(tx, id, store.PriorityBroadcast, out, time.Now())
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// bulkSent lists the broadcast messages the fake received, in order.
func bulkSent(wa *fakewa.Client, text string) []fakewa.Sent {
	var out []fakewa.Sent
	for _, s := range wa.Sent() {
		if s.Text == text {
			out = append(out, s)
		}
	}
	return out
}

// A broadcast reaches WhatsApp users one at a time with a pause between
// Min and Max after each, stops at the daily cap, and skips people who
// never wrote to the bot.
func TestBroadcastPacedAndCapped(t *testing.T) {
	const gap = 60 * time.Millisecond
	limits := fast()
	limits.Bulk = &bot.Pacing{Min: gap, Max: gap + 20*time.Millisecond, DailyCap: 3}
	h := start(t, options{limits: limits})
	phones := []string{"6281300000001", "6281300000002", "6281300000003", "6281300000004"}
	for _, phone := range phones {
		p := h.wa.Person(t, phone)
		p.Say("halo")
	}
	const stranger = "6281399999999"
	broadcast(t, h.db, "PENGUMUMAN", append([]string{stranger}, phones...)...)
	h.sender.Wake()

	ctx := waitCtx(t)
	if err := h.wa.WaitFor(ctx, func() bool { return len(bulkSent(h.wa, "PENGUMUMAN")) >= 3 }); err != nil {
		t.Fatal("the broadcast did not go out")
	}
	sent := bulkSent(h.wa, "PENGUMUMAN")
	for i := 1; i < len(sent); i++ {
		// The pause counts from the end of the previous send, so the
		// starts are at least Min apart whatever the machine's speed.
		if d := sent[i].At.Sub(sent[i-1].At); d < gap {
			t.Errorf("bulk messages %d and %d only %s apart, want at least %s", i, i+1, d, gap)
		}
	}
	for i, s := range sent {
		if s.To != phones[i] {
			t.Errorf("bulk message %d went to %s, want %s (queue order)", i+1, s.To, phones[i])
		}
	}
	// The fourth is held back for tomorrow: the pacer says so when it
	// refuses it, after which nothing more goes today.
	h.waitLog("daily cap of bulk messages reached")
	if n := len(bulkSent(h.wa, "PENGUMUMAN")); n != 3 {
		t.Errorf("%d bulk messages sent with a daily cap of 3", n)
	}
	// The stranger's message is failed, not sent; the fourth waits.
	eventually(t, "the stranger's message failed and the capped one pending", func() bool {
		pending, _, failed, err := h.db.OutboxCounts(context.Background(), whatsapp.Name)
		return err == nil && failed == 1 && pending == 1
	})
	if len(h.wa.SentTo(stranger)) != 0 {
		t.Error("a bulk message went to someone who never wrote")
	}
	// Conversation replies are not capped.
	first := h.wa.Person(t, phones[0])
	first.Next() // the welcome
	first.Next() // the broadcast
	first.Expect(first.Say("1"), "Anda siapa")
	if n := len(bulkSent(h.wa, "PENGUMUMAN")); n != 3 {
		t.Errorf("%d bulk messages sent with a daily cap of 3", n)
	}
}

// While bulk messages wait out their pause, replies go at once.
func TestRepliesNotHeldByPacing(t *testing.T) {
	limits := fast()
	limits.Bulk = &bot.Pacing{Min: time.Hour, Max: time.Hour}
	h := start(t, options{limits: limits})
	a, b := h.wa.Person(t, "6281400000001"), h.wa.Person(t, "6281400000002")
	a.Say("halo")
	b.Say("halo")
	broadcast(t, h.db, "PENGINGAT", a.Phone, b.Phone)
	h.sender.Wake()
	a.Expect(a.Next().Text, "PENGINGAT") // the first goes; the second waits an hour
	b.Expect(b.Say("1"), "Anda siapa")   // and b is answered meanwhile
	if n := len(bulkSent(h.wa, "PENGINGAT")); n != 1 {
		t.Errorf("%d reminders sent within the pause", n)
	}
}
