package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	wastore "go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"klabot/bot"
	"klabot/store"
)

// inbox is a Receiver that commits into a list, or fails while failing is
// set.
type inbox struct {
	mu      sync.Mutex
	got     []bot.Inbound
	failing bool
}

func (r *inbox) Submit(ctx context.Context, in bot.Inbound) <-chan error {
	done := make(chan error, 1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failing {
		done <- errors.New("disk I/O error")
	} else {
		r.got = append(r.got, in)
		done <- nil
	}
	return done
}

// klabot's event handler on whatsmeow's own client (not the fake): a
// message comes through whatsmeow's decrypted-message path and is
// acknowledged only once committed; calls, bans and a logout arrive as
// whatsmeow dispatches them; and a phone asking for a message again after
// a restart is answered from the outbox.
func TestHandlerOnWhatsmeowsClient(t *testing.T) {
	dir := t.TempDir()
	wm, _ := linkedClient(t, dir)
	db, err := store.Open(context.Background(), filepath.Join(dir, "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	troubles := make(chan Trouble, 4)
	w := New(realClient{wm}, Config{Memory: bot.NewMemory(db, Name), Backoff: func(int) time.Duration { return time.Millisecond },
		OnTrouble: func(tr Trouble) { troubles <- tr }}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	defer func() {
		cancel()
		w.mu.Lock()
		w.closing = true
		w.mu.Unlock()
		w.wg.Wait()
	}()
	r := &inbox{}
	w.ctx, w.receiver = ctx, r
	wm.AddEventHandlerWithSuccessStatus(w.handle)
	in := wm.DangerousInternals()

	ani := types.NewJID("6281200000001", types.DefaultUserServer)
	info := &types.MessageInfo{MessageSource: types.MessageSource{Chat: ani, Sender: ani}, ID: "3EB0A1", Timestamp: time.Now()}
	// A disappearing message, wrapped as it arrives: whatsmeow unwraps it.
	msg := &waE2E.Message{EphemeralMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{Conversation: proto.String("halo")}}}
	if failed := in.HandleDecryptedMessage(ctx, info, msg, 0); failed {
		t.Error("a committed message was not acknowledged")
	}
	r.mu.Lock()
	if len(r.got) != 1 || r.got[0].Input.Text != "halo" || r.got[0].ChatID != "6281200000001" {
		t.Errorf("committed %+v", r.got)
	}
	r.failing = true
	r.mu.Unlock()
	info.ID = "3EB0A2"
	if failed := in.HandleDecryptedMessage(ctx, info, msg, 0); !failed {
		t.Error("a message that could not be committed was acknowledged")
	}

	// A call from someone who wrote: the notice is queued in the outbox.
	if failed := in.DispatchEvent(&events.CallOffer{BasicCallMeta: types.BasicCallMeta{From: ani, CallCreator: ani, CallID: "c1"}}); failed {
		t.Error("call event failed")
	}
	deadline := time.Now().Add(waitTime)
	for {
		pending, _, _, err := db.OutboxCounts(ctx, Name)
		if err == nil && pending == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("call notice not queued: %d pending (%v)", pending, err)
		}
		time.Sleep(5 * time.Millisecond)
	}

	// A ban, then the link removed on the phone.
	in.DispatchEvent(&events.TemporaryBan{Code: events.TempBanBlockedByUsers, Expire: time.Hour})
	if tr := within(t, troubles, "the ban"); tr.Kind != Banned {
		t.Errorf("trouble %+v", tr)
	}
	in.DispatchEvent(&events.LoggedOut{Reason: events.ConnectFailureLoggedOut})
	if tr := within(t, troubles, "the logout"); tr.Kind != LoggedOut {
		t.Errorf("trouble %+v", tr)
	}

	// The notice's message, as the outbox stored it before sending.
	rows, err := db.PendingOutbox(ctx, Name, 10)
	if err != nil || len(rows) != 1 {
		t.Fatalf("outbox %v %v", rows, err)
	}
	raw, _ := proto.Marshal(&waE2E.Message{Conversation: proto.String("notice")})
	if err := db.SaveWhatsAppParts(ctx, rows[0].ID, []store.WhatsAppPart{{MessageID: "3EB0STORED", Message: raw}}); err != nil {
		t.Fatal(err)
	}
	receipt := &events.Receipt{MessageSource: types.MessageSource{Chat: ani, Sender: ani}}
	if _, err := in.GetMessageForRetry(ctx, receipt, "3EB0STORED"); err != nil {
		t.Errorf("a message sent before a restart, asked for again: %v", err)
	}
	if _, err := in.GetMessageForRetry(ctx, receipt, "3EB0UNKNOWN"); err == nil {
		t.Error("an unknown message was found")
	}
}

// 479 is tried again a few times for one outbox row, then given up.
func TestServerError479GivenUpAfterAFewTries(t *testing.T) {
	w := New(nil, Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	err479 := fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 479)
	for try := 1; try <= max479; try++ {
		var se *bot.SendError
		if !errors.As(w.classify(7, err479), &se) || se.Temporary != (try < max479) {
			t.Errorf("try %d: %+v", try, se)
		}
	}
}

// A newly linked number starts at 100 paced messages a day and rises by
// 50 a week (the pacer keeps it within the configured cap); after a ban, half, twice as slow.
func TestBulkAdviceRampsAndSlowsAfterABan(t *testing.T) {
	w := New(nil, Config{DailyCap: 200}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	linked := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	w.linkedSince = linked
	for _, c := range []struct {
		days int
		cap  int
	}{{0, 100}, {6, 100}, {7, 150}, {14, 200}, {56, 500}} {
		if got := w.BulkAdvice(linked.AddDate(0, 0, c.days)).Cap; got != c.cap {
			t.Errorf("day %d: cap %d, want %d", c.days, got, c.cap)
		}
	}
	w.banEnded = linked.AddDate(0, 0, 30)
	adv := w.BulkAdvice(linked.AddDate(0, 0, 40))
	if adv.Cap != 100 || adv.Slower != 2 {
		t.Errorf("after a ban: %+v", adv)
	}
	if adv := w.BulkAdvice(linked.AddDate(0, 0, 61)); adv.Slower != 0 {
		t.Errorf("a month after the ban: %+v", adv)
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// The web client version: taken from WhatsApp when newer, the built-in
// one kept quietly when WhatsApp cannot be asked.
func TestUpdateVersion(t *testing.T) {
	built := wastore.GetWAVersion()
	defer wastore.SetWAVersion(built)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	offline := &http.Client{Transport: roundTrip(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("dial tcp: no route to host")
	})}
	UpdateVersion(context.Background(), offline, log)
	if wastore.GetWAVersion() != built {
		t.Errorf("version changed without an answer: %v", wastore.GetWAVersion())
	}
	newer := built
	newer[2]++
	page := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		body := `<script>{"client_revision":` + strings.TrimPrefix(newer.String(), "2.3000.") + `,"x":1}</script>`
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	})}
	UpdateVersion(context.Background(), page, log)
	if wastore.GetWAVersion() != newer {
		t.Errorf("version %v, want %v", wastore.GetWAVersion(), newer)
	}
}
