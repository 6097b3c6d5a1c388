package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	channel "klabot/bot/message"
	"klabot/bot/telegram"
	"klabot/bot/telegram/fakeapi"
)

type noReceiver struct{}

func (noReceiver) Submit(context.Context, channel.Inbound) <-chan error {
	done := make(chan error, 1)
	done <- nil
	return done
}

// waitHealth waits until h is connected (or not), by its change events.
func waitHealth(ctx context.Context, t *testing.T, h *channel.Health, connected bool) {
	t.Helper()
	for {
		changed := h.Changed()
		if h.State().Connected == connected {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			t.Fatalf("telegram never became connected=%v: %+v", connected, h.State())
		}
	}
}

// An outage of the Bot API while klabot runs shows in /healthz: the
// telegram entry turns not connected with the kind of error, and connected
// again when Telegram answers again; the token never shows.
func TestHealthzFollowsTelegramOutage(t *testing.T) {
	f := newFixture(t)
	api := fakeapi.New("777:health-secret")
	t.Cleanup(api.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var health channel.Health
	tg, err := telegram.Connect(ctx, telegram.Config{Token: api.Token(), Endpoint: api.Endpoint(),
		PollTimeout: time.Second, Health: &health}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	f.srv.cfg.Channels = func() []ChannelState { return []ChannelState{ChannelOf(telegram.Name, &health)} }
	pollCtx, stopPoll := context.WithCancel(ctx)
	polled := make(chan struct{})
	go func() { defer close(polled); tg.Poll(pollCtx, noReceiver{}) }()
	defer func() { stopPoll(); <-polled }()

	healthz := func() (ChannelState, string) {
		t.Helper()
		rec := f.do("GET", "/healthz", nil, nil)
		var h struct {
			Channels []ChannelState `json:"channels"`
		}
		body, _ := io.ReadAll(rec.Body)
		if err := json.Unmarshal(body, &h); err != nil || rec.Code != 200 || len(h.Channels) != 1 {
			t.Fatalf("healthz: %d %s", rec.Code, body)
		}
		return h.Channels[0], string(body)
	}
	if st, body := healthz(); !st.Connected || st.LastError != "" {
		t.Errorf("before the outage: %s", body)
	}

	api.SetDown(true)
	waitHealth(ctx, t, &health, false)
	st, body := healthz()
	if st.Connected || st.LastError == "" || st.ErrorAt == "" {
		t.Errorf("during the outage: %s", body)
	}
	if strings.Contains(body, "health-secret") || strings.Contains(body, "bot777") {
		t.Errorf("healthz shows the token: %s", body)
	}

	api.SetDown(false)
	waitHealth(ctx, t, &health, true)
	after, body := healthz()
	if !after.Connected || after.LastError != st.LastError {
		t.Errorf("after the outage (connected, last error kept): %s", body)
	}
}
