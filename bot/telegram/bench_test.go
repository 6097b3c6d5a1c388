package telegram_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"klabot/bot"
	"klabot/bot/message"
	"klabot/bot/telegram"
	"klabot/bot/telegram/fakeapi"
	"klabot/flows"
	"klabot/flows/all"
	"klabot/store"
)

// The inbound pipeline, end to end: simulated people write through the fake
// Bot API server, klabot long-polls, commits each message with its session
// and reply, and the sender answers. Each person waits for the answer
// before writing again, as people do. BenchmarkInboundEcho runs the same
// harness with a bot that only echoes (no store, no flows): the floor.
//
//	go test ./bot/telegram -run '^$' -bench Inbound -benchtime 20000x
func BenchmarkInbound(b *testing.B)     { benchInbound(b, false) }
func BenchmarkInboundEcho(b *testing.B) { benchInbound(b, true) }

const benchUsers = 200

// echo answers every message at once, without storing anything, with a
// reply of the same shape as klabot's menu (text and seven keys), so the
// floor and klabot cost the fake server the same.
type echo struct{ tg *telegram.Telegram }

var echoReply = func() message.Outbound {
	m := message.Outbound{Text: "Menu utama. Pilih nomor:"}
	for _, l := range []string{"Laporkan kasus", "Pelatihan", "Pengingat saya", "Cek status laporan", "Info & nomor darurat", "Bantuan", "Ganti bahasa"} {
		m.Buttons = append(m.Buttons, message.Button{Label: l, Data: l[:4] + "|12"})
	}
	return m
}()

func (e echo) Submit(ctx context.Context, in message.Inbound) <-chan error {
	done := make(chan error, 1)
	done <- nil
	go e.tg.Send(ctx, in.ChatID, echoReply)
	return done
}

func benchInbound(b *testing.B, echoOnly bool) {
	srv := fakeapi.New(token)
	defer srv.Close()
	srv.ValidateFormatting(false)
	tg := connect(b, srv)
	defer tg.Close()

	replies := make(map[int64]chan struct{}, benchUsers)
	users := make([]fakeapi.User, benchUsers)
	for i := range users {
		users[i] = fakeapi.User{ID: int64(10000 + i), FirstName: fmt.Sprint("u", i)}
		replies[users[i].ID] = make(chan struct{}, 64)
	}
	srv.OnSent(func(s fakeapi.Sent) {
		select {
		case replies[s.ChatID] <- struct{}{}:
		default:
		}
	})

	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { stop(); wg.Wait() }()
	run := func(fn func(context.Context) error) {
		wg.Add(1)
		go func() { defer wg.Done(); fn(ctx) }()
	}
	if echoOnly {
		run(func(ctx context.Context) error { return tg.Poll(ctx, echo{tg}) })
	} else {
		db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "klabot.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		sender := bot.NewSender(db, tg, bot.Limits{PerSecond: 1e6, PerChatPerSecond: 1e6, PerChatBurst: 1000, Concurrency: 256}, quiet)
		d := bot.NewDispatcher(db, all.NewEngine(flows.Config{}), bot.Config{FloodLimit: 1 << 30}, sender.Offer, quiet)
		run(d.Run)
		run(sender.Run)
		run(func(ctx context.Context) error { return tg.Poll(ctx, d) })
	}

	// Everyone says hello, agrees and picks a role, so the measured
	// messages are ordinary menu choices.
	converse := func(u fakeapi.User, text string) time.Duration {
		began := time.Now()
		srv.SendText(u.ID, u, text)
		select {
		case <-replies[u.ID]:
		case <-time.After(30 * time.Second):
			b.Fatalf("no reply to %d", u.ID)
		}
		return time.Since(began)
	}
	var warm sync.WaitGroup
	for _, u := range users {
		warm.Add(1)
		go func() {
			defer warm.Done()
			for _, text := range []string{"halo", "1", "1"} {
				converse(u, text)
			}
		}()
	}
	warm.Wait()

	perUser := max(1, b.N/benchUsers)
	latencies := make([][]time.Duration, benchUsers)
	b.ResetTimer()
	began := time.Now()
	var all sync.WaitGroup
	for i, u := range users {
		all.Add(1)
		go func() {
			defer all.Done()
			for range perUser {
				latencies[i] = append(latencies[i], converse(u, "5"))
			}
		}()
	}
	all.Wait()
	elapsed := time.Since(began)
	b.StopTimer()

	flat := slices.Concat(latencies...)
	slices.Sort(flat)
	b.ReportMetric(float64(len(flat))/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(flat[len(flat)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(flat[len(flat)*99/100].Microseconds())/1000, "p99_ms")
	b.ReportMetric(0, "ns/op")
}
