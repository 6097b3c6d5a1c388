package whatsapp

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/proto/waHistorySync"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"
)

// linkedSession is a session in dir with a linked device, as pairing
// leaves it.
func linkedSession(t *testing.T, dir string) *Session {
	t.Helper()
	ctx := context.Background()
	s, err := OpenSession(ctx, dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	own := types.NewADJID("6281200000000", 0, 12)
	s.device = s.container.NewDevice()
	s.device.ID = &own
	s.device.PushName = "Kantor"
	s.device.Account = &waAdv.ADVSignedDeviceIdentity{Details: []byte{1},
		AccountSignature: make([]byte, 64), AccountSignatureKey: make([]byte, 32), DeviceSignature: make([]byte, 64)}
	if err := s.device.Save(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// linkedClient is the client "klabot run" makes for a session in dir with
// a linked device, as pairing leaves it, and the device's own id.
func linkedClient(t *testing.T, dir string) (*whatsmeow.Client, types.JID) {
	t.Helper()
	s := linkedSession(t, dir)
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	return c.(realClient).Client, *s.device.ID
}

// The first history the phone sends after linking says since when the
// account talks to people by LID. whatsmeow sends a reply to a phone number
// to the LID only once it knows that moment (send.go), and it learns it only
// from a history it takes in itself. This runs whatsmeow's own handling of
// such a history, as it arrives decrypted from the office phone.
func TestLinkedClientLearnsWhenTheAccountMovedToLIDs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	wm, own := linkedClient(t, dir)

	const migrated = 1750000000
	msg := historyMessage(t, migrated)
	self := own.ToNonAD()
	info := &types.MessageInfo{
		MessageSource: types.MessageSource{Chat: self, Sender: own, IsFromMe: true},
		ID:            "3EB0HISTORY", Timestamp: time.Now(), Category: "peer",
	}
	wm.DangerousInternals().HandleDecryptedMessage(ctx, info, msg, 0)

	// whatsmeow stores it in the background; read it as the next start does.
	deadline := time.Now().Add(10 * time.Second)
	for {
		again, err := sqlstore.New(ctx, "sqlite3", "file:"+filepath.Join(dir, SessionFile)+"?_foreign_keys=on&_busy_timeout=5000", nil)
		if err != nil {
			t.Fatal(err)
		}
		dev, err := again.GetFirstDevice(ctx)
		again.Close()
		if err != nil {
			t.Fatal(err)
		}
		if dev.LIDMigrationTimestamp == migrated {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("LID migration moment stored: %d, want %d: replies would go to phone numbers", dev.LIDMigrationTimestamp, migrated)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// historyMessage is the first history the phone sends after linking, as
// it arrives decrypted: inline, saying since when the account uses LIDs.
func historyMessage(t *testing.T, migrated int64) *waE2E.Message {
	t.Helper()
	raw, err := proto.Marshal(&waHistorySync.HistorySync{
		SyncType:       waHistorySync.HistorySync_INITIAL_BOOTSTRAP.Enum(),
		GlobalSettings: &waHistorySync.GlobalSettings{ChatDbLidMigrationTimestamp: proto.Int64(migrated)},
	})
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(raw)
	zw.Close()
	return &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
		Type: waE2E.ProtocolMessage_HISTORY_SYNC_NOTIFICATION.Enum(),
		HistorySyncNotification: &waE2E.HistorySyncNotification{
			SyncType:                          waE2E.HistorySyncType_INITIAL_BOOTSTRAP.Enum(),
			InitialHistBootstrapInlinePayload: z.Bytes(),
		},
	}}
}

// After many failed tries the wait before the next reconnect stays at a
// minute, not growing by 2 s a try for as long as the outage lasts.
func TestReconnectWaitCapped(t *testing.T) {
	wm, _ := linkedClient(t, t.TempDir())
	wm.AutoReconnectErrors = 300 // a day of failed tries
	if !wm.AutoReconnectHook(errors.New("dial tcp: no route to host")) {
		t.Fatal("gave up reconnecting")
	}
	if wait := time.Duration(wm.AutoReconnectErrors) * 2 * time.Second; wait > time.Minute {
		t.Errorf("next try in %s, want at most a minute", wait)
	}
}
