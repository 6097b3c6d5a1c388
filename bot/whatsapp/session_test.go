package whatsapp_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"klabot/bot/whatsapp"
)

// What can be tested of a session without the network: the file is made
// (or tightened to) mode 0600 and opened with foreign keys on (whatsmeow's
// sqlstore refuses to open it otherwise), and an unlinked session says so
// for run, status and logout alike.
func TestSessionWithoutLink(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, whatsapp.SessionFile)
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	s, err := whatsapp.OpenSession(ctx, dir, log)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("session file mode %v (%v), want 0600", info.Mode().Perm(), err)
	}
	if p := s.Phone(); p != "" {
		t.Errorf("phone %q without a link", p)
	}
	if _, err := s.Client(); !errors.Is(err, whatsapp.ErrNotPaired) {
		t.Errorf("client without a link: %v", err)
	}
	if err := s.Logout(ctx, true); !errors.Is(err, whatsapp.ErrNotPaired) {
		t.Errorf("logout without a link: %v", err)
	}
	// Opening it again (the next start) works on the same file.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := whatsapp.OpenSession(ctx, dir, log)
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
}
