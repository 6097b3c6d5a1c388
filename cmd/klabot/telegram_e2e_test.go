package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"klabot/bot/telegram/fakeapi"
	"klabot/store"
)

const testToken = "123456:TEST-token_for-klabot"

// syncBuffer is a bytes.Buffer safe for the logger and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// klabotProcess is klabot's run() going in the background, as `klabot run`
// would, against a fake Bot API server.
type klabotProcess struct {
	cancel context.CancelFunc
	exit   chan int
	logs   *syncBuffer
}

func startKlabot(t *testing.T, srv *fakeapi.Server, dataDir string, env map[string]string) *klabotProcess {
	t.Helper()
	all := map[string]string{
		"KLABOT_DATA_DIR":              dataDir,
		"KLABOT_TELEGRAM_TOKEN":        srv.Token(),
		"KLABOT_TELEGRAM_API_ENDPOINT": srv.Endpoint(),
		"KLABOT_LOG_LEVEL":             "debug",
		// Telegram's one message a second to a chat would make every
		// conversation here take seconds; the fake server has no such limit.
		"KLABOT_TELEGRAM_PER_CHAT_RATE": "200",
		// Tests run side by side: only the dashboard's own test listens.
		"KLABOT_WEB_ADDR": "off",
	}
	for k, v := range env {
		all[k] = v
	}
	return runKlabot(t, all)
}

// runKlabot starts "klabot run" with exactly env, stopped when the test ends.
func runKlabot(t *testing.T, env map[string]string) *klabotProcess {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &klabotProcess{cancel: cancel, exit: make(chan int, 1), logs: &syncBuffer{}}
	go func() {
		p.exit <- run(ctx, []string{"run"}, strings.NewReader(""), &bytes.Buffer{}, p.logs, envOf(env))
	}()
	t.Cleanup(func() { p.stop(t) })
	return p
}

// stop cancels as SIGTERM would and checks klabot exits cleanly in time.
func (p *klabotProcess) stop(t *testing.T) {
	t.Helper()
	if p.cancel == nil {
		return
	}
	p.cancel()
	p.cancel = nil
	select {
	case code := <-p.exit:
		if code != 0 {
			t.Errorf("klabot exited with %d; logs:\n%s", code, p.logs.String())
		}
	case <-time.After(shutdownGrace + time.Second):
		t.Fatalf("klabot did not stop within %s", shutdownGrace)
	}
	if strings.Contains(p.logs.String(), testToken) {
		t.Error("the bot token appears in the logs")
	}
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// lastTo waits for the n-th message to a chat and returns it.
func lastTo(t *testing.T, srv *fakeapi.Server, chat int64, n int) fakeapi.Sent {
	t.Helper()
	sent, err := srv.WaitSentTo(waitCtx(t), chat, n)
	if err != nil {
		t.Fatalf("waiting for message %d to chat %d: %v (got %d)", n, chat, err, len(srv.SentTo(chat)))
	}
	return sent[n-1]
}

// press taps the button with this label on a message the bot sent.
func press(t *testing.T, srv *fakeapi.Server, u fakeapi.User, m fakeapi.Sent, label string) {
	t.Helper()
	b, ok := m.ReplyMarkup.Find(label)
	if !ok {
		t.Fatalf("no button %q on message %q (buttons %v)", label, m.Text, m.ReplyMarkup.Buttons())
	}
	srv.PressButton(u.ID, u, m.MessageID, b.CallbackData)
}

func newServer(t *testing.T) *fakeapi.Server {
	srv := fakeapi.New(testToken)
	t.Cleanup(srv.Close)
	return srv
}

func TestTelegramFirstContactToMenu(t *testing.T) {
	srv := newServer(t)
	startKlabot(t, srv, t.TempDir(), nil)
	ani := fakeapi.User{ID: 5001, FirstName: "Ani"}

	srv.SendText(ani.ID, ani, "/start")
	welcome := lastTo(t, srv, ani.ID, 1)
	if !strings.Contains(welcome.Text, "selamat datang") || len(welcome.ReplyMarkup.Buttons()) != 2 {
		t.Fatalf("welcome = %q with %d keys", welcome.Text, len(welcome.ReplyMarkup.Buttons()))
	}
	press(t, srv, ani, welcome, "Setuju")
	role := lastTo(t, srv, ani.ID, 2)
	press(t, srv, ani, role, "Warga")
	menu := lastTo(t, srv, ani.ID, 3)
	labels := []string{"Laporkan kasus", "Pelatihan", "Pengingat saya", "Cek status laporan", "Info & nomor darurat", "Bantuan", "Ganti bahasa"}
	for _, l := range labels {
		if _, ok := menu.ReplyMarkup.Find(l); !ok {
			t.Errorf("menu lacks %q", l)
		}
	}
	srv.SendText(ani.ID, ani, "5") // typed numbers select too
	info := lastTo(t, srv, ani.ID, 4)
	for _, want := range []string{"129", "08111-129-129", "112", "110"} {
		if !strings.Contains(info.Text, want) {
			t.Errorf("emergency info lacks %s: %q", want, info.Text)
		}
	}
	if n := len(srv.CallbackAnswers()); n != 2 {
		t.Errorf("%d button presses answered, want 2", n)
	}
	var commands []string
	for _, c := range srv.Commands() {
		commands = append(commands, c.Command)
	}
	if got := strings.Join(commands, " "); got != "start menu lapor status pelatihan hadir batal bantuan" {
		t.Errorf("registered commands %q", got)
	}
}

func TestTelegramRateLimitedAndBlocked(t *testing.T) {
	srv := newServer(t)
	dir := t.TempDir()
	startKlabot(t, srv, dir, nil)
	budi := fakeapi.User{ID: 5002, FirstName: "Budi"}
	cici := fakeapi.User{ID: 5003, FirstName: "Cici"}

	srv.FailNext("sendMessage", budi.ID, 429, "", 1)
	began := time.Now()
	srv.SendText(budi.ID, budi, "halo")
	lastTo(t, srv, budi.ID, 1)
	if waited := time.Since(began); waited < time.Second {
		t.Errorf("reply came %s after a 429 with retry_after 1", waited)
	}

	srv.BlockChat(cici.ID)
	srv.SendText(cici.ID, cici, "halo")
	db := openDB(t, dir)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if un, _ := db.Unreachable(store.Contact{Channel: "telegram", Address: "5003"}); un {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a blocked person was not marked unreachable")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Others are unaffected.
	srv.SendText(budi.ID, budi, "1")
	lastTo(t, srv, budi.ID, 2)
}

func openDB(t *testing.T, dir string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(dir, "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestTelegramConversationSurvivesRestart(t *testing.T) {
	srv := newServer(t)
	dir := t.TempDir()
	first := startKlabot(t, srv, dir, nil)
	dewi := fakeapi.User{ID: 5004, FirstName: "Dewi"}
	srv.SendText(dewi.ID, dewi, "/start")
	press(t, srv, dewi, lastTo(t, srv, dewi.ID, 1), "Setuju")
	role := lastTo(t, srv, dewi.ID, 2)
	first.stop(t)

	startKlabot(t, srv, dir, nil)
	press(t, srv, dewi, role, "Anggota Forum Anak") // a key from before the restart
	if menu := lastTo(t, srv, dewi.ID, 3); !strings.Contains(menu.Text, "Menu utama") {
		for _, m := range srv.SentTo(dewi.ID) {
			t.Logf("sent: %q %v", m.Text, m.ReplyMarkup.Buttons())
		}
		t.Errorf("after restart got %q, want the menu", menu.Text)
	}
}

func TestTelegramDuplicateUpdateProcessedOnce(t *testing.T) {
	srv := newServer(t)
	startKlabot(t, srv, t.TempDir(), nil)
	eka := fakeapi.User{ID: 5005, FirstName: "Eka"}
	id := srv.SendText(eka.ID, eka, "/start")
	lastTo(t, srv, eka.ID, 1)
	srv.Redeliver(id)
	srv.SendText(eka.ID, eka, "2") // "Tidak setuju"
	second := lastTo(t, srv, eka.ID, 2)
	if !strings.Contains(second.Text, "Tidak apa-apa") {
		t.Errorf("second reply %q: the redelivered /start was handled again", second.Text)
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(srv.SentTo(eka.ID)); n != 2 {
		t.Errorf("%d replies for two distinct messages", n)
	}
}

func TestTelegramOddInputAlwaysAnswered(t *testing.T) {
	srv := newServer(t)
	startKlabot(t, srv, t.TempDir(), nil)
	fajar := fakeapi.User{ID: 5006, FirstName: "Fajar"}
	srv.SendText(fajar.ID, fajar, "/start")
	welcome := lastTo(t, srv, fajar.ID, 1)
	press(t, srv, fajar, welcome, "Setuju")
	press(t, srv, fajar, lastTo(t, srv, fajar.ID, 2), "Warga")
	lastTo(t, srv, fajar.ID, 3)

	n := 3
	inputs := []func(){
		func() { srv.SendSticker(fajar.ID, fajar, "stk1", "😀") },
		func() { srv.SendVoice(fajar.ID, fajar, "voice1", 3) },
		func() { srv.SendDocument(fajar.ID, fajar, "doc1", "surat.pdf", "") },
		func() { srv.SendPhoto(fajar.ID, fajar, "photo1", "foto") },
		func() { srv.SendLocation(fajar.ID, fajar, 0.85, 109.47) },
		func() { srv.EditText(fajar.ID, fajar, welcome.MessageID-1, "diubah") },
		func() { srv.SendText(fajar.ID, fajar, strings.Repeat("panjang sekali ", 700)) }, // ~10,000 chars
		func() { srv.PressButton(fajar.ID, fajar, welcome.MessageID, "forged|0") },
		func() { srv.SendText(fajar.ID, fajar, "'; DROP TABLE users; --") },
	}
	for i, send := range inputs {
		send()
		n++
		if reply := lastTo(t, srv, fajar.ID, n); strings.TrimSpace(reply.Text) == "" {
			t.Errorf("input %d got an empty reply", i)
		}
	}
	srv.SendGroupText(-777, fajar, "/start@klabot_test_bot")
	if reply := lastTo(t, srv, -777, 1); !strings.Contains(reply.Text, "pribadi") {
		t.Errorf("group got %q", reply.Text)
	}
}

// Stopping returns every goroutine klabot started.
func TestTelegramStopLeavesNoGoroutines(t *testing.T) {
	srv := newServer(t)
	before := runtime.NumGoroutine()
	p := startKlabot(t, srv, t.TempDir(), nil)
	hana := fakeapi.User{ID: 5008, FirstName: "Hana"}
	srv.SendText(hana.ID, hana, "/start")
	lastTo(t, srv, hana.ID, 1)
	p.stop(t)
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before+1 { // +1: the idle HTTP keep-alive reader may linger briefly
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines before, %d after stop:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// SIGTERM stops a real klabot process within five seconds.
func TestSignalStopsWithinFiveSeconds(t *testing.T) {
	if os.Getenv("KLABOT_TEST_MAIN") == "1" {
		os.Args = []string{"klabot", "run"}
		main()
		return
	}
	srv := newServer(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestSignalStopsWithinFiveSeconds$")
	cmd.Env = append(os.Environ(), "KLABOT_TEST_MAIN=1",
		"KLABOT_DATA_DIR="+t.TempDir(), "KLABOT_TELEGRAM_TOKEN="+srv.Token(), "KLABOT_TELEGRAM_API_ENDPOINT="+srv.Endpoint())
	var logs syncBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ivan := fakeapi.User{ID: 5009, FirstName: "Ivan"}
	srv.SendText(ivan.ID, ivan, "/start")
	lastTo(t, srv, ivan.ID, 1) // running and answering
	began := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit: %v; logs:\n%s", err, logs.String())
		}
		if took := time.Since(began); took > shutdownGrace {
			t.Errorf("took %s to stop", took)
		}
	case <-time.After(shutdownGrace + 2*time.Second):
		cmd.Process.Kill()
		t.Fatalf("still running %s after SIGTERM; logs:\n%s", shutdownGrace+2*time.Second, logs.String())
	}
}

// Photos sent as one album arrive one by one and each is acknowledged; the
// Selesai key on any of those acknowledgements finishes the evidence, as
// they all ask the same question.
func TestTelegramAlbumAtTheEvidenceStep(t *testing.T) {
	srv := newServer(t)
	startKlabot(t, srv, t.TempDir(), nil)
	rina := newPerson(t, srv, 5010, "Rina")
	rina.start("Warga")
	// Typed answers, as on WhatsApp, up to the evidence question.
	for _, step := range []struct{ answer, next string }{
		{"/lapor", "Laporan ini tentang apa?"}, {"anak bekerja", "bekerja di mana"},
		{"kebun", "dalam bahaya SEKARANG"}, {"tidak", "Di kecamatan mana?"},
		{"Ledo", "Kecamatan Ledo"}, {"1", "Ceritakan tempatnya"}, {"lewati", "Apa yang terjadi?"},
		{"Anak tetangga disuruh memanen sawit setiap hari dan tidak sekolah.", "Berapa anak"},
		{"1", "berapa umur"}, {"13-15 tahun", "Ada foto"},
	} {
		rina.send(step.answer)
		rina.waitFor(step.next)
	}
	for _, id := range []string{"album-1", "album-2", "album-3"} {
		srv.AddFile(id, []byte("\xff\xd8\xff "+id))
		srv.SendPhoto(rina.user.ID, rina.user, id, "")
	}
	first := rina.waitFor("Diterima: 1 berkas")
	rina.waitFor("Diterima: 3 berkas")
	rina.press(first, "Selesai")
	if m := rina.waitFor("Apakah petugas boleh tahu"); strings.Contains(m.Text, "pesan lama") {
		t.Errorf("Selesai on the first acknowledgement was refused: %q", m.Text)
	}
}
