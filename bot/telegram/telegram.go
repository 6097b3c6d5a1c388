// Package telegram is klabot's Telegram adapter: it turns Bot API updates
// into message.Inbound messages and message.Outbound messages into Bot API calls,
// through the go-telegram-bot-api client. It knows Telegram and nothing else.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"klabot/bot/message"
)

// Name is the channel id stored with Telegram contacts.
const Name = "telegram"

// DefaultEndpoint is the official Bot API, as the client library formats it.
const DefaultEndpoint = tgbotapi.APIEndpoint

// Config configures the adapter.
type Config struct {
	Token    string
	Endpoint string // format with two %s: token, method
	// Commands are offered in Telegram's "/" menu, described in the
	// office's language; the flows decide which.
	Commands []Command
	// PollTimeout is the long-poll wait; Telegram allows up to 50 s.
	PollTimeout time.Duration
	// Health, if set, is kept up to date: connected while getUpdates
	// works, not connected with the kind of error while it fails.
	Health *message.Health
}

// Command is one entry of Telegram's "/" menu.
type Command struct{ Name, Description string }

// Telegram is the adapter.
type Telegram struct {
	cfg  Config
	base *tgbotapi.BotAPI
	http *http.Client
	log  *slog.Logger
}

// ctxClient lets every request of the client library carry a context, so
// that shutdown can cut a long poll short; the library itself has none.
type ctxClient struct {
	ctx context.Context
	c   *http.Client
}

func (c ctxClient) Do(r *http.Request) (*http.Response, error) { return c.c.Do(r.WithContext(c.ctx)) }

// Connect checks the token with getMe, retrying while the server cannot be
// reached, and registers the bot's commands. A rejected token fails at once.
func Connect(ctx context.Context, cfg Config, log *slog.Logger) (*Telegram, error) {
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultEndpoint
	}
	if cfg.PollTimeout == 0 {
		cfg.PollTimeout = 25 * time.Second
	}
	// Keep enough connections open for the sender's parallel requests;
	// the default of two per host would redial (and re-handshake TLS)
	// for most messages under load.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 100
	t := &Telegram{cfg: cfg, http: &http.Client{Transport: transport}, log: log.With("channel", Name)}
	for attempt := 0; ; attempt++ {
		api, err := tgbotapi.NewBotAPIWithClient(cfg.Token, cfg.Endpoint, ctxClient{ctx, t.http})
		if err == nil {
			t.base = api
			break
		}
		err = t.redact(err)
		cfg.Health.Down(errorKind(err), time.Now())
		var apiErr *tgbotapi.Error
		if errors.As(err, &apiErr) && (apiErr.Code == http.StatusUnauthorized || apiErr.Code == http.StatusNotFound) {
			return nil, fmt.Errorf("telegram rejected the token (%s): check KLABOT_TELEGRAM_TOKEN", apiErr.Message)
		}
		t.log.Warn("cannot reach Telegram yet, retrying", "err", err)
		if !sleep(ctx, retryWait(err, attempt)) {
			return nil, fmt.Errorf("connect to telegram: %w", ctx.Err())
		}
	}
	t.log.Info("connected", "bot", t.base.Self.UserName)
	cfg.Health.Up()
	if err := t.setCommands(ctx); err != nil {
		t.log.Warn("register commands", "err", err)
	}
	return t, nil
}

// Name implements message.Channel.
func (t *Telegram) Name() string { return Name }

// Close releases idle connections; call it once polling and sending stopped.
func (t *Telegram) Close() { t.http.CloseIdleConnections() }

// BotUserName is the bot's @name.
func (t *Telegram) BotUserName() string { return t.base.Self.UserName }

// api is the client library bound to ctx for one call.
func (t *Telegram) api(ctx context.Context) *tgbotapi.BotAPI {
	a := *t.base
	a.Client = ctxClient{ctx, t.http}
	return &a
}

// setCommands offers the flows' commands in Telegram's "/" menu.
func (t *Telegram) setCommands(ctx context.Context) error {
	if len(t.cfg.Commands) == 0 {
		return nil
	}
	cmds := make([]tgbotapi.BotCommand, len(t.cfg.Commands))
	for i, c := range t.cfg.Commands {
		cmds[i] = tgbotapi.BotCommand{Command: c.Name, Description: c.Description}
	}
	_, err := t.api(ctx).Request(tgbotapi.NewSetMyCommands(cmds...))
	return t.redact(err)
}

// Send implements message.Channel.
func (t *Telegram) Send(ctx context.Context, address string, m message.Outbound) error {
	_, err := t.SendID(ctx, address, m)
	return err
}

// SendID implements message.Editor: it sends (or, with m.Edit, edits) and
// returns the message id, of the last part when a long text went as several.
func (t *Telegram) SendID(ctx context.Context, address string, m message.Outbound) (string, error) {
	chatID, err := strconv.ParseInt(address, 10, 64)
	if err != nil {
		return "", &message.SendError{Err: fmt.Errorf("bad telegram chat id %q", address)}
	}
	api := t.api(ctx)
	if m.Edit != "" {
		return t.edit(api, chatID, m)
	}
	if m.Attachment != nil {
		return t.sendFile(ctx, api, chatID, m)
	}
	chunks := message.SplitText(m.Text, message.MaxText)
	var sent tgbotapi.Message
	for i, chunk := range chunks {
		msg := tgbotapi.NewMessage(chatID, chunk)
		if i == len(chunks)-1 {
			msg.ReplyMarkup = markup(m)
		}
		if sent, err = api.Send(msg); err != nil {
			return "", classify(t.redact(err))
		}
	}
	return strconv.Itoa(sent.MessageID), nil
}

// edit replaces the text and inline keys of a message the bot sent. An
// edit that changes nothing counts as done.
func (t *Telegram) edit(api *tgbotapi.BotAPI, chatID int64, m message.Outbound) (string, error) {
	id, err := strconv.Atoi(m.Edit)
	if err != nil {
		return "", &message.SendError{Err: fmt.Errorf("bad telegram message id %q", m.Edit)}
	}
	e := tgbotapi.NewEditMessageText(chatID, id, message.SplitText(m.Text, message.MaxText)[0])
	if kb, ok := markup(m).(tgbotapi.InlineKeyboardMarkup); ok {
		e.ReplyMarkup = &kb
	}
	if _, err := api.Send(e); err != nil {
		var apiErr *tgbotapi.Error
		if errors.As(err, &apiErr) && strings.Contains(apiErr.Message, "message is not modified") {
			return m.Edit, nil
		}
		return "", classify(t.redact(err))
	}
	return m.Edit, nil
}

// sendFile sends a photo or document with the text as its caption (or,
// when the text is too long for a caption, as a message after it). A file
// with a Ref (a file_id Telegram gave us) is sent by it, without uploading.
func (t *Telegram) sendFile(ctx context.Context, api *tgbotapi.BotAPI, chatID int64, m message.Outbound) (string, error) {
	var file tgbotapi.RequestFileData
	if m.Attachment.Ref != "" {
		file = tgbotapi.FileID(m.Attachment.Ref)
	} else {
		f, err := os.Open(m.Attachment.Path)
		if err != nil {
			return "", &message.SendError{Err: fmt.Errorf("open attachment: %w", err)} // retrying cannot help
		}
		defer f.Close()
		name := m.Attachment.Name
		if name == "" {
			name = filepath.Base(m.Attachment.Path)
		}
		file = tgbotapi.FileReader{Name: name, Reader: f}
	}
	caption, rest := m.Text, ""
	if len([]rune(caption)) > message.MaxCaption {
		caption, rest = "", m.Text
	}
	var c tgbotapi.Chattable
	if m.Attachment.Kind == "photo" {
		p := tgbotapi.NewPhoto(chatID, file)
		p.Caption, p.ReplyMarkup = caption, markupIf(rest == "", m)
		c = p
	} else {
		d := tgbotapi.NewDocument(chatID, file)
		d.Caption, d.ReplyMarkup = caption, markupIf(rest == "", m)
		c = d
	}
	sent, err := api.Send(c)
	if err != nil {
		return "", classify(t.redact(err))
	}
	if rest != "" {
		rest := m
		rest.Attachment = nil
		return t.SendID(ctx, strconv.FormatInt(chatID, 10), rest)
	}
	return strconv.Itoa(sent.MessageID), nil
}

func markupIf(ok bool, m message.Outbound) any {
	if !ok {
		return nil
	}
	return markup(m)
}

// markup renders choices as inline keys, one per row so labels stay whole
// on small screens, or a "share my number" key.
func markup(m message.Outbound) any {
	if m.AskContact != "" {
		kb := tgbotapi.NewReplyKeyboard(tgbotapi.NewKeyboardButtonRow(
			tgbotapi.NewKeyboardButtonContact(m.AskContact)))
		kb.OneTimeKeyboard = true
		return kb
	}
	if len(m.Buttons) == 0 {
		return nil
	}
	// Long lists of short names (17 kecamatan) go two to a row, so the
	// keyboard fits a small screen; otherwise one per row keeps labels whole.
	perRow := 1
	if len(m.Buttons) > 6 {
		perRow = 2
		for _, b := range m.Buttons {
			if len([]rune(b.Label)) > 16 {
				perRow = 1
				break
			}
		}
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	for i, b := range m.Buttons {
		key := tgbotapi.NewInlineKeyboardButtonData(b.Label, b.Data)
		if i%perRow == 0 {
			rows = append(rows, tgbotapi.NewInlineKeyboardRow(key))
		} else {
			rows[len(rows)-1] = append(rows[len(rows)-1], key)
		}
	}
	return tgbotapi.NewInlineKeyboardMarkup(rows...)
}

// classify maps a Bot API error to what the sender should do.
func classify(err error) error {
	var apiErr *tgbotapi.Error
	if !errors.As(err, &apiErr) {
		return &message.SendError{Temporary: true, Err: err} // network, or a proxy's HTML page
	}
	code := apiErr.Code
	if code == 0 {
		code = codeOf(apiErr.Message)
	}
	switch {
	case apiErr.RetryAfter > 0 || code == http.StatusTooManyRequests:
		wait := time.Duration(max(apiErr.RetryAfter, 1)) * time.Second
		return &message.SendError{RetryAfter: wait, Err: err}
	case code == http.StatusForbidden,
		code == http.StatusBadRequest && strings.Contains(strings.ToLower(apiErr.Message), "chat not found"):
		return &message.SendError{Blocked: true, Err: err}
	case code >= 500 || code == http.StatusUnauthorized || code == http.StatusNotFound:
		return &message.SendError{Temporary: true, Err: err}
	}
	return &message.SendError{Err: err}
}

// codeOf reads the error code from Telegram's description ("Forbidden: bot
// was blocked by the user"), for the answers to uploads, where the client
// library leaves the code out. Anything else counts as a server error.
func codeOf(description string) int {
	for prefix, code := range map[string]int{
		"Bad Request": http.StatusBadRequest, "Unauthorized": http.StatusUnauthorized,
		"Forbidden": http.StatusForbidden, "Not Found": http.StatusNotFound,
		"Conflict": http.StatusConflict, "Too Many Requests": http.StatusTooManyRequests,
	} {
		if strings.HasPrefix(description, prefix) {
			return code
		}
	}
	return http.StatusInternalServerError
}

// redact removes the token from an error: the client library puts it in
// every URL, and URLs end up in error messages and logs.
func (t *Telegram) redact(err error) error {
	if err == nil || t.cfg.Token == "" || !strings.Contains(err.Error(), t.cfg.Token) {
		return err
	}
	return redacted{msg: strings.ReplaceAll(err.Error(), t.cfg.Token, "<token>"), err: err}
}

type redacted struct {
	msg string
	err error
}

func (r redacted) Error() string { return r.msg }

// Unwrap keeps errors.As working (for *tgbotapi.Error) without exposing
// the token through Error().
func (r redacted) Unwrap() error {
	var apiErr *tgbotapi.Error
	if errors.As(r.err, &apiErr) {
		return apiErr
	}
	return nil
}

// retryWait is how long to wait before trying again after err: as long as
// Telegram asked (429 retry_after), else backoff.
func retryWait(err error, attempt int) time.Duration {
	var apiErr *tgbotapi.Error
	if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
		return time.Duration(apiErr.RetryAfter) * time.Second
	}
	return backoff(attempt)
}

// errorKind names a failure to reach Telegram for /healthz: a kind, never
// the error's text, which may carry the address with the token.
func errorKind(err error) string {
	var apiErr *tgbotapi.Error
	var netErr net.Error
	switch {
	case errors.As(err, &apiErr) && apiErr.Code == http.StatusUnauthorized:
		return "unauthorized"
	case errors.As(err, &apiErr) && apiErr.Code == http.StatusConflict:
		return "conflict"
	case errors.As(err, &apiErr) && (apiErr.Code == http.StatusTooManyRequests || apiErr.RetryAfter > 0):
		return "rate_limited"
	case errors.As(err, &apiErr) && apiErr.Code >= 500:
		return "server"
	case errors.As(err, &apiErr):
		return "refused"
	case errors.As(err, &netErr):
		return "network"
	}
	// An answer that is not the Bot API's JSON: a proxy or gateway in
	// the way failing.
	return "bad_answer"
}

func backoff(attempt int) time.Duration {
	return min(time.Second<<min(attempt, 5), 30*time.Second)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
