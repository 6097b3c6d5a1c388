package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// loadConfig reads every setting from args (flags) and getenv, as "klabot
// run" does.
func loadConfig(fs *flag.FlagSet, args []string, getenv func(string) string) (config, error) {
	raw := bindSettings(fs, getenv, nil)
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	return raw.config()
}

// A bad setting gets one line naming the setting and why, and exit code 2.
func TestBadSettingsExitTwoWithOneClearLine(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		env     map[string]string
		args    []string
		setting string
	}{
		{map[string]string{"KLABOT_TIMEZONE": "Mars/Olympus"}, nil, "KLABOT_TIMEZONE"},
		{map[string]string{"KLABOT_LANG": "fr"}, nil, "KLABOT_LANG"},
		{map[string]string{"KLABOT_STAFF": "telegram:12,bob"}, nil, "KLABOT_STAFF"},
		{map[string]string{"KLABOT_STAFF": "whatsapp:0812345678"}, nil, "KLABOT_STAFF"},
		{map[string]string{"KLABOT_TELEGRAM_TOKEN": "not a token"}, nil, "KLABOT_TELEGRAM_TOKEN"},
		{map[string]string{"KLABOT_TELEGRAM_API_ENDPOINT": "http://127.0.0.1:8081/bot%s"}, nil, "KLABOT_TELEGRAM_API_ENDPOINT"},
		{map[string]string{"KLABOT_TELEGRAM_RATE": "fast"}, nil, "KLABOT_TELEGRAM_RATE"},
		{map[string]string{"KLABOT_TELEGRAM_RATE": "30abc"}, nil, "KLABOT_TELEGRAM_RATE"},
		{map[string]string{"KLABOT_TELEGRAM_PER_CHAT_RATE": "1 per detik"}, nil, "KLABOT_TELEGRAM_PER_CHAT_RATE"},
		{map[string]string{"KLABOT_TELEGRAM_PER_CHAT_RATE": "slow"}, nil, "KLABOT_TELEGRAM_PER_CHAT_RATE"},
		{map[string]string{"KLABOT_TELEGRAM_PER_CHAT_RATE": "0"}, nil, "KLABOT_TELEGRAM_PER_CHAT_RATE"},
		{nil, []string{"run", "--telegram-per-chat-rate", "-1"}, "KLABOT_TELEGRAM_PER_CHAT_RATE"},
		{map[string]string{"KLABOT_WHATSAPP": "maybe"}, nil, "KLABOT_WHATSAPP"},
		{map[string]string{"KLABOT_WHATSAPP_BULK_MIN": "fast"}, nil, "KLABOT_WHATSAPP_BULK_MIN"},
		{map[string]string{"KLABOT_WHATSAPP_BULK_MIN": "100ms"}, nil, "KLABOT_WHATSAPP_BULK_MIN"},
		{map[string]string{"KLABOT_WHATSAPP_BULK_MAX": "2h"}, nil, "KLABOT_WHATSAPP_BULK_MAX"},
		{map[string]string{"KLABOT_WHATSAPP_BULK_MIN": "10s", "KLABOT_WHATSAPP_BULK_MAX": "5s"}, nil, "KLABOT_WHATSAPP_BULK_MAX"},
		{map[string]string{"KLABOT_WHATSAPP_DAILY_CAP": "0"}, nil, "KLABOT_WHATSAPP_DAILY_CAP"},
		{nil, []string{"run", "--whatsapp-daily-cap", "lots"}, "KLABOT_WHATSAPP_DAILY_CAP"},
		{nil, []string{"run", "--timezone", "nowhere"}, "KLABOT_TIMEZONE"},
		{map[string]string{"KLABOT_WEB_ADDR": "8080"}, nil, "KLABOT_WEB_ADDR"},
		{map[string]string{"KLABOT_WEB_ADDR": "127.0.0.1:99999"}, nil, "KLABOT_WEB_ADDR"},
		{map[string]string{"KLABOT_WEB_URL": "klabot.kantor"}, nil, "KLABOT_WEB_URL"},
		{map[string]string{"KLABOT_WEB_METRICS": "kadang"}, nil, "KLABOT_WEB_METRICS"},
		{map[string]string{"KLABOT_DATA_DIR": filepath.Join(dir, "file", "sub")}, nil, "KLABOT_DATA_DIR"},
	}
	os.WriteFile(filepath.Join(dir, "file"), []byte("x"), 0o600)
	for _, c := range cases {
		env := map[string]string{"KLABOT_DATA_DIR": filepath.Join(dir, "data")}
		for k, v := range c.env {
			env[k] = v
		}
		var out, errOut bytes.Buffer
		code := run(context.Background(), c.args, strings.NewReader(""), &out, &errOut, envOf(env))
		lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
		if code != 2 || len(lines) != 1 || !strings.Contains(lines[0], c.setting) {
			t.Errorf("%v %v: exit %d, stderr %q; want exit 2 and one line naming %s", c.env, c.args, code, errOut.String(), c.setting)
		}
	}
}

func TestStaffAndDefaults(t *testing.T) {
	var out, errOut bytes.Buffer
	fs := newFlagSet(&errOut)
	cfg, err := loadConfig(fs, nil, envOf(map[string]string{"KLABOT_STAFF": " telegram:123 , whatsapp:6281234567890 "}))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Staff["telegram:123"] || !cfg.Staff["whatsapp:6281234567890"] || len(cfg.Staff) != 2 {
		t.Errorf("staff = %v", cfg.Staff)
	}
	if cfg.Location.String() != "Asia/Pontianak" || cfg.Lang != "id" || cfg.DataDir != "./data" {
		t.Errorf("defaults: %s %s %s", cfg.Location, cfg.Lang, cfg.DataDir)
	}
	// Telegram's own limits: about 30 messages a second, one a second to a chat.
	if cfg.TelegramRate != 30 || cfg.TelegramPerChatRate != 1 {
		t.Errorf("telegram rates: %v overall, %v per chat", cfg.TelegramRate, cfg.TelegramPerChatRate)
	}
	_ = out
}

// With no channel and no terminal, klabot explains how to connect one.
func TestRunWithoutChannelExplains(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	var out, errOut bytes.Buffer
	code := run(context.Background(), nil, strings.NewReader(""), &out, &errOut, envOf(map[string]string{"KLABOT_DATA_DIR": dir}))
	if code != 2 || !strings.Contains(out.String(), "KLABOT_TELEGRAM_TOKEN") {
		t.Errorf("exit %d, out %q", code, out.String())
	}
	info, err := os.Stat(dir)
	if err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("data dir: %v %v, want mode 700", info, err)
	}
	if info, err := os.Stat(filepath.Join(dir, "klabot.db")); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("klabot.db: %v, want mode 600", err)
	}
}

// A data folder and database that were there before (made by hand, or
// copied from another server with the usual umask) are made private too.
func TestExistingDataDirMadePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	os.Mkdir(dir, 0o755)
	os.Chmod(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "klabot.db"), nil, 0o644)
	os.Chmod(filepath.Join(dir, "klabot.db"), 0o644)
	var out, errOut bytes.Buffer
	run(context.Background(), nil, strings.NewReader(""), &out, &errOut, envOf(map[string]string{"KLABOT_DATA_DIR": dir}))
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("data dir: %v %v, want mode 700", info.Mode().Perm(), err)
	}
	if info, err := os.Stat(filepath.Join(dir, "klabot.db")); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("klabot.db: %v %v, want mode 600", info.Mode().Perm(), err)
	}
}

// A service manager gives klabot /dev/null as standard input: that is no
// terminal to chat in, so with no channel klabot explains and fails.
func TestRunWithoutChannelOnDevNull(t *testing.T) {
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Skip(err)
	}
	defer devnull.Close()
	dir := filepath.Join(t.TempDir(), "data")
	var out, errOut bytes.Buffer
	code := run(context.Background(), nil, devnull, &out, &errOut, envOf(map[string]string{"KLABOT_DATA_DIR": dir}))
	if code != 2 || strings.Contains(out.String(), "klabot di terminal") {
		t.Errorf("exit %d, out %q; want exit 2 and no terminal chat", code, out.String())
	}
}

// The console chats through the same flows and database.
func TestConsoleChat(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	env := envOf(map[string]string{"KLABOT_DATA_DIR": dir})
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"console"}, strings.NewReader("halo\n1\n1\n5\n"), &out, &errOut, env)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{"selamat datang", "1. Setuju", "Anda siapa?", "Menu utama", "SAPA 129", "08111-129-129", "112", "110"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("console output lacks %q:\n%s", want, out.String())
		}
	}
	// The conversation state survives a restart.
	out.Reset()
	if code := run(context.Background(), []string{"console"}, strings.NewReader("7\n"), &out, &errOut, env); code != 0 {
		t.Fatalf("second run exit %d", code)
	}
	if !strings.Contains(out.String(), "Pilih bahasa") {
		t.Errorf("after restart, 7 should open the language menu:\n%s", out.String())
	}
}

func TestWebSettings(t *testing.T) {
	cases := []struct{ addr, url, wantAddr, wantURL string }{
		{"127.0.0.1:8080", "", "127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"off", "", "", ""},
		{"OFF", "https://x.example", "", ""},
		{"0.0.0.0:8080", "", "0.0.0.0:8080", "http://127.0.0.1:8080"},
		{":9000", "https://dasbor.example/", ":9000", "https://dasbor.example"},
	}
	for _, c := range cases {
		addr, url, err := webSettings(c.addr, c.url)
		if err != nil || addr != c.wantAddr || url != c.wantURL {
			t.Errorf("webSettings(%q, %q) = %q, %q, %v; want %q, %q", c.addr, c.url, addr, url, err, c.wantAddr, c.wantURL)
		}
	}
}

// A console started while another klabot holds the data folder says so in
// Bahasa Indonesia, not with an English log line in UTC.
func TestConsoleOnABusyFolderSaysSoInBahasa(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if _, err := prepareDataDir(dir); err != nil {
		t.Fatal(err)
	}
	release, err := lockDataDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	var out, errOut bytes.Buffer
	env := envOf(map[string]string{"KLABOT_DATA_DIR": dir})
	if code := run(context.Background(), []string{"console"}, strings.NewReader("halo\n"), &out, &errOut, env); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if got := errOut.String(); strings.Contains(got, "level=") || !strings.Contains(got, "sedang dipakai klabot lain") {
		t.Errorf("console on a busy folder said:\n%s", got)
	}
}

// Log lines give times in WIB.
func TestLogTimesInWIB(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Pontianak")
	var b bytes.Buffer
	newLogger(&b, "info", false, loc).Info("hello")
	if !strings.Contains(b.String(), " WIB") || strings.Contains(b.String(), "Z level") {
		t.Errorf("log line %q", b.String())
	}
}
