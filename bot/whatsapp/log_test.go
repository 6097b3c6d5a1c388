package whatsapp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"go.mau.fi/whatsmeow"

	"klabot/bot/message"
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

	w := New(nil, Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	err := w.classify(0, fmt.Errorf("send to 6281234567890@s.whatsapp.net: %w 401", whatsmeow.ErrServerReturnedError))
	var se *message.SendError
	if !errors.As(err, &se) || se.Temporary || strings.Contains(err.Error(), "6281234567890") {
		t.Errorf("classified %v", err)
	}
	if err := w.classify(0, whatsmeow.ErrNotConnected); !errors.Is(err, whatsmeow.ErrNotConnected) {
		t.Error("hiding numbers lost the error's identity")
	}
}

// whatsmeow's lines that dump a node or an event carry people's names:
// hidden like numbers.
func TestLogsHideNames(t *testing.T) {
	for _, line := range []string{
		`Node handling is taking long for <message from="…@s.whatsapp.net" id="3EB0AA" notify="Ani Lestari" t="1764900000" type="text"><enc/></message>`,
		`Unhandled event &{JID:…@s.whatsapp.net Timestamp:2026-12-05 OldPushName:Ani Lestari NewPushName:Ani L. Kartika}`,
		`history push names: [{"id":"…","pushname":"Ani Lestari"}]`,
		`business name update: VerifiedName=Ani Lestari Store`,
	} {
		out := redact(line)
		if strings.Contains(out, "Ani") || strings.Contains(out, "Lestari") || strings.Contains(out, "Kartika") {
			t.Errorf("redact(%q) = %q", line, out)
		}
		if !strings.Contains(out, "…") {
			t.Errorf("redact(%q) = %q: nothing hidden", line, out)
		}
	}
	if out := redact(`<message id="3EB0AA" type="text">`); out != `<message id="3EB0AA" type="text">` {
		t.Errorf("a line without names changed: %q", out)
	}
}
