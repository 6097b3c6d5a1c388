package main

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"klabot/bot/telegram/fakeapi"
	"klabot/store"
)

// A broadcast to 2,000 people through the fake Bot API server enforcing
// Telegram's limits (30 messages a second overall, 1 a second per chat,
// 429 with retry_after beyond), with klabot's rate set to the limit, while
// five of the recipients keep chatting with the bot. Reported: sustained
// messages a second (all accepted sends from the first broadcast message
// to the last: broadcast, replies, progress edits) as a share of the
// limit, 429s received, duplicate and missing deliveries, and the reply
// latency of the people chatting. At 300/s it shows the sender scales with
// the setting (a self-hosted Bot API server, or paid broadcasts).
//
//	go test ./cmd/klabot -run '^$' -bench Broadcast -benchtime 1x
func BenchmarkBroadcast30(b *testing.B)  { benchBroadcast(b, 30) }
func BenchmarkBroadcast300(b *testing.B) { benchBroadcast(b, 300) }

const (
	benchRecipients = 2000
	benchChatters   = 5
	benchStaff      = 7001
	benchFirstChat  = 100001
)

func benchBroadcast(b *testing.B, limit int) {
	for range b.N {
		benchBroadcastOnce(b, limit)
	}
}

func benchBroadcastOnce(b *testing.B, limit int) {
	b.StopTimer()
	srv := fakeapi.New(testToken)
	defer srv.Close()
	srv.EnforceLimits(fakeapi.Limits{Global: limit, PerChat: 1})
	dir := b.TempDir()

	// 2,000 recipients: the staff member, five people who chat during the
	// broadcast, and the rest.
	seedTelegramPeople(b, dir, benchFirstChat, benchRecipients-1)
	seedTelegramPeople(b, dir, benchStaff, 1)
	db, err := store.Open(context.Background(), dir+"/klabot.db")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var staffID int64
	start := time.Now().Add(2 * time.Second) // once klabot is up
	if err := db.Tx(context.Background(), func(tx *store.Tx) error {
		if staffID, err = tx.UserIDByContact(store.Contact{Channel: "telegram", Address: strconv.Itoa(benchStaff)}); err != nil {
			return err
		}
		_, err := tx.CreateBroadcast(store.Broadcast{CreatedBy: staffID, Text: "Hari Dunia Menentang Pekerja Anak, 12 Juni.",
			Audience: store.BroadcastAudience{Kind: store.ToAll}, ScheduledAt: start}, time.Now())
		return err
	}); err != nil {
		b.Fatal(err)
	}

	replies := map[int64]chan time.Time{}
	for i := range benchChatters {
		replies[int64(benchFirstChat+i)] = make(chan time.Time, 16)
	}
	srv.OnSent(func(s fakeapi.Sent) {
		if ch, ok := replies[s.ChatID]; ok && strings.Contains(s.Text, "Menu utama") {
			select {
			case ch <- s.At:
			default:
			}
		}
	})

	ctx, stop := context.WithCancel(context.Background())
	exit := make(chan int, 1)
	var logs syncBuffer
	env := map[string]string{
		"KLABOT_DATA_DIR": dir, "KLABOT_TELEGRAM_TOKEN": srv.Token(), "KLABOT_TELEGRAM_API_ENDPOINT": srv.Endpoint(),
		"KLABOT_TELEGRAM_RATE": strconv.Itoa(limit), "KLABOT_TELEGRAM_PER_CHAT_RATE": "1",
		"KLABOT_STAFF": "telegram:" + strconv.Itoa(benchStaff), "KLABOT_LOG_LEVEL": "warn",
	}
	go func() { exit <- run(ctx, []string{"run"}, strings.NewReader(""), &bytes.Buffer{}, &logs, envOf(env)) }()
	defer func() {
		stop()
		if code := <-exit; code != 0 {
			b.Errorf("klabot exited with %d:\n%s", code, logs.String())
		}
	}()

	// People chatting: each sends a message, waits for the answer, reads
	// for a second and a half, and writes again, until the broadcast is over.
	done := make(chan struct{})
	var mu sync.Mutex
	var latencies []time.Duration
	var wg sync.WaitGroup
	for i := range benchChatters {
		u := fakeapi.User{ID: int64(benchFirstChat + i), FirstName: fmt.Sprint("chat", i)}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				case <-time.After(1500 * time.Millisecond):
				}
				began := time.Now()
				srv.SendText(u.ID, u, "5")
				select {
				case at := <-replies[u.ID]:
					mu.Lock()
					latencies = append(latencies, at.Sub(began))
					mu.Unlock()
				case <-time.After(30 * time.Second):
					b.Errorf("no answer to %d within 30 s", u.ID)
					return
				}
			}
		}()
	}

	b.StartTimer()
	summary := func() bool {
		for _, s := range srv.SentTo(benchStaff) {
			if strings.Contains(s.Text, "Siaran #1 selesai.") {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(time.Duration(3*benchRecipients/limit+60) * time.Second)
	for !summary() {
		if time.Now().After(deadline) {
			b.Fatalf("the broadcast did not finish in time; %d delivered", len(broadcastsTo(srv)))
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.StopTimer()
	close(done)
	wg.Wait()

	sent := srv.Sent()
	var first, last time.Time
	for _, s := range sent {
		if strings.Contains(s.Text, "Pengumuman dari DISKOPNAKERTRANS") {
			if first.IsZero() {
				first = s.At
			}
			last = s.At
		}
	}
	during := 0
	for _, s := range sent {
		if !s.At.Before(first) && !s.At.After(last) {
			during++
		}
	}
	// n sends spread over the span between the first and the last make n-1 intervals.
	rate := float64(during-1) / last.Sub(first).Seconds()
	got := broadcastsTo(srv)
	duplicates, missing := 0, 0
	for i := range benchRecipients - 1 {
		duplicates += max(0, got[int64(benchFirstChat+i)]-1)
		missing += max(0, 1-got[int64(benchFirstChat+i)])
	}
	duplicates += max(0, got[benchStaff]-1)
	missing += max(0, 1-got[benchStaff])
	slices.Sort(latencies)
	if len(latencies) == 0 {
		b.Fatal("nobody chatting got an answer")
	}
	b.ReportMetric(rate, "msgs/s")
	b.ReportMetric(rate/float64(limit), "of_limit")
	b.ReportMetric(float64(srv.Stats().RateLimited), "429s")
	b.ReportMetric(float64(duplicates), "duplicates")
	b.ReportMetric(float64(missing), "missing")
	b.ReportMetric(float64(latencies[len(latencies)/2].Milliseconds()), "reply_p50_ms")
	b.ReportMetric(float64(latencies[(len(latencies)*99)/100].Milliseconds()), "reply_p99_ms")
	b.ReportMetric(float64(latencies[len(latencies)-1].Milliseconds()), "reply_max_ms")
	b.ReportMetric(0, "ns/op")
	b.Logf("%d sends in %.1f s (%d broadcast messages), %d replies timed", during, last.Sub(first).Seconds(), len(got), len(latencies))
}
