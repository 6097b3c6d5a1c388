package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal: what a person typing at a keyboard
// gives klabot as its standard input.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	n, err := unix.IoctlGetUint32(int(master.Fd()), unix.TIOCGPTN)
	if err == nil {
		err = unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0) // unlock
	}
	if err != nil {
		t.Skipf("pseudo-terminal: %v", err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	return master, tty
}

// Started at a terminal with no channel, klabot says how to connect
// Telegram and then chats right there.
func TestRunWithoutChannelAtTerminalOpensConsole(t *testing.T) {
	master, tty := openPTY(t)
	env := envOf(map[string]string{"KLABOT_DATA_DIR": filepath.Join(t.TempDir(), "data")})
	var out, errOut bytes.Buffer
	exit := make(chan int, 1)
	go func() { exit <- run(context.Background(), nil, tty, &out, &errOut, env) }()
	// A line, then Ctrl+D at the start of the next: the end of input.
	if _, err := master.Write([]byte("halo\n\x04")); err != nil {
		t.Fatal(err)
	}
	go func() { // the terminal echoes what is typed; nobody reads it here
		buf := make([]byte, 1024)
		for {
			if _, err := master.Read(buf); err != nil {
				return
			}
		}
	}()
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the terminal chat did not end at Ctrl+D")
	}
	for _, want := range []string{"KLABOT_TELEGRAM_TOKEN", "mencoba klabot di terminal", "selamat datang", "Apakah Anda setuju?"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
