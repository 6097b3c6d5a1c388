// Package fakeapi is an in-process fake of the Telegram Bot API for tests and
// benchmarks.
//
// It runs a real HTTP server (net/http/httptest) so that the production
// client, github.com/go-telegram-bot-api/telegram-bot-api/v5, is exercised
// end to end: URL building, form and multipart encoding, JSON decoding and
// error mapping all run exactly as they do against api.telegram.org.
//
//	srv := fakeapi.New("123:secret")
//	defer srv.Close()
//	bot, err := tgbotapi.NewBotAPIWithClient(srv.Token(), srv.Endpoint(), &http.Client{})
//
// Tests drive the bot by injecting inbound updates (SendText, PressButton,
// ...), which the bot receives through getUpdates with Telegram's long-poll
// and offset semantics, and assert on what it sent (Sent, WaitSent, ...).
// Faults (FailNext, BlockChat, SetDown, SetDelay) and rate limits
// (EnforceLimits) reproduce the failure modes a production bot must survive.
//
// The server mimics Telegram's observable behaviour where bots commonly get it
// wrong: message ids are per chat, updates stay pending until confirmed by a
// higher offset, a newer getUpdates terminates an older one with 409,
// editing a message without changes fails with "message is not modified",
// callback_data is limited to 64 bytes, and HTML/Markdown/MarkdownV2 texts
// are checked for the parse errors Telegram reports (see ValidateFormatting).
//
// All methods are safe for concurrent use.
package fakeapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// ErrClosed is returned by the Wait helpers when the server is closed before
// the awaited condition holds.
var ErrClosed = errors.New("fakeapi: server closed")

const (
	// DefaultBotUsername is the username getMe reports unless changed.
	DefaultBotUsername = "klabot_test_bot"
	// BotFirstName is the bot's display name in getMe and message senders.
	BotFirstName = "Klabot Test"

	defaultBotID = 1000001
	// Telegram accepts uploads up to 50 MB; anything bigger is a client bug.
	maxRequestBytes = 50 << 20
	// Files above 20 MB cannot be fetched through getFile on the cloud API.
	maxDownloadBytes = 20 << 20
	// Multipart parts above this size are spooled to temporary files.
	multipartMemory = 8 << 20
)

// Server is a fake Telegram Bot API server. Create it with New and release it
// with Close.
type Server struct {
	// BotID and BotUsername describe the bot in getMe and in messages it
	// sent. BotID is taken from the token's "<id>:" prefix when present.
	// Change them, if at all, before the bot makes its first request.
	BotID       int64
	BotUsername string

	token     string
	ts        *httptest.Server
	client    *http.Client
	done      chan struct{} // closed by Close to release waiting handlers
	closeOnce sync.Once

	mu sync.Mutex // guards everything below

	// Inbound updates not yet confirmed by the bot, in update_id order.
	updates      []pendingUpdate
	history      map[int]json.RawMessage // every update ever queued, for Redeliver
	lastUpdateID int
	offset       int
	updateSignal chan struct{} // closed and replaced whenever an update is added
	pollCancel   chan struct{} // closed to terminate the pending getUpdates (409)

	chats        map[int64]*chatState
	users        map[int64]User
	nextCallback int64

	files     map[string]*fileEntry // by file_id
	filePaths map[string]*fileEntry // by file_path
	fileSeq   int

	sent            []Sent
	sentSignal      chan struct{} // closed and replaced whenever sent grows
	onSent          func(Sent)    // see OnSent
	calls           map[string][]url.Values
	requests        map[string]int
	callbackAnswers []string
	commands        []tgbotapi.BotCommand
	stats           Stats

	faults   []fault
	blocked  map[int64]bool
	down     bool
	delay    time.Duration
	validate bool

	limits    Limits
	globalWin []time.Time
	chatWin   map[int64][]time.Time
}

// New starts a fake Bot API server that accepts the given token.
func New(token string) *Server {
	s := &Server{
		BotID:        botIDFromToken(token),
		BotUsername:  DefaultBotUsername,
		token:        token,
		done:         make(chan struct{}),
		updateSignal: make(chan struct{}),
		chats:        make(map[int64]*chatState),
		history:      make(map[int]json.RawMessage),
		users:        make(map[int64]User),
		files:        make(map[string]*fileEntry),
		filePaths:    make(map[string]*fileEntry),
		sentSignal:   make(chan struct{}),
		calls:        make(map[string][]url.Values),
		requests:     make(map[string]int),
		blocked:      make(map[int64]bool),
		validate:     true,
		chatWin:      make(map[int64][]time.Time),
	}
	s.ts = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	target, _ := url.Parse(s.ts.URL) // httptest URLs always parse
	s.client = &http.Client{Transport: &redirectTransport{base: s.ts.Client().Transport, target: target}}
	return s
}

// botIDFromToken mirrors Telegram, where a token is "<bot id>:<secret>".
func botIDFromToken(token string) int64 {
	if prefix, _, ok := strings.Cut(token, ":"); ok {
		if id, err := strconv.ParseInt(prefix, 10, 64); err == nil && id > 0 {
			return id
		}
	}
	return defaultBotID
}

// Close stops the server. Pending long polls and delayed requests are
// released immediately, so Close returns quickly even while a bot is polling.
// Close is idempotent.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		// Release waiting handlers first: httptest.Server.Close blocks until
		// every in-flight request has finished.
		close(s.done)
		s.ts.Close()
	})
}

// URL returns the base URL of the server, without a trailing slash.
func (s *Server) URL() string { return s.ts.URL }

// Endpoint returns the API endpoint format expected by tgbotapi
// (NewBotAPIWithClient / SetAPIEndpoint): URL + "/bot%s/%s".
func (s *Server) Endpoint() string { return s.ts.URL + "/bot%s/%s" }

// Token returns the token the server accepts.
func (s *Server) Token() string { return s.token }

// FileURL returns the download URL of a file path returned by getFile or
// AddFile, on this server.
func (s *Server) FileURL(filePath string) string {
	return s.ts.URL + "/file/bot" + s.token + "/" + filePath
}

// Client returns an HTTP client that sends requests for api.telegram.org to
// this server. tgbotapi builds file links from a hard-coded
// https://api.telegram.org/file/bot... format (File.Link, GetFileDirectURL),
// so code that downloads those links must use this client (or FileURL) to
// reach the fake. It also works as the tgbotapi client with the default
// tgbotapi.APIEndpoint. Requests to other hosts are sent unchanged.
func (s *Server) Client() *http.Client { return s.client }

type redirectTransport struct {
	base   http.RoundTripper
	target *url.URL
}

func (t *redirectTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Hostname() != "api.telegram.org" {
		return t.base.RoundTrip(req)
	}
	// A RoundTripper must not modify the caller's request.
	r := req.Clone(req.Context())
	r.URL.Scheme = t.target.Scheme
	r.URL.Host = t.target.Host
	r.Host = ""
	return t.base.RoundTrip(r)
}

// apiError is an error answer in Telegram's format; the HTTP status equals
// the error code, as with the real API.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(desc string) *apiError { return &apiError{code: 400, desc: "Bad Request: " + desc} }

type responseParameters struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

type envelope struct {
	OK          bool                `json:"ok"`
	Result      any                 `json:"result,omitempty"`
	ErrorCode   int                 `json:"error_code,omitempty"`
	Description string              `json:"description,omitempty"`
	Parameters  *responseParameters `json:"parameters,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client may have gone; nothing to do
}

func writeResult(w http.ResponseWriter, result any) {
	writeJSON(w, http.StatusOK, envelope{OK: true, Result: result})
}

func writeError(w http.ResponseWriter, e *apiError) {
	env := envelope{ErrorCode: e.code, Description: e.desc}
	if e.retryAfter > 0 {
		env.Parameters = &responseParameters{RetryAfter: e.retryAfter}
	}
	writeJSON(w, e.code, env)
}

// writeBadGateway imitates a reverse proxy in front of the API failing: the
// body is HTML, so clients must cope with a non-JSON error response.
func writeBadGateway(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusBadGateway)
	_, _ = io.WriteString(w, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"+
		"<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
}

var (
	errNotFound     = &apiError{code: 404, desc: "Not Found"}
	errUnauthorized = &apiError{code: 401, desc: "Unauthorized"}
)

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/file/bot"):
		s.serveFile(w, r, strings.TrimPrefix(p, "/file/bot"))
	case strings.HasPrefix(p, "/bot"):
		s.serveAPI(w, r, strings.TrimPrefix(p, "/bot"))
	default:
		writeError(w, errNotFound)
	}
}

// call is one parsed API request.
type call struct {
	ctx     context.Context
	method  string
	params  url.Values
	uploads map[string]upload // multipart file parts by field name
}

type upload struct {
	name string
	data []byte
}

// chatID returns the numeric chat_id of the request, or 0 when it is absent
// or not numeric (for example "@channelusername").
func (c *call) chatID() int64 {
	id, _ := strconv.ParseInt(c.params.Get("chat_id"), 10, 64)
	return id
}

// requireChat validates chat_id the way Telegram reports problems with it.
func (c *call) requireChat() (int64, *apiError) {
	v := c.params.Get("chat_id")
	if v == "" {
		return 0, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id == 0 {
		return 0, badRequest("chat not found")
	}
	return id, nil
}

// intParam parses an optional integer parameter.
func (c *call) intParam(name string, def int) (int, *apiError) {
	v := c.params.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, badRequest("invalid " + name + " specified")
	}
	return n, nil
}

// parseCall reads the request body. Telegram accepts query strings,
// url-encoded and multipart forms and JSON bodies; so does the fake.
func parseCall(w http.ResponseWriter, r *http.Request) (*call, error) {
	c := &call{ctx: r.Context(), params: url.Values{}}
	r.Body = http.MaxBytesReader(w, r.Body, maxRequestBytes)
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(multipartMemory); err != nil {
			return c, err
		}
		for field, headers := range r.MultipartForm.File {
			if len(headers) == 0 {
				continue
			}
			f, err := headers[0].Open()
			if err != nil {
				return c, err
			}
			data, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return c, err
			}
			if c.uploads == nil {
				c.uploads = make(map[string]upload)
			}
			c.uploads[field] = upload{name: headers[0].Filename, data: data}
		}
	case "application/json":
		if err := r.ParseForm(); err != nil { // query string only
			return c, err
		}
		var body map[string]any
		dec := json.NewDecoder(r.Body)
		dec.UseNumber() // keep 64-bit chat ids exact
		if err := dec.Decode(&body); err != nil && err != io.EOF {
			return c, err
		}
		for k, v := range body {
			switch v := v.(type) {
			case string:
				c.params.Set(k, v)
				continue
			case json.Number:
				c.params.Set(k, v.String())
				continue
			}
			// Objects such as reply_markup arrive as JSON, exactly like the
			// serialized strings a form would carry.
			raw, _ := json.Marshal(v)
			c.params.Set(k, string(raw))
		}
	default:
		if err := r.ParseForm(); err != nil {
			return c, err
		}
	}
	for k, vs := range r.Form {
		if _, set := c.params[k]; !set {
			c.params[k] = append([]string(nil), vs...)
		}
	}
	return c, nil
}

// handlerFunc implements one API method. It returns the "result" value or an
// error answer.
type handlerFunc func(s *Server, c *call) (any, *apiError)

type methodInfo struct {
	name    string
	handler handlerFunc
	// chatBound methods address a chat, so BlockChat applies to them.
	chatBound bool
}

// methods maps lower-cased method names (Telegram ignores their case) to
// their implementation.
var methods = map[string]methodInfo{}

func init() {
	for _, m := range []methodInfo{
		{name: "getMe", handler: (*Server).getMe},
		{name: "getUpdates", handler: (*Server).getUpdates},
		{name: "sendMessage", handler: (*Server).sendMessage, chatBound: true},
		{name: "editMessageText", handler: (*Server).editMessageText, chatBound: true},
		{name: "editMessageReplyMarkup", handler: (*Server).editMessageReplyMarkup, chatBound: true},
		{name: "answerCallbackQuery", handler: (*Server).answerCallbackQuery},
		{name: "setMyCommands", handler: (*Server).setMyCommands},
		{name: "deleteMyCommands", handler: (*Server).deleteMyCommands},
		{name: "sendPhoto", handler: (*Server).sendPhoto, chatBound: true},
		{name: "sendDocument", handler: (*Server).sendDocument, chatBound: true},
		{name: "sendVoice", handler: (*Server).sendVoice, chatBound: true},
		{name: "sendChatAction", handler: (*Server).sendChatAction, chatBound: true},
		{name: "getFile", handler: (*Server).getFile},
	} {
		methods[strings.ToLower(m.name)] = m
	}
}

// canonicalMethod returns the canonical spelling of a known method name and
// the name unchanged otherwise.
func canonicalMethod(name string) string {
	if m, ok := methods[strings.ToLower(name)]; ok {
		return m.name
	}
	return name
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, rest string) {
	token, name, _ := strings.Cut(rest, "/")
	info, known := methods[strings.ToLower(name)]
	method := name
	if known {
		method = info.name
	}

	// Read the body before anything else so that the client never blocks
	// writing a multipart upload nobody reads.
	c, parseErr := parseCall(w, r)

	s.mu.Lock()
	s.requests[method]++
	s.stats.Requests++
	delay := s.delay
	s.mu.Unlock()

	if !s.pause(r.Context(), delay) || s.isDown() {
		writeBadGateway(w)
		return
	}
	if token != s.token {
		writeError(w, errUnauthorized)
		return
	}
	if !known {
		writeError(w, errNotFound)
		return
	}
	if parseErr != nil {
		writeError(w, badRequest("failed to parse request: "+parseErr.Error()))
		return
	}
	c.method = method

	if e := s.preflight(info, c); e != nil {
		writeError(w, e)
		return
	}
	result, e := info.handler(s, c)
	if e != nil {
		writeError(w, e)
		return
	}
	if method != "getUpdates" { // polling would flood the log
		s.mu.Lock()
		s.calls[method] = append(s.calls[method], c.params)
		s.mu.Unlock()
	}
	writeResult(w, result)
}

// pause waits for the configured latency. It reports false when the client
// went away or the server is closing, in which case the request is aborted.
func (s *Server) pause(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}

// isDown reports whether SetDown is active and counts the outage.
func (s *Server) isDown() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		s.stats.Outage++
	}
	return s.down
}

// preflight applies injected faults and blocked chats before the method runs.
func (s *Server) preflight(info methodInfo, c *call) *apiError {
	chatID := c.chatID()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if (f.method == "" || f.method == info.name) && (f.chatID == 0 || f.chatID == chatID) {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
			s.stats.Injected++
			return f.err
		}
	}
	if info.chatBound && chatID != 0 && s.blocked[chatID] {
		s.stats.Blocked++
		return blockedError(chatID)
	}
	return nil
}

// serveFile serves GET /file/bot<token>/<file_path>.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, rest string) {
	token, filePath, _ := strings.Cut(rest, "/")
	s.mu.Lock()
	s.requests["file"]++
	s.stats.Requests++
	delay := s.delay
	s.mu.Unlock()

	if !s.pause(r.Context(), delay) || s.isDown() {
		writeBadGateway(w)
		return
	}
	if token != s.token {
		writeError(w, errUnauthorized)
		return
	}
	s.mu.Lock()
	f := s.filePaths[filePath]
	var data []byte
	if f != nil {
		data = f.data // never mutated in place (AddFile replaces the slice)
	}
	s.mu.Unlock()
	if f == nil {
		writeError(w, errNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}
