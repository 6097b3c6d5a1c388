package whatsapp

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/proto/waHistorySync"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types/events"
)

// SessionFile is the name of whatsmeow's session database in the data
// folder. It holds the keys of the office's WhatsApp account.
const SessionFile = "whatsapp.db"

// ErrNotPaired says there is no stored session: the number must be linked
// with "klabot whatsapp login" first.
var ErrNotPaired = errors.New("no WhatsApp number is linked")

// ErrLogoutLocalOnly says the session was deleted here but WhatsApp could
// not be told, so the phone still lists the linked device.
var ErrLogoutLocalOnly = errors.New("WhatsApp could not be reached; the session was deleted here only")

// ErrLogoutUnconfirmed says WhatsApp did not confirm the logout, so the
// session was kept.
var ErrLogoutUnconfirmed = errors.New("WhatsApp did not confirm the logout; the session is kept")

// Session is the office number's link to WhatsApp, kept by whatsmeow's
// sqlstore in its own SQLite file next to klabot.db.
type Session struct {
	container *sqlstore.Container
	device    *store.Device
	log       *slog.Logger
	newLinker func() linker // tests fake whatsmeow's client
	wait      time.Duration // for WhatsApp's answer in status and logout; tests shorten it
}

// OpenSession opens (creating if needed, with mode 0600) the session file
// in dataDir. No network is used.
func OpenSession(ctx context.Context, dataDir string, log *slog.Logger) (*Session, error) {
	path := filepath.Join(dataDir, SessionFile)
	// Created here so that it gets 0600, like klabot.db.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create whatsapp session file: %w", err)
	}
	f.Close()
	// Also when it was made by someone else first (SQLite gives its
	// journal files the same mode).
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, fmt.Errorf("protect whatsapp session file: %w", err)
	}
	// whatsmeow refuses to run without foreign keys; immediate transactions
	// keep its several connections from failing with "database is locked".
	dsn := "file:" + path + "?_foreign_keys=on&_journal_mode=WAL&_busy_timeout=5000&_txlock=immediate"
	container, err := sqlstore.New(ctx, "sqlite3", dsn, newWALogger(log))
	if err != nil {
		return nil, fmt.Errorf("open whatsapp session: %w", err)
	}
	device, err := container.GetFirstDevice(ctx)
	if err != nil {
		container.Close()
		return nil, fmt.Errorf("read whatsapp session: %w", err)
	}
	return &Session{container: container, device: device, log: log}, nil
}

// Close closes the session file.
func (s *Session) Close() error { return s.container.Close() }

// Phone is the linked number ("6281234567890"), or "" if none is linked.
func (s *Session) Phone() string {
	if s.device.ID == nil {
		return ""
	}
	return s.device.ID.User
}

// Client makes the client "klabot run" uses. It fails with ErrNotPaired
// when no number is linked.
func (s *Session) Client() (Client, error) {
	if s.device.ID == nil {
		return nil, ErrNotPaired
	}
	c := s.newClient()
	// A message is acknowledged only after the handler returns true, that
	// is after it is committed; the decrypted copy is kept until then, so
	// a redelivery after a crash can still be read.
	c.SynchronousAck = true
	c.EnableDecryptedEventBuffer = true
	// A message that cannot be decrypted is asked for again from the
	// office phone: nothing a person sends should be lost.
	c.AutomaticMessageRerequestFromPhone = true
	// The history the phone sends after linking is left to whatsmeow
	// (ManualHistorySyncDownload stays off): klabot ignores the chats in
	// it, and whatsmeow keeps only what it needs from it, above all the
	// moment the account moved to LIDs. Without that moment whatsmeow
	// replies to a phone number where WhatsApp now expects the LID, and
	// WhatsApp drops such a message without an error.
	// Start even while the network is down, and keep trying.
	c.InitialAutoReconnect = true
	// whatsmeow waits 2 s longer after each failed try, without end: after
	// a day offline the next try would be ten minutes away. A minute at
	// most brings WhatsApp back soon after the office's internet.
	c.AutoReconnectHook = func(error) bool {
		c.AutoReconnectErrors = min(c.AutoReconnectErrors, maxReconnectTries)
		return true
	}
	return realClient{c}, nil
}

// maxReconnectTries caps whatsmeow's reconnect wait (2 s a try) at a minute.
const maxReconnectTries = 30

func (s *Session) newClient() *whatsmeow.Client {
	store.SetOSInfo("klabot", [3]uint32{1, 0, 0}) // the name the phone shows for the linked device
	return whatsmeow.NewClient(s.device, newWALogger(s.log))
}

// linker is the part of whatsmeow's client that linking, checking and
// unlinking use; *whatsmeow.Client provides it, tests a fake.
type linker interface {
	GetQRChannel(ctx context.Context) (<-chan whatsmeow.QRChannelItem, error)
	AddEventHandlerWithSuccessStatus(handler whatsmeow.EventHandlerWithSuccessStatus) uint32
	Connect() error
	Disconnect()
	PairPhone(ctx context.Context, phone string, showPushNotification bool, clientType whatsmeow.PairClientType, clientDisplayName string) (string, error)
	Logout(ctx context.Context) error
	DownloadHistorySync(ctx context.Context, notif *waE2E.HistorySyncNotification, synchronousStorage bool) (*waHistorySync.HistorySync, error)
}

// linkClient is the client for login, status and logout. Like "klabot
// run" it acknowledges a message only when its handler says so, and keeps
// the decrypted copy until then; the handler (watch) withholds people's
// messages, so "klabot run" receives them later. The history the phone
// sends is taken in by the handler, before login ends.
func (s *Session) linkClient() linker {
	if s.newLinker != nil {
		return s.newLinker()
	}
	c := s.newClient()
	c.SynchronousAck = true
	c.EnableDecryptedEventBuffer = true
	c.ManualHistorySyncDownload = true
	return c
}

// watch follows a link client's events for login, status and logout.
type watch struct {
	c         linker
	log       *slog.Logger
	connected chan struct{} // a connection is up
	loggedOut chan struct{} // WhatsApp says the link is gone
	synced    chan struct{} // the first history is stored
	syncOnce  sync.Once
}

func newWatch(c linker, log *slog.Logger) *watch {
	w := &watch{c: c, log: log, connected: make(chan struct{}, 1), loggedOut: make(chan struct{}, 1), synced: make(chan struct{})}
	c.AddEventHandlerWithSuccessStatus(w.handle)
	return w
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// handle is the link client's event handler: false withholds the
// acknowledgement, and WhatsApp delivers the message again later.
func (w *watch) handle(evt any) bool {
	switch e := evt.(type) {
	case *events.Connected:
		signal(w.connected)
	case *events.LoggedOut:
		signal(w.loggedOut)
	case *events.Message:
		if notif := e.Message.GetProtocolMessage().GetHistorySyncNotification(); notif != nil && e.Info.IsFromMe {
			// Stored before it is acknowledged: it carries the moment the
			// account moved to LIDs, which replies need.
			ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
			defer cancel()
			if _, err := w.c.DownloadHistorySync(ctx, notif, true); err != nil {
				w.log.Warn("take in the phone's history", "err", hide(err))
				return false // sent again
			}
			w.syncOnce.Do(func() { close(w.synced) })
			return true
		}
		if private(e.Info) {
			return false // for "klabot run" to answer
		}
	}
	return true
}

// pairTimeout bounds waiting for the first connection after pairing.
const pairTimeout = 60 * time.Second

// historyTimeout bounds waiting for the phone's first history after
// linking; the phone sends it within a minute or two when it is online.
const historyTimeout = 3 * time.Minute

// PairQR links a number by QR code. show is called with each code to
// display (a new one every 20 seconds or so) until the phone scans one;
// preparing when the link is made and login waits for the phone's first
// history, which must not be cut short.
func (s *Session) PairQR(ctx context.Context, show func(code string), preparing func()) error {
	return s.pair(ctx, func(c linker, code string) error {
		show(code)
		return nil
	}, preparing)
}

// PairPhone links a number by an 8-character code that the phone asks for
// ("Link with phone number instead"). phone is the number as 62812….
func (s *Session) PairPhone(ctx context.Context, phone string, show func(code string), preparing func()) error {
	asked := false
	return s.pair(ctx, func(c linker, _ string) error {
		if asked {
			return nil // later QR codes are not needed
		}
		asked = true
		code, err := c.PairPhone(ctx, phone, true, whatsmeow.PairClientChrome, "Chrome (Linux)")
		if err != nil {
			return fmt.Errorf("ask WhatsApp for a pairing code: %w", hide(err))
		}
		show(code)
		return nil
	}, preparing)
}

// pair connects without a session and follows whatsmeow's QR channel. Its
// first code means the connection is ready (also for phone pairing).
func (s *Session) pair(ctx context.Context, onCode func(linker, string) error, preparing func()) error {
	if s.device.ID != nil {
		return fmt.Errorf("already linked to +%s; run \"klabot whatsapp logout\" first", s.Phone())
	}
	c := s.linkClient()
	defer c.Disconnect()
	qr, err := c.GetQRChannel(ctx)
	if err != nil {
		return fmt.Errorf("start pairing: %w", err)
	}
	w := newWatch(c, s.log)
	if err := c.Connect(); err != nil {
		return fmt.Errorf("connect to WhatsApp: %w", hide(err))
	}
	for {
		var item whatsmeow.QRChannelItem
		var open bool
		// whatsmeow closes the channel when ctx ends only while it shows
		// codes; before the first code only this select sees it.
		select {
		case <-ctx.Done():
			return fmt.Errorf("pairing took too long: %w", ctx.Err())
		case item, open = <-qr:
		}
		if !open {
			if ctx.Err() != nil {
				return fmt.Errorf("pairing took too long: %w", ctx.Err())
			}
			return errors.New("pairing ended without a result")
		}
		switch item.Event {
		case whatsmeow.QRChannelEventCode:
			if err := onCode(c, item.Code); err != nil {
				return err
			}
		case whatsmeow.QRChannelSuccess.Event:
			preparing()
			s.settle(ctx, w)
			return nil
		case whatsmeow.QRChannelTimeout.Event:
			return errors.New("the code was not used in time; run the command again")
		case whatsmeow.QRChannelScannedWithoutMultidevice.Event:
			// WhatsApp goes on with new codes: scanning again may work.
			s.log.Warn("the phone's WhatsApp is too old to link devices; update it and scan again")
		case whatsmeow.QRChannelClientOutdated.Event:
			return errors.New("WhatsApp says this klabot is too old to link: update klabot")
		case whatsmeow.QRChannelEventError:
			return fmt.Errorf("pairing failed: %w", hide(item.Error))
		case whatsmeow.QRChannelErrUnexpectedEvent.Event:
			return errors.New("pairing failed: WhatsApp answered out of turn; run the command again")
		default:
			// Newer whatsmeow versions add kinds of items (passkeys...):
			// not a reason to give up on the codes that work.
			s.log.Warn("pairing: an event klabot does not know; ignored", "event", item.Event)
		}
	}
}

// settle waits, after pairing, for the connection WhatsApp makes again
// and then for the phone's first history to be stored.
func (s *Session) settle(ctx context.Context, w *watch) {
	t := time.NewTimer(pairTimeout)
	defer t.Stop()
	select {
	case <-w.connected:
	case <-t.C:
		s.log.Warn("linked, but the first connection did not come up in time; klabot run will retry")
		return
	case <-ctx.Done():
		return
	}
	h := time.NewTimer(historyTimeout)
	defer h.Stop()
	select {
	case <-w.synced:
	case <-h.C:
		s.log.Warn("linked, but the phone did not send its history in time; replies to some people may not arrive until it does (keep the phone online)")
	case <-ctx.Done():
		s.log.Warn("login stopped before the phone's history was taken in; replies to some people may not arrive")
	}
}

// LinkState is what WhatsApp says of the link.
type LinkState int

const (
	// LinkUnknown: WhatsApp could not be asked (no answer in time).
	LinkUnknown LinkState = iota
	// LinkWorks: WhatsApp accepted the link just now.
	LinkWorks
	// LinkGone: WhatsApp says the link was removed.
	LinkGone
)

// checkTimeout bounds status's and logout's wait for WhatsApp.
const checkTimeout = 20 * time.Second

// connectLink starts connecting a link client in the background (a dial
// into a dead network may take long; callers bound the wait) and returns
// it, its watch and where a failed connect is told.
func (s *Session) connectLink() (linker, *watch, <-chan error) {
	c := s.linkClient()
	w := newWatch(c, s.log)
	failed := make(chan error, 1)
	go func() {
		if err := c.Connect(); err != nil {
			failed <- err
		}
	}()
	return c, w, failed
}

// Check connects briefly to ask WhatsApp whether the link works. People's
// messages that arrive meanwhile are left for "klabot run". Never call it
// while "klabot run" uses the session: WhatsApp would disconnect the one
// or the other.
func (s *Session) Check(ctx context.Context) LinkState {
	if s.device.ID == nil {
		return LinkGone
	}
	c, w, failed := s.connectLink()
	defer c.Disconnect()
	t := time.NewTimer(cmp.Or(s.wait, checkTimeout))
	defer t.Stop()
	select {
	case err := <-failed:
		s.log.Debug("check the WhatsApp link", "err", hide(err))
	case <-w.connected:
		return LinkWorks
	case <-w.loggedOut:
		return LinkGone
	case <-t.C:
	case <-ctx.Done():
	}
	return LinkUnknown
}

// Logout unlinks the number: WhatsApp is told, so the phone drops the
// linked device, and only once WhatsApp confirmed it (or says the link
// is gone already) is the session deleted here. When WhatsApp does not
// answer, or ctx ends (Ctrl+C), nothing is deleted and
// ErrLogoutUnconfirmed is returned; with force, a slow or refused logout
// deletes the session here all the same, returning ErrLogoutLocalOnly:
// remove the device on the phone then.
func (s *Session) Logout(ctx context.Context, force bool) error {
	if s.device.ID == nil {
		return ErrNotPaired
	}
	c, w, failed := s.connectLink()
	defer c.Disconnect()
	t := time.NewTimer(cmp.Or(s.wait, checkTimeout))
	defer t.Stop()
	select {
	case err := <-failed:
		s.log.Warn("connect to WhatsApp to log out", "err", hide(err))
	case <-w.connected:
		err := c.Logout(ctx)
		if err == nil {
			return nil // whatsmeow deleted the session too
		}
		s.log.Warn("whatsapp logout request failed", "err", hide(err))
	case <-w.loggedOut:
		// Already logged out on the phone: only the session here is
		// left (whatsmeow deletes it too; deleting twice is harmless).
		c.Disconnect()
		return s.deleteDevice(ctx)
	case <-t.C:
	case <-ctx.Done():
	}
	if !force || ctx.Err() != nil {
		return ErrLogoutUnconfirmed
	}
	c.Disconnect()
	if err := s.deleteDevice(ctx); err != nil {
		return err
	}
	return ErrLogoutLocalOnly
}

func (s *Session) deleteDevice(ctx context.Context) error {
	err := s.device.Delete(context.WithoutCancel(ctx))
	if err != nil && !errors.Is(err, sqlstore.ErrDeviceIDMustBeSet) {
		return fmt.Errorf("delete whatsapp session: %w", err)
	}
	return nil
}

// versionTimeout bounds asking web.whatsapp.com for its version: an
// office without internet at start must not wait long.
const versionTimeout = 10 * time.Second

// UpdateVersion asks WhatsApp which version of its web client is current
// and presents klabot as that, when it is newer than the one this klabot
// was built with: WhatsApp refuses clients that fall too far behind. When
// WhatsApp cannot be asked, the built-in version is used, quietly. hc nil
// is http.DefaultClient. Call it before connecting.
func UpdateVersion(ctx context.Context, hc *http.Client, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, versionTimeout)
	defer cancel()
	built := store.GetWAVersion()
	latest, err := whatsmeow.GetLatestVersion(ctx, hc)
	if err != nil {
		log.Debug("ask WhatsApp for its current version; using the built-in one", "version", built.String(), "err", err)
		return
	}
	if latest[0] != built[0] || latest[1] != built[1] || latest[2] <= built[2] {
		return
	}
	store.SetWAVersion(*latest)
	log.Info("presenting klabot as WhatsApp's current web version; update klabot soon", "built", built.String(), "current", latest.String())
}
