package fakeapi

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// fault is a queued injected failure.
type fault struct {
	method string // canonical method name, "" for any
	chatID int64  // 0 for any chat
	err    *apiError
}

// FailNext makes the next call of method (to chatID, or to any chat when
// chatID is 0; an empty method matches every method) fail with the given
// error code, description and retry_after. Calls queue: two FailNext calls
// fail the next two matching requests. An empty description defaults to
// Telegram's wording for the code ("Too Many Requests: retry after N",
// "Forbidden", ...); a 429 always carries retry_after, at least 1 second.
//
// Note that tgbotapi leaves Error.Code at 0 for multipart uploads
// (UploadFiles), so only Message and RetryAfter reach the caller there.
func (s *Server) FailNext(method string, chatID int64, code int, description string, retryAfter int) {
	if code <= 0 {
		code = http.StatusInternalServerError
	}
	if code == http.StatusTooManyRequests && retryAfter < 1 {
		retryAfter = 1
	}
	if description == "" {
		description = defaultDescription(code, retryAfter)
	}
	if method != "" {
		method = canonicalMethod(method)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{method: method, chatID: chatID,
		err: &apiError{code: code, desc: description, retryAfter: retryAfter}})
}

func defaultDescription(code, retryAfter int) string {
	switch code {
	case http.StatusBadRequest:
		return "Bad Request"
	case http.StatusUnauthorized:
		return "Unauthorized"
	case http.StatusForbidden:
		return "Forbidden"
	case http.StatusNotFound:
		return "Not Found"
	case http.StatusConflict:
		return "Conflict"
	case http.StatusTooManyRequests:
		return fmt.Sprintf("Too Many Requests: retry after %d", retryAfter)
	default:
		return http.StatusText(code)
	}
}

// BlockChat makes every request addressed to chatID (sends, edits, chat
// actions) fail with 403: "Forbidden: bot was blocked by the user" for private
// chats and "Forbidden: bot was kicked from the group chat" (or supergroup
// chat) for groups. BlockBot does the same and also emits the update.
func (s *Server) BlockChat(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[chatID] = true
}

// UnblockChat undoes BlockChat.
func (s *Server) UnblockChat(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.blocked, chatID)
}

func blockedError(chatID int64) *apiError {
	desc := "Forbidden: bot was blocked by the user"
	switch {
	case chatID <= -1000000000000:
		desc = "Forbidden: bot was kicked from the supergroup chat"
	case chatID < 0:
		desc = "Forbidden: bot was kicked from the group chat"
	}
	return &apiError{code: http.StatusForbidden, desc: desc}
}

// SetDown simulates an outage: while down, every request (including file
// downloads) is answered with HTTP 502 and an HTML body, as a failing reverse
// proxy would, so clients get a decoding error rather than an API error.
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// SetDelay adds latency before every request is processed (0 disables it).
// The wait ends early when the client cancels or the server closes.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// ValidateFormatting turns on or off (it is on by default) the checks of
// parse_mode texts: HTML tags, MarkdownV2 reserved characters and legacy
// Markdown entity ends are verified and violations answered with Telegram's
// "Bad Request: can't parse entities: ..." error. The checks are a
// conservative subset of Telegram's parser: they reject only what Telegram
// certainly rejects.
func (s *Server) ValidateFormatting(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.validate = on
}

// EnforceLimits turns rate limiting on (a zero Limits turns it off) and
// resets the windows. Only sendMessage, sendPhoto, sendDocument, sendVoice
// and editMessageText count. A send over a limit is answered with 429
// "Too Many Requests: retry after N", where N (>= 1) is the number of
// seconds, rounded up, until the oldest send in the full window expires; the
// rejected send is not recorded and does not use a slot.
func (s *Server) EnforceLimits(l Limits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = l
	s.globalWin = nil
	clear(s.chatWin)
}

// admitLocked applies the rate limits to a send to chatID (0: no chat, only
// the global limit applies) and, if it is allowed, takes a slot.
func (s *Server) admitLocked(chatID int64, now time.Time) *apiError {
	if !s.limits.enabled() {
		s.stats.Accepted++
		return nil
	}
	win := s.limits.window()
	cutoff := now.Add(-win)
	var wait time.Duration
	if s.limits.Global > 0 {
		s.globalWin = prune(s.globalWin, cutoff)
		if len(s.globalWin) >= s.limits.Global {
			wait = max(wait, s.globalWin[len(s.globalWin)-s.limits.Global].Add(win).Sub(now))
		}
	}
	perChat := s.limits.PerChat > 0 && chatID != 0
	if perChat {
		q := prune(s.chatWin[chatID], cutoff)
		if len(q) == 0 {
			delete(s.chatWin, chatID) // keep the map small across many chats
		} else {
			s.chatWin[chatID] = q
		}
		if len(q) >= s.limits.PerChat {
			wait = max(wait, q[len(q)-s.limits.PerChat].Add(win).Sub(now))
		}
	}
	if wait > 0 {
		s.stats.RateLimited++
		n := max(int(math.Ceil(wait.Seconds())), 1)
		return &apiError{code: http.StatusTooManyRequests, desc: fmt.Sprintf("Too Many Requests: retry after %d", n), retryAfter: n}
	}
	s.globalWin = append(s.globalWin, now)
	if perChat {
		s.chatWin[chatID] = append(s.chatWin[chatID], now)
	}
	s.stats.Accepted++
	return nil
}

// prune drops the timestamps at or before cutoff; q is in time order.
func prune(q []time.Time, cutoff time.Time) []time.Time {
	i := 0
	for i < len(q) && !q[i].After(cutoff) {
		i++
	}
	if i == 0 {
		return q
	}
	// Copy down so the backing array does not grow without bound.
	return append(q[:0], q[i:]...)
}

// Sent returns a copy of the log of accepted message sends and edits, in the
// order the server accepted them.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// SentTo returns the accepted sends and edits addressed to chatID, in order.
func (s *Server) SentTo(chatID int64) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sentToLocked(chatID)
}

func (s *Server) sentToLocked(chatID int64) []Sent {
	var out []Sent
	for _, m := range s.sent {
		if m.ChatID == chatID {
			out = append(out, m)
		}
	}
	return out
}

// WaitSent blocks until at least n sends or edits were accepted in total and
// returns them all. On cancellation or Close it returns what was sent so far
// with ctx.Err() or ErrClosed.
func (s *Server) WaitSent(ctx context.Context, n int) ([]Sent, error) {
	return s.waitSent(ctx, func() ([]Sent, bool) {
		return s.sent, len(s.sent) >= n
	})
}

// WaitSentTo is WaitSent restricted to the messages addressed to chatID.
func (s *Server) WaitSentTo(ctx context.Context, chatID int64, n int) ([]Sent, error) {
	return s.waitSent(ctx, func() ([]Sent, bool) {
		out := s.sentToLocked(chatID)
		return out, len(out) >= n
	})
}

// waitSent waits until cond, evaluated with s.mu held, reports true.
func (s *Server) waitSent(ctx context.Context, cond func() ([]Sent, bool)) ([]Sent, error) {
	for {
		s.mu.Lock()
		out, ok := cond()
		out = slices.Clone(out)
		signal := s.sentSignal
		s.mu.Unlock()
		if ok {
			return out, nil
		}
		select {
		case <-signal:
		case <-ctx.Done():
			return out, ctx.Err()
		case <-s.done:
			return out, ErrClosed
		}
	}
}

// Requests returns how many requests were made to method (case-insensitive),
// whatever their outcome. File downloads are counted under "file".
func (s *Server) Requests(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[canonicalMethod(method)]
}

// Calls returns the parameters of every successful call of method, in order.
// getUpdates is not logged, since polling would flood the log. The returned
// values are shared with the server; treat them as read-only.
func (s *Server) Calls(method string) []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls[canonicalMethod(method)])
}

// CallbackAnswers returns the callback_query_id of every answerCallbackQuery
// call, in order.
func (s *Server) CallbackAnswers() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.callbackAnswers)
}

// Commands returns the command list of the last setMyCommands call (whatever
// its scope), or nil if none was set or deleteMyCommands was called since.
func (s *Server) Commands() []tgbotapi.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands)
}

// Stats returns the counters of the server's answers.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Reset clears the recorded traffic (Sent, Calls, Requests, CallbackAnswers,
// Stats), e.g. between benchmark phases. Chats, messages, files, pending
// updates, faults and limits are kept.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = nil
	clear(s.calls)
	clear(s.requests)
	s.callbackAnswers = nil
	s.stats = Stats{}
}

// OnSent calls fn for every accepted message, in order, as it is recorded.
// fn runs with the server's lock held: it must be quick and must not call
// the Server. Benchmarks use it to see replies without scanning Sent().
func (s *Server) OnSent(fn func(Sent)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onSent = fn
}
