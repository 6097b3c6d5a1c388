package whatsapp

import (
	"bytes"
	"errors"
	"klabot/bot/message"
	"log/slog"
	"strings"
	"testing"

	"go.mau.fi/whatsmeow"
)

// People's numbers and LIDs never reach the logs, from whatsmeow or from
// send errors.
func TestLogsHideNumbers(t *testing.T) {
	var buf bytes.Buffer
	log := newWALogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	log.Warnf("Error decrypting message %s from %s", "3EB0ABC", "6281234567890:12@s.whatsapp.net")
	log.Sub("Client").Errorf("no session with 201234567890123.1:3@lid")
	log.Sub("Recv").Debugf("<message from=%q>", "6281234567890@s.whatsapp.net") // raw frames: dropped
	log.Infof("Got LID 209999999999999 for +6281234567891 (message 3EB0C431D1E6A0B4F5E7)")
	if out := buf.String(); strings.Contains(out, "6281234567890") || strings.Contains(out, "201234567890123") ||
		strings.Contains(out, "209999999999999") || strings.Contains(out, "6281234567891") ||
		!strings.Contains(out, "3EB0ABC") || !strings.Contains(out, "3EB0C431D1E6A0B4F5E7") || strings.Contains(out, "<message") {
		t.Errorf("log:\n%s", out)
	}

	err := classify(errors.New("failed to get user info for 6281234567890@s.whatsapp.net to fill LID cache: no LID found for 6281234567890@s.whatsapp.net from server"))
	var se *message.SendError
	if !errors.As(err, &se) || !se.Blocked || strings.Contains(err.Error(), "6281234567890") {
		t.Errorf("classified %v (blocked %v)", err, se != nil && se.Blocked)
	}
	if err := classify(whatsmeow.ErrNotConnected); !errors.Is(err, whatsmeow.ErrNotConnected) {
		t.Error("hiding numbers lost the error's identity")
	}
}
