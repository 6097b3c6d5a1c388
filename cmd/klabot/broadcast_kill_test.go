package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// childEnv marks the test binary started as a klabot process of its own,
// for a test to kill.
const childEnv = "KLABOT_TEST_RUN_AS_KLABOT"

// TestKlabotAsAChildProcess is "klabot run" inside a process of its own:
// it does nothing unless started by TestTelegramBroadcastSurvivesAKill.
func TestKlabotAsAChildProcess(t *testing.T) {
	if os.Getenv(childEnv) != "1" {
		t.Skip("runs only as the process a kill test starts")
	}
	os.Exit(run(context.Background(), []string{"run"}, strings.NewReader(""), os.Stdout, os.Stderr, os.Getenv))
}

// klabot's process is killed outright (SIGKILL: no shutdown at all) in the
// middle of a broadcast and started again on the same data: nobody is
// missed, and nobody whose message Telegram had accepted before the kill
// gets it twice. Only a send in flight at the very instant of the kill
// (accepted by Telegram, not yet recorded) may go again.
func TestTelegramBroadcastSurvivesAKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second process")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip("cannot find the test binary:", err)
	}
	const first, n = 5001, 150
	srv, dir, db := broadcastAtTelegramLimits(t, first, n)

	child := exec.Command(exe, "-test.run=^TestKlabotAsAChildProcess$")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KLABOT_") {
			child.Env = append(child.Env, kv) // only the settings below
		}
	}
	child.Env = append(child.Env, childEnv+"=1", "KLABOT_DATA_DIR="+dir, "KLABOT_TELEGRAM_TOKEN="+srv.Token(),
		"KLABOT_TELEGRAM_API_ENDPOINT="+srv.Endpoint(), "KLABOT_TELEGRAM_RATE=30", "KLABOT_TELEGRAM_PER_CHAT_RATE=1",
		"KLABOT_LOG_LEVEL=warn")
	var logs syncBuffer
	child.Stdout, child.Stderr = &logs, &logs
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()
	t.Cleanup(func() {
		child.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(30 * time.Second)
	for len(broadcastsTo(srv)) < n/3 {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("klabot ended by itself (%v):\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("a third of the broadcast was not sent in time:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	killedAt := time.Now()
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited
	exited <- nil
	before := broadcastsTo(srv)
	if len(before) >= n {
		t.Fatalf("the broadcast finished before the kill (%d)", len(before))
	}
	firstAt := map[int64]time.Time{}
	for _, s := range srv.Sent() {
		if _, ok := firstAt[s.ChatID]; !ok && strings.Contains(s.Text, "Pengumuman dari DISKOPNAKERTRANS") {
			firstAt[s.ChatID] = s.At
		}
	}

	startKlabot(t, srv, dir, map[string]string{"KLABOT_TELEGRAM_RATE": "30", "KLABOT_TELEGRAM_PER_CHAT_RATE": "1"})
	waitFor(t, "the rest of the broadcast", 30*time.Second, func() bool { return len(broadcastsTo(srv)) == n })
	waitAllRecordedSent(t, db, n)
	got, again := broadcastsTo(srv), 0
	for id := int64(first); id < first+n; id++ {
		switch {
		case got[id] == 1:
		case got[id] == 2 && killedAt.Sub(firstAt[id]) < time.Second:
			again++ // in flight when the process died
		default:
			t.Errorf("chat %d got the broadcast %d times (first accepted %s before the kill)",
				id, got[id], killedAt.Sub(firstAt[id]).Round(time.Millisecond))
		}
	}
	t.Logf("%d of %d sent before the kill; %d sent again after it", len(before), n, again)
}
