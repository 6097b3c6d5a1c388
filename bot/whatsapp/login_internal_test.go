package whatsapp

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/proto/waHistorySync"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

// waitTime bounds every wait in these tests.
const waitTime = 15 * time.Second

func within[T any](t *testing.T, ch <-chan T, what string) T {
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

// fakeLinker stands in for whatsmeow's client in pairing, status and
// logout: the test feeds the QR channel and the events.
type fakeLinker struct {
	qr        chan whatsmeow.QRChannelItem
	connectOK bool  // Connect brings a Connected event
	logoutErr error // what Logout answers
	mu        sync.Mutex
	handler   whatsmeow.EventHandlerWithSuccessStatus
	history   int
	handlerIn chan struct{} // closed once the handler is set
}

func newFakeLinker() *fakeLinker {
	return &fakeLinker{qr: make(chan whatsmeow.QRChannelItem, 8), handlerIn: make(chan struct{})}
}

func (f *fakeLinker) GetQRChannel(context.Context) (<-chan whatsmeow.QRChannelItem, error) {
	return f.qr, nil
}

func (f *fakeLinker) AddEventHandlerWithSuccessStatus(h whatsmeow.EventHandlerWithSuccessStatus) uint32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handler = h
	close(f.handlerIn)
	return 1
}

func (f *fakeLinker) emit(evt any) bool {
	f.mu.Lock()
	h := f.handler
	f.mu.Unlock()
	return h(evt)
}

func (f *fakeLinker) Connect() error {
	if f.connectOK {
		go f.emit(&events.Connected{})
	}
	return nil
}

func (f *fakeLinker) Disconnect() {}

func (f *fakeLinker) PairPhone(context.Context, string, bool, whatsmeow.PairClientType, string) (string, error) {
	return "ABCD-EFGH", nil
}

func (f *fakeLinker) Logout(context.Context) error { return f.logoutErr }

func (f *fakeLinker) DownloadHistorySync(ctx context.Context, notif *waE2E.HistorySyncNotification, sync bool) (*waHistorySync.HistorySync, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.history++
	return &waHistorySync.HistorySync{}, nil
}

// The login client acknowledges like run: only when its handler says so.
// People's messages that arrive while linking are withheld (run gets
// them), and the first history is stored before it is acknowledged. This
// runs the handler on whatsmeow's own client, as messages come decrypted.
func TestLoginWithholdsPeoplesMessagesAndStoresTheHistory(t *testing.T) {
	s := linkedSession(t, t.TempDir())
	lc := s.linkClient().(*whatsmeow.Client)
	if !lc.SynchronousAck || !lc.EnableDecryptedEventBuffer || !lc.ManualHistorySyncDownload {
		t.Fatalf("login client: SynchronousAck %v, buffer %v, manual history %v; want all on",
			lc.SynchronousAck, lc.EnableDecryptedEventBuffer, lc.ManualHistorySyncDownload)
	}
	w := newWatch(lc, s.log)
	ctx := context.Background()
	ani := types.NewJID("6281200000001", types.DefaultUserServer)
	failed := lc.DangerousInternals().HandleDecryptedMessage(ctx, &types.MessageInfo{
		MessageSource: types.MessageSource{Chat: ani, Sender: ani}, ID: "3EB0ANI", Timestamp: time.Now(),
	}, &waE2E.Message{Conversation: proto.String("tolong")}, 0)
	if !failed {
		t.Error("a person's message written during login was acknowledged: klabot run would never see it")
	}
	own := *s.device.ID
	const migrated = 1750000000
	failed = lc.DangerousInternals().HandleDecryptedMessage(ctx, &types.MessageInfo{
		MessageSource: types.MessageSource{Chat: own.ToNonAD(), Sender: own, IsFromMe: true},
		ID:            "3EB0HISTORY", Timestamp: time.Now(), Category: "peer",
	}, historyMessage(t, migrated), 0)
	if failed {
		t.Error("the history was not acknowledged")
	}
	within(t, w.synced, "the history to count as stored")
	if lc.Store.LIDMigrationTimestamp != migrated {
		t.Errorf("LID migration %d when login may end, want %d", lc.Store.LIDMigrationTimestamp, migrated)
	}
}

// Pairing shows codes, ignores items it does not know (newer whatsmeow
// versions add passkeys), and after success says to wait, and waits for
// the reconnection and the phone's history before it returns.
func TestPairingWaitsForTheHistoryAndIgnoresUnknownItems(t *testing.T) {
	s, err := OpenSession(context.Background(), t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f := newFakeLinker()
	s.newLinker = func() linker { return f }
	codes := make(chan string, 4)
	preparing := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() {
		done <- s.PairQR(context.Background(), func(code string) { codes <- code }, func() { preparing <- struct{}{} })
	}()
	f.qr <- whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventCode, Code: "2@first"}
	if c := within(t, codes, "the first code"); c != "2@first" {
		t.Errorf("code %q", c)
	}
	f.qr <- whatsmeow.QRChannelItem{Event: "passkey-request"}
	f.qr <- whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventCode, Code: "2@second"}
	if c := within(t, codes, "the code after an unknown item"); c != "2@second" {
		t.Errorf("code %q", c)
	}
	f.qr <- whatsmeow.QRChannelSuccess
	within(t, preparing, "the wait to be announced")
	<-f.handlerIn
	f.emit(&events.Connected{})
	ani := types.NewJID("6281200000001", types.DefaultUserServer)
	if f.emit(&events.Message{Info: types.MessageInfo{MessageSource: types.MessageSource{Chat: ani, Sender: ani}},
		Message: &waE2E.Message{Conversation: proto.String("halo")}}) {
		t.Error("a person's message during login was acknowledged")
	}
	select {
	case err := <-done:
		t.Fatalf("pairing ended (%v) before the phone's history came", err)
	default:
	}
	own := types.NewJID("6281200000000", types.DefaultUserServer)
	hist := historyMessage(t, 1750000000)
	if !f.emit(&events.Message{Info: types.MessageInfo{MessageSource: types.MessageSource{Chat: own, Sender: own, IsFromMe: true}}, Message: hist}) {
		t.Error("the history was not acknowledged")
	}
	if err := within(t, done, "pairing to end"); err != nil {
		t.Fatal(err)
	}
	if f.history != 1 {
		t.Errorf("history downloaded %d times", f.history)
	}
}

// Logout deletes the session here only when WhatsApp confirmed it, or
// said the link is gone already, or with force when WhatsApp does not
// answer; never when interrupted.
func TestLogoutOnlyWhenConfirmed(t *testing.T) {
	cases := []struct {
		name      string
		connect   bool
		logoutErr error
		gone      bool // WhatsApp says the link was removed on the phone
		cancel    bool // Ctrl+C
		force     bool
		want      error
		kept      bool
	}{
		{name: "confirmed", connect: true, want: nil, kept: false},
		{name: "refused", connect: true, logoutErr: errors.New("timeout"), want: ErrLogoutUnconfirmed, kept: true},
		{name: "refused, forced", connect: true, logoutErr: errors.New("timeout"), force: true, want: ErrLogoutLocalOnly, kept: false},
		{name: "no answer", want: ErrLogoutUnconfirmed, kept: true},
		{name: "no answer, forced", force: true, want: ErrLogoutLocalOnly, kept: false},
		{name: "interrupted, forced", cancel: true, force: true, want: ErrLogoutUnconfirmed, kept: true},
		{name: "gone already", gone: true, want: nil, kept: false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s := linkedSession(t, dir)
			s.wait = 50 * time.Millisecond // WhatsApp's silence, shortened
			if c.cancel || c.gone {
				s.wait = time.Hour // only the cancel or WhatsApp's word ends it
			}
			f := newFakeLinker()
			f.connectOK, f.logoutErr = c.connect, c.logoutErr
			s.newLinker = func() linker { return f }
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if c.cancel {
				cancel()
			}
			if c.gone {
				go func() { <-f.handlerIn; f.emit(&events.LoggedOut{}) }()
			}
			err := s.Logout(ctx, c.force)
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Errorf("logout: %v, want %v", err, c.want)
			}
			dev, derr := s.container.GetFirstDevice(context.Background())
			if derr != nil {
				t.Fatal(derr)
			}
			// whatsmeow's own Logout deletes the device when confirmed;
			// the fake does not, so "confirmed" only checks the answer.
			if c.name != "confirmed" && (dev.ID != nil) != c.kept {
				t.Errorf("session kept %v, want %v", dev.ID != nil, c.kept)
			}
		})
	}
}

// Status asks WhatsApp: the link works, is gone, or cannot be checked.
func TestCheckAsksWhatsApp(t *testing.T) {
	s := linkedSession(t, t.TempDir())
	s.wait = 50 * time.Millisecond
	for _, c := range []struct {
		connect, gone bool
		want          LinkState
	}{{connect: true, want: LinkWorks}, {gone: true, want: LinkGone}, {want: LinkUnknown}} {
		f := newFakeLinker()
		f.connectOK = c.connect
		s.newLinker = func() linker { return f }
		if c.gone {
			s.wait = time.Hour
			go func() { <-f.handlerIn; f.emit(&events.LoggedOut{}) }()
		}
		if got := s.Check(context.Background()); got != c.want {
			t.Errorf("check: %v, want %v", got, c.want)
		}
		s.wait = 50 * time.Millisecond
	}
}
