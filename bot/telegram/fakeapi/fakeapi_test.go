package fakeapi_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"klabot/bot/telegram/fakeapi"
)

const token = "123456:test-token"

var (
	alice = fakeapi.User{ID: 42, FirstName: "Alice", Username: "alice", LanguageCode: "en"}
	bob   = fakeapi.User{ID: 43, FirstName: "Bob"}
)

// generous bound for anything that should happen "immediately"; only used to
// fail instead of hanging, never to measure speed.
const eventually = 10 * time.Second

func newServer(t testing.TB) *fakeapi.Server {
	t.Helper()
	srv := fakeapi.New(token)
	t.Cleanup(srv.Close)
	return srv
}

func newBot(t testing.TB, srv *fakeapi.Server) *tgbotapi.BotAPI {
	t.Helper()
	bot, err := tgbotapi.NewBotAPIWithClient(srv.Token(), srv.Endpoint(), &http.Client{})
	if err != nil {
		t.Fatalf("NewBotAPIWithClient: %v", err)
	}
	return bot
}

func ctxTimeout(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), eventually)
	t.Cleanup(cancel)
	return ctx
}

// apiError extracts the tgbotapi error, failing the test if err is not one.
func apiError(t testing.TB, err error) *tgbotapi.Error {
	t.Helper()
	var e *tgbotapi.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *tgbotapi.Error", err, err)
	}
	return e
}

// waitFor polls cond; used only to wait for a request to reach the server.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(eventually)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func getUpdates(t testing.TB, bot *tgbotapi.BotAPI, offset int) []tgbotapi.Update {
	t.Helper()
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: offset})
	if err != nil {
		t.Fatalf("GetUpdates: %v", err)
	}
	return ups
}

func TestGetMeAndAuth(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	if bot.Self.ID != 123456 || srv.BotID != 123456 {
		t.Errorf("bot id = %d (server %d), want 123456 from the token", bot.Self.ID, srv.BotID)
	}
	if bot.Self.UserName != "klabot_test_bot" || !bot.Self.IsBot {
		t.Errorf("getMe = %+v", bot.Self)
	}

	_, err := tgbotapi.NewBotAPIWithClient("999:wrong", srv.Endpoint(), &http.Client{})
	if e := apiError(t, err); e.Code != 401 || e.Message != "Unauthorized" {
		t.Errorf("wrong token: %+v", e)
	}

	_, err = bot.MakeRequest("noSuchMethod", nil)
	if e := apiError(t, err); e.Code != 404 || e.Message != "Not Found" {
		t.Errorf("unknown method: %+v", e)
	}
	if n := srv.Requests("noSuchMethod"); n != 1 {
		t.Errorf("Requests(noSuchMethod) = %d, want 1", n)
	}
	if n := srv.Requests("getme"); n != 2 { // the good and the wrong token
		t.Errorf("Requests(getMe) = %d, want 2", n)
	}
}

func TestGetUpdatesOffsets(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)

	id1 := srv.SendText(alice.ID, alice, "/start ref_1")
	id2 := srv.SendText(alice.ID, alice, "hello")

	ups := getUpdates(t, bot, 0)
	if len(ups) != 2 || ups[0].UpdateID != id1 || ups[1].UpdateID != id2 {
		t.Fatalf("updates = %+v, want ids %d, %d", ups, id1, id2)
	}
	m := ups[0].Message
	if !m.IsCommand() || m.Command() != "start" || m.CommandArguments() != "ref_1" {
		t.Errorf("command parsing: IsCommand=%v Command=%q Args=%q", m.IsCommand(), m.Command(), m.CommandArguments())
	}
	if m.Chat.ID != alice.ID || m.Chat.Type != "private" || m.From.UserName != "alice" || m.From.LanguageCode != "en" {
		t.Errorf("message envelope: chat %+v from %+v", m.Chat, m.From)
	}
	if m.MessageID != 1 || ups[1].Message.MessageID != 2 || ups[1].Message.IsCommand() {
		t.Errorf("message ids %d, %d", m.MessageID, ups[1].Message.MessageID)
	}

	// Without confirmation, updates are delivered again.
	if ups := getUpdates(t, bot, 0); len(ups) != 2 {
		t.Fatalf("redelivery: got %d updates, want 2", len(ups))
	}
	// An offset confirms every earlier update.
	ups = getUpdates(t, bot, id1+1)
	if len(ups) != 1 || ups[0].UpdateID != id2 {
		t.Fatalf("after offset %d: %+v", id1+1, ups)
	}
	if srv.Offset() != id1+1 || srv.PendingUpdates() != 1 {
		t.Errorf("Offset = %d, Pending = %d", srv.Offset(), srv.PendingUpdates())
	}
	if ups := getUpdates(t, bot, id2+1); len(ups) != 0 {
		t.Fatalf("after confirming all: %+v", ups)
	}
	if srv.PendingUpdates() != 0 {
		t.Errorf("Pending = %d after confirming all", srv.PendingUpdates())
	}
}

func TestLongPollWakesOnUpdate(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)

	type result struct {
		ups []tgbotapi.Update
		err error
	}
	done := make(chan result, 1)
	go func() {
		ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 60})
		done <- result{ups, err}
	}()
	waitFor(t, "getUpdates", func() bool { return srv.Requests("getUpdates") == 1 })
	id := srv.SendText(alice.ID, alice, "wake up")

	select {
	case r := <-done:
		if r.err != nil || len(r.ups) != 1 || r.ups[0].UpdateID != id {
			t.Fatalf("long poll returned %+v, %v", r.ups, r.err)
		}
	case <-time.After(eventually):
		t.Fatal("long poll not woken by the update")
	}
}

func TestLongPollTimesOutEmpty(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 1})
	if err != nil || len(ups) != 0 {
		t.Fatalf("GetUpdates = %+v, %v; want empty", ups, err)
	}
}

func TestCloseUnblocksLongPoll(t *testing.T) {
	srv := fakeapi.New(token)
	bot := newBot(t, srv)
	done := make(chan struct{})
	go func() {
		_, _ = bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 600})
		close(done)
	}()
	waitFor(t, "getUpdates", func() bool { return srv.Requests("getUpdates") == 1 })
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	for _, ch := range []chan struct{}{closed, done} {
		select {
		case <-ch:
		case <-time.After(eventually):
			t.Fatal("Close did not release the pending long poll")
		}
	}
	srv.Close() // idempotent
}

func TestNewPollTerminatesOldOne(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	errs := make(chan error, 2)
	got := make(chan []tgbotapi.Update, 2)
	for i := 0; i < 2; i++ {
		go func() {
			ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 60})
			if err != nil {
				errs <- err
				return
			}
			got <- ups
		}()
	}
	waitFor(t, "two polls", func() bool { return srv.Requests("getUpdates") == 2 })
	// Whichever poll lost gets 409; the surviving one receives the update.
	select {
	case err := <-errs:
		if e := apiError(t, err); e.Code != 409 || !strings.HasPrefix(e.Message, "Conflict: terminated by other getUpdates") {
			t.Fatalf("loser got %+v", e)
		}
	case <-time.After(eventually):
		t.Fatal("no 409 for the older poll")
	}
	srv.SendText(alice.ID, alice, "hi")
	select {
	case ups := <-got:
		if len(ups) != 1 {
			t.Fatalf("survivor got %+v", ups)
		}
	case err := <-errs:
		t.Fatalf("both polls failed: %v", err)
	case <-time.After(eventually):
		t.Fatal("surviving poll not woken")
	}
}

func TestSendMessageKeyboardCallbackAndEdit(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	ctx := ctxTimeout(t)

	msg := tgbotapi.NewMessage(alice.ID, "<b>Pick</b> one &amp; go")
	msg.ParseMode = tgbotapi.ModeHTML
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(
		tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData("Yes", "vote:yes"),
			tgbotapi.NewInlineKeyboardButtonData("No", "vote:no"),
		),
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonURL("Site", "https://example.com")),
	)
	got, err := bot.Send(msg)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got.MessageID != 1 || got.Text != "Pick one & go" || got.Chat.ID != alice.ID || got.From.ID != srv.BotID {
		t.Errorf("returned message = %+v", got)
	}
	if got.ReplyMarkup == nil || len(got.ReplyMarkup.InlineKeyboard) != 2 {
		t.Errorf("returned markup = %+v", got.ReplyMarkup)
	}

	sent, err := srv.WaitSentTo(ctx, alice.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := sent[0]
	if s.Method != "sendMessage" || s.Text != msg.Text || s.ParseMode != "HTML" || s.MessageID != 1 {
		t.Errorf("recorded %+v", s)
	}
	if kb := s.ReplyMarkup; kb == nil || len(kb.Rows) != 2 || len(kb.Rows[0]) != 2 || kb.Rows[1][0].URL != "https://example.com" {
		t.Fatalf("recorded keyboard %+v", kb)
	}
	no, ok := s.ReplyMarkup.Find("No")
	if !ok || no.CallbackData != "vote:no" {
		t.Fatalf("Find(No) = %+v, %v", no, ok)
	}

	// The user presses the button; the bot sees its own message in the query.
	upID := srv.PressButton(alice.ID, alice, s.MessageID, no.CallbackData)
	ups := getUpdates(t, bot, 0)
	if len(ups) != 1 || ups[0].UpdateID != upID || ups[0].CallbackQuery == nil {
		t.Fatalf("updates = %+v", ups)
	}
	cq := ups[0].CallbackQuery
	if cq.Data != "vote:no" || cq.From.ID != alice.ID || cq.Message.MessageID != 1 ||
		cq.Message.Text != "Pick one & go" || cq.Message.From.ID != srv.BotID {
		t.Errorf("callback query = %+v, message %+v", cq, cq.Message)
	}
	if cq.Message.ReplyMarkup == nil || *cq.Message.ReplyMarkup.InlineKeyboard[0][1].CallbackData != "vote:no" {
		t.Errorf("callback message markup = %+v", cq.Message.ReplyMarkup)
	}
	if _, err := bot.Request(tgbotapi.NewCallback(cq.ID, "Noted")); err != nil {
		t.Fatal(err)
	}
	if a := srv.CallbackAnswers(); len(a) != 1 || a[0] != cq.ID {
		t.Errorf("CallbackAnswers = %v, want [%s]", a, cq.ID)
	}

	// Editing without reply_markup drops the keyboard, like Telegram.
	edited, err := bot.Send(tgbotapi.NewEditMessageText(alice.ID, s.MessageID, "Thanks!"))
	if err != nil {
		t.Fatal(err)
	}
	if edited.Text != "Thanks!" || edited.EditDate == 0 || edited.ReplyMarkup != nil {
		t.Errorf("edited = %+v", edited)
	}
	_, err = bot.Send(tgbotapi.NewEditMessageText(alice.ID, s.MessageID, "Thanks!"))
	if e := apiError(t, err); e.Code != 400 || !strings.Contains(e.Message, "message is not modified") {
		t.Errorf("identical edit: %+v", e)
	}
	_, err = bot.Send(tgbotapi.NewEditMessageText(alice.ID, 99, "x"))
	if e := apiError(t, err); !strings.Contains(e.Message, "message to edit not found") {
		t.Errorf("edit of unknown message: %+v", e)
	}
	all := srv.Sent()
	if len(all) != 2 || all[1].Method != "editMessageText" || all[1].MessageID != 1 || all[1].ReplyMarkup != nil {
		t.Errorf("Sent = %+v", all)
	}

	// User and bot share the chat's message numbering.
	srv.SendText(alice.ID, alice, "next")
	if ups := getUpdates(t, bot, upID+1); len(ups) != 1 || ups[0].Message.MessageID != 2 {
		t.Fatalf("user message = %+v", ups)
	}
	if m, err := bot.Send(tgbotapi.NewMessage(alice.ID, "reply")); err != nil || m.MessageID != 3 {
		t.Errorf("next bot message id = %d, %v; want 3", m.MessageID, err)
	}
}

func TestEditReplyMarkupAndReset(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)

	kb := func(data string) tgbotapi.InlineKeyboardMarkup {
		return tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("B", data)))
	}
	msg := tgbotapi.NewMessage(alice.ID, "menu")
	msg.ReplyMarkup = kb("a")
	m, err := bot.Send(msg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Send(tgbotapi.NewEditMessageReplyMarkup(alice.ID, m.MessageID, kb("b"))); err != nil {
		t.Fatal(err)
	}
	_, err = bot.Send(tgbotapi.NewEditMessageReplyMarkup(alice.ID, m.MessageID, kb("b")))
	if e := apiError(t, err); !strings.Contains(e.Message, "message is not modified") {
		t.Errorf("identical markup: %+v", e)
	}
	// An empty keyboard removes it.
	if _, err := bot.Send(tgbotapi.NewEditMessageReplyMarkup(alice.ID, m.MessageID, tgbotapi.NewInlineKeyboardMarkup())); err != nil {
		t.Fatal(err)
	}
	sent := srv.Sent()
	if len(sent) != 3 || sent[1].ReplyMarkup.Buttons()[0].CallbackData != "b" || sent[2].ReplyMarkup != nil {
		t.Fatalf("Sent = %+v", sent)
	}
	// The pressed message reflects the latest markup (none).
	srv.PressButton(alice.ID, alice, m.MessageID, "b")
	if ups := getUpdates(t, bot, 0); ups[0].CallbackQuery.Message.ReplyMarkup != nil {
		t.Errorf("callback message markup = %+v", ups[0].CallbackQuery.Message.ReplyMarkup)
	}
	// Users' messages cannot be edited by the bot.
	srv.SendText(alice.ID, alice, "mine")
	_, err = bot.Send(tgbotapi.NewEditMessageText(alice.ID, m.MessageID+1, "x"))
	if e := apiError(t, err); e.Message != "Bad Request: message can't be edited" {
		t.Errorf("editing a user message: %+v", e)
	}
	if st := srv.Stats(); st.Accepted != 1 { // only sendMessage is rate-limited
		t.Errorf("Stats.Accepted = %d, want 1", st.Accepted)
	}

	srv.Reset()
	if len(srv.Sent()) != 0 || srv.Requests("sendMessage") != 0 || srv.Stats() != (fakeapi.Stats{}) {
		t.Errorf("after Reset: %d sent, stats %+v", len(srv.Sent()), srv.Stats())
	}
}

// Telegram also accepts JSON bodies and ignores the case of method names;
// other clients (or raw HTTP calls in tests) may rely on both.
func TestJSONBodyAndMethodCase(t *testing.T) {
	srv := newServer(t)
	body := `{"chat_id": -1001234567890123, "text": "hi",
		"reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "x"}]]}}`
	resp, err := http.Post(srv.URL()+"/bot"+token+"/SENDMESSAGE", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %s: %s", resp.Status, b)
	}
	sent := srv.Sent()
	if len(sent) != 1 || sent[0].ChatID != -1001234567890123 || sent[0].Method != "sendMessage" {
		t.Fatalf("Sent = %+v", sent)
	}
	if b, ok := sent[0].ReplyMarkup.Find("A"); !ok || b.CallbackData != "x" {
		t.Errorf("markup = %+v", sent[0].ReplyMarkup)
	}
}

func TestFailNext(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)

	srv.FailNext("sendMessage", 0, 429, "", 3)
	_, err := bot.Send(tgbotapi.NewMessage(alice.ID, "x"))
	e := apiError(t, err)
	if e.Code != 429 || e.RetryAfter != 3 || e.Message != "Too Many Requests: retry after 3" {
		t.Errorf("429: %+v", e)
	}
	if _, err := bot.Send(tgbotapi.NewMessage(alice.ID, "x")); err != nil {
		t.Errorf("the fault must apply once: %v", err)
	}
	if n, sent := srv.Requests("sendMessage"), len(srv.Sent()); n != 2 || sent != 1 {
		t.Errorf("Requests = %d, Sent = %d; want 2, 1", n, sent)
	}

	// Chat-scoped fault: other chats are unaffected.
	srv.FailNext("sendMessage", 7, 400, "Bad Request: chat not found", 0)
	if _, err := bot.Send(tgbotapi.NewMessage(alice.ID, "x")); err != nil {
		t.Errorf("other chat: %v", err)
	}
	_, err = bot.Send(tgbotapi.NewMessage(7, "x"))
	if e := apiError(t, err); e.Code != 400 || e.Message != "Bad Request: chat not found" {
		t.Errorf("400: %+v", e)
	}

	// Uploads go through tgbotapi's multipart path, which keeps RetryAfter.
	srv.FailNext("sendPhoto", 0, 429, "", 5)
	_, err = bot.Send(tgbotapi.NewPhoto(alice.ID, tgbotapi.FileBytes{Name: "a.jpg", Bytes: []byte("jpg")}))
	if e := apiError(t, err); e.RetryAfter != 5 {
		t.Errorf("upload 429: %+v", e)
	}

	srv.FailNext("getUpdates", 0, 500, "", 0)
	_, err = bot.GetUpdates(tgbotapi.UpdateConfig{})
	if e := apiError(t, err); e.Code != 500 || e.Message != "Internal Server Error" {
		t.Errorf("500: %+v", e)
	}
	if st := srv.Stats(); st.Injected != 4 {
		t.Errorf("Stats.Injected = %d, want 4", st.Injected)
	}
}

func TestBlockedChats(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)

	srv.BlockChat(alice.ID)
	_, err := bot.Send(tgbotapi.NewMessage(alice.ID, "x"))
	if e := apiError(t, err); e.Code != 403 || e.Message != "Forbidden: bot was blocked by the user" {
		t.Errorf("blocked send: %+v", e)
	}
	if _, err := bot.Request(tgbotapi.NewChatAction(alice.ID, tgbotapi.ChatTyping)); err == nil {
		t.Error("chat action to a blocked chat succeeded")
	}
	srv.UnblockChat(alice.ID)
	if _, err := bot.Send(tgbotapi.NewMessage(alice.ID, "x")); err != nil {
		t.Errorf("after unblock: %v", err)
	}

	id := srv.BlockBot(bob.ID, bob)
	ups := getUpdates(t, bot, 0)
	if len(ups) != 1 || ups[0].UpdateID != id || ups[0].MyChatMember == nil {
		t.Fatalf("updates = %+v", ups)
	}
	cm := ups[0].MyChatMember
	if cm.Chat.ID != bob.ID || cm.From.ID != bob.ID || cm.NewChatMember.Status != "kicked" ||
		cm.OldChatMember.Status != "member" || cm.NewChatMember.User.ID != srv.BotID {
		t.Errorf("my_chat_member = %+v", cm)
	}
	_, err = bot.Send(tgbotapi.NewMessage(bob.ID, "x"))
	if e := apiError(t, err); e.Code != 403 {
		t.Errorf("send after BlockBot: %+v", e)
	}
	if st := srv.Stats(); st.Blocked != 3 {
		t.Errorf("Stats.Blocked = %d, want 3", st.Blocked)
	}
}

func TestPerChatLimit(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	// A long window keeps the test independent of machine speed.
	srv.EnforceLimits(fakeapi.Limits{PerChat: 1, Window: time.Hour})

	rejected := 0
	for i := 0; i < 5; i++ {
		_, err := bot.Send(tgbotapi.NewMessage(alice.ID, fmt.Sprint(i)))
		if err == nil {
			continue
		}
		e := apiError(t, err)
		if e.Code != 429 || e.RetryAfter < 1 || e.Message != fmt.Sprintf("Too Many Requests: retry after %d", e.RetryAfter) {
			t.Errorf("rejection: %+v", e)
		}
		rejected++
	}
	if rejected != 4 || len(srv.SentTo(alice.ID)) != 1 {
		t.Errorf("rejected %d, recorded %d; want 4, 1", rejected, len(srv.SentTo(alice.ID)))
	}
	if _, err := bot.Send(tgbotapi.NewMessage(bob.ID, "x")); err != nil {
		t.Errorf("another chat must not be limited: %v", err)
	}
	// Chat actions do not count against limits.
	if _, err := bot.Request(tgbotapi.NewChatAction(alice.ID, tgbotapi.ChatTyping)); err != nil {
		t.Errorf("chat action: %v", err)
	}
	if st := srv.Stats(); st.Accepted != 2 || st.RateLimited != 4 {
		t.Errorf("Stats = %+v", st)
	}
}

func TestDefaultWindowIsOneSecond(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	srv.EnforceLimits(fakeapi.Limits{Global: 30, PerChat: 1})

	if _, err := bot.Send(tgbotapi.NewMessage(alice.ID, "1")); err != nil {
		t.Fatal(err)
	}
	first := time.Now()
	_, err := bot.Send(tgbotapi.NewMessage(alice.ID, "2"))
	if err == nil {
		// Only legitimate if the machine was so slow that the window passed.
		if time.Since(first) < time.Second {
			t.Fatal("second send within a second was accepted")
		}
		return
	}
	if e := apiError(t, err); e.Code != 429 || e.RetryAfter != 1 {
		t.Errorf("rejection: %+v, want retry_after 1", e)
	}
}

func TestGlobalLimitConcurrent(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	srv.EnforceLimits(fakeapi.Limits{Global: 5, Window: time.Hour})

	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(chat int64) {
			defer wg.Done()
			if _, err := bot.Send(tgbotapi.NewMessage(chat, "x")); err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}(int64(1000 + i))
	}
	wg.Wait()
	if st := srv.Stats(); ok != 5 || st.Accepted != 5 || st.RateLimited != 15 || len(srv.Sent()) != 5 {
		t.Errorf("accepted %d, stats %+v, recorded %d", ok, st, len(srv.Sent()))
	}
}

func download(t testing.TB, c *http.Client, url string) []byte {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", url, resp.Status, body)
	}
	return body
}

func TestFiles(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	data := []byte("\x89PNG fake image")
	filePath := srv.AddFile("photo-1", data)

	srv.SendPhoto(alice.ID, alice, "photo-1", "look")
	ups := getUpdates(t, bot, 0)
	m := ups[0].Message
	if len(m.Photo) != 1 || m.Photo[0].FileID != "photo-1" || m.Photo[0].FileSize != len(data) || m.Caption != "look" {
		t.Fatalf("photo message = %+v", m)
	}

	link, err := bot.GetFileDirectURL("photo-1")
	if err != nil {
		t.Fatal(err)
	}
	// tgbotapi hard-codes api.telegram.org in file links; srv.Client()
	// routes such links to the fake.
	if want := "https://api.telegram.org/file/bot" + token + "/" + filePath; link != want {
		t.Errorf("link = %q, want %q", link, want)
	}
	if got := download(t, srv.Client(), link); !bytes.Equal(got, data) {
		t.Errorf("downloaded %q", got)
	}
	if got := download(t, http.DefaultClient, srv.FileURL(filePath)); !bytes.Equal(got, data) {
		t.Errorf("downloaded %q via FileURL", got)
	}
	resp, err := http.Get(srv.URL() + "/file/botwrong/" + filePath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("download with wrong token: %s", resp.Status)
	}

	_, err = bot.GetFile(tgbotapi.FileConfig{FileID: "nope"})
	if e := apiError(t, err); e.Code != 400 || e.Message != "Bad Request: invalid file_id" {
		t.Errorf("unknown file: %+v", e)
	}

	// A document uploaded by the bot becomes a downloadable file.
	csv := []byte("a,b\n1,2\n")
	sentMsg, err := bot.Send(tgbotapi.NewDocument(alice.ID, tgbotapi.FileBytes{Name: "report.csv", Bytes: csv}))
	if err != nil {
		t.Fatal(err)
	}
	doc := sentMsg.Document
	if doc == nil || doc.FileName != "report.csv" || doc.FileSize != len(csv) {
		t.Fatalf("document = %+v", doc)
	}
	rec := srv.SentTo(alice.ID)[0]
	if rec.Method != "sendDocument" || rec.FileID != doc.FileID || !rec.Uploaded {
		t.Errorf("recorded %+v", rec)
	}
	if got, ok := srv.File(doc.FileID); !ok || !bytes.Equal(got, csv) {
		t.Errorf("File(%s) = %q, %v", doc.FileID, got, ok)
	}
	f, err := bot.GetFile(tgbotapi.FileConfig{FileID: doc.FileID})
	if err != nil || !strings.HasSuffix(f.FilePath, ".csv") {
		t.Fatalf("GetFile = %+v, %v", f, err)
	}
	if got := download(t, srv.Client(), f.Link(bot.Token)); !bytes.Equal(got, csv) {
		t.Errorf("downloaded upload %q", got)
	}

	// Re-sending by file_id is not an upload.
	if _, err := bot.Send(tgbotapi.NewDocument(bob.ID, tgbotapi.FileID(doc.FileID))); err != nil {
		t.Fatal(err)
	}
	if rec := srv.SentTo(bob.ID)[0]; rec.FileID != doc.FileID || rec.Uploaded {
		t.Errorf("resend recorded %+v", rec)
	}
}

func TestOutageAndDelay(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)

	srv.SetDown(true)
	_, err := bot.Send(tgbotapi.NewMessage(alice.ID, "x"))
	var e *tgbotapi.Error
	if err == nil || errors.As(err, &e) {
		t.Errorf("outage must surface as a transport/decoding error, got %v", err)
	}
	srv.SetDown(false)
	if _, err := bot.Send(tgbotapi.NewMessage(alice.ID, "x")); err != nil {
		t.Fatal(err)
	}
	if st := srv.Stats(); st.Outage != 1 || len(srv.Sent()) != 1 {
		t.Errorf("Stats = %+v", st)
	}

	const delay = 50 * time.Millisecond
	srv.SetDelay(delay)
	start := time.Now()
	if _, err := bot.GetMe(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < delay {
		t.Errorf("request took %v, want >= %v", d, delay)
	}
}

func TestCommands(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)

	cmds := []tgbotapi.BotCommand{{Command: "start", Description: "Start"}, {Command: "help", Description: "Help"}}
	if _, err := bot.Request(tgbotapi.NewSetMyCommands(cmds...)); err != nil {
		t.Fatal(err)
	}
	if got := srv.Commands(); len(got) != 2 || got[1] != cmds[1] {
		t.Errorf("Commands = %+v", got)
	}
	_, err := bot.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "/Start", Description: "x"}))
	if e := apiError(t, err); e.Message != "Bad Request: BOT_COMMAND_INVALID" {
		t.Errorf("invalid command: %+v", e)
	}
	if _, err := bot.Request(tgbotapi.NewDeleteMyCommands()); err != nil {
		t.Fatal(err)
	}
	if got := srv.Commands(); got != nil {
		t.Errorf("Commands after delete = %+v", got)
	}
	if calls := srv.Calls("setMyCommands"); len(calls) != 1 {
		t.Errorf("Calls(setMyCommands) = %v", calls)
	}
}

func TestInboundUpdateKinds(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)

	srv.SendVoice(alice.ID, alice, "voice-1", 7)
	srv.SendDocument(alice.ID, alice, "doc-1", "cv.pdf", "my cv")
	srv.SendSticker(alice.ID, alice, "stk-1", "👍")
	srv.SendLocation(alice.ID, alice, 55.75, 37.62)
	srv.SendContact(alice.ID, alice, "+15550100")
	srv.EditText(alice.ID, alice, 1, "edited")
	srv.SendGroupText(-100, bob, "/help@klabot_test_bot")
	srv.AddUpdate(map[string]any{"inline_query": map[string]any{
		"id": "iq1", "from": map[string]any{"id": 43, "is_bot": false, "first_name": "Bob"}, "query": "q", "offset": "",
	}})

	ups := getUpdates(t, bot, 0)
	if len(ups) != 8 {
		t.Fatalf("got %d updates, want 8", len(ups))
	}
	if v := ups[0].Message.Voice; v == nil || v.FileID != "voice-1" || v.Duration != 7 {
		t.Errorf("voice = %+v", v)
	}
	if d := ups[1].Message.Document; d == nil || d.FileID != "doc-1" || d.FileName != "cv.pdf" || ups[1].Message.Caption != "my cv" {
		t.Errorf("document = %+v", d)
	}
	if s := ups[2].Message.Sticker; s == nil || s.FileID != "stk-1" || s.Emoji != "👍" {
		t.Errorf("sticker = %+v", s)
	}
	if l := ups[3].Message.Location; l == nil || l.Latitude != 55.75 || l.Longitude != 37.62 {
		t.Errorf("location = %+v", l)
	}
	if c := ups[4].Message.Contact; c == nil || c.PhoneNumber != "+15550100" || c.UserID != alice.ID {
		t.Errorf("contact = %+v", c)
	}
	if em := ups[5].EditedMessage; em == nil || em.MessageID != 1 || em.Text != "edited" || em.EditDate == 0 {
		t.Errorf("edited message = %+v", em)
	}
	g := ups[6].Message
	if g == nil || g.Chat.Type != "group" || g.Chat.ID != -100 || g.Command() != "help" || g.CommandWithAt() != "help@klabot_test_bot" {
		t.Errorf("group message = %+v", g)
	}
	if iq := ups[7].InlineQuery; iq == nil || iq.ID != "iq1" || ups[7].UpdateID != ups[6].UpdateID+1 {
		t.Errorf("raw update = %+v", ups[7])
	}
}

func TestFormattingValidation(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	send := func(text, mode string) error {
		m := tgbotapi.NewMessage(alice.ID, text)
		m.ParseMode = mode
		_, err := bot.Send(m)
		return err
	}
	for _, tc := range []struct{ text, mode, want string }{
		{"a<br>b", "HTML", `Unsupported start tag "br"`},
		{"<b>x</i>", "HTML", `Unmatched end tag`},
		{"<b>x", "HTML", `Can't find end tag corresponding to start tag b`},
		{"1 < 2", "HTML", `Unsupported start tag ""`},
		{"Total: 5.00", "MarkdownV2", `Character '.' is reserved`},
		{"user_name", "Markdown", `Can't find end of the entity starting at byte offset 4`},
		{"", "", "message text is empty"},
		{strings.Repeat("й", 4097), "", "message is too long"},
	} {
		err := send(tc.text, tc.mode)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %.20q: err = %v, want %q", tc.mode, tc.text, err, tc.want)
		}
	}
	for _, tc := range []struct{ text, mode string }{
		{`<b>bold</b> <a href="https://x.io/?a=1&amp;b=2">link</a> 1 &lt; 2`, "HTML"},
		{`Total: 5\.00\! *bold* [x](https://x.io/a-b.c) ` + "`a.b`", "MarkdownV2"},
		{`*bold* _it_ [u_1](https://x.io/a_b) \_ok`, "Markdown"},
	} {
		if err := send(tc.text, tc.mode); err != nil {
			t.Errorf("%s %q rejected: %v", tc.mode, tc.text, err)
		}
	}

	long := strings.Repeat("x", 65)
	m := tgbotapi.NewMessage(alice.ID, "pick")
	m.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("x", long)))
	_, err := bot.Send(m)
	if e := apiError(t, err); e.Message != "Bad Request: BUTTON_DATA_INVALID" {
		t.Errorf("long callback data: %+v", e)
	}

	srv.ValidateFormatting(false)
	if err := send("a<br>b", "HTML"); err != nil {
		t.Errorf("validation off: %v", err)
	}
}

func TestWaitSent(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := srv.WaitSent(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitSent on idle server: %v", err)
	}

	go func() {
		for i := 0; i < 3; i++ {
			_, _ = bot.Send(tgbotapi.NewMessage(alice.ID, fmt.Sprint(i)))
		}
	}()
	sent, err := srv.WaitSent(ctxTimeout(t), 3)
	if err != nil || len(sent) < 3 || sent[2].Text != "2" {
		t.Fatalf("WaitSent = %+v, %v", sent, err)
	}

	srv.Close()
	if _, err := srv.WaitSentTo(context.Background(), bob.ID, 1); !errors.Is(err, fakeapi.ErrClosed) {
		t.Errorf("WaitSentTo after Close: %v", err)
	}
}

// TestEchoBot runs a polling bot against the fake while updates are injected
// concurrently, to exercise the server under the race detector.
func TestEchoBot(t *testing.T) {
	srv := fakeapi.New(token)
	bot := newBot(t, srv)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		offset := 0
		for {
			ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Timeout: 30})
			select {
			case <-stop:
				return
			default:
			}
			if err != nil {
				continue
			}
			for _, u := range ups {
				offset = u.UpdateID + 1
				if u.Message != nil {
					_, _ = bot.Send(tgbotapi.NewMessage(u.Message.Chat.ID, "echo: "+u.Message.Text))
				}
			}
		}
	}()

	const users, perUser = 5, 10
	for u := 0; u < users; u++ {
		wg.Add(1)
		go func(user fakeapi.User) {
			defer wg.Done()
			for i := 0; i < perUser; i++ {
				srv.SendText(user.ID, user, fmt.Sprint(i))
				_ = srv.Stats() // concurrent readers
			}
		}(fakeapi.User{ID: int64(500 + u), FirstName: "U"})
	}
	sent, err := srv.WaitSent(ctxTimeout(t), users*perUser)
	if err != nil {
		t.Fatalf("WaitSent: %v (got %d)", err, len(sent))
	}
	for u := 0; u < users; u++ {
		msgs := srv.SentTo(int64(500 + u))
		for i, m := range msgs {
			if want := fmt.Sprint("echo: ", i); m.Text != want {
				t.Errorf("user %d message %d = %q, want %q", u, i, m.Text, want)
			}
		}
	}
	close(stop)
	srv.Close() // releases the pending poll
	wg.Wait()
}

func BenchmarkSendMessage(b *testing.B) {
	srv := newServer(b)
	bot := newBot(b, srv)
	msg := tgbotapi.NewMessage(alice.ID, "hello")
	for b.Loop() {
		if _, err := bot.Send(msg); err != nil {
			b.Fatal(err)
		}
	}
}
