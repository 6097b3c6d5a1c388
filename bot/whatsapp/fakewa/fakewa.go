// Package fakewa is a fake whatsmeow client for tests. It implements
// whatsapp.Client: test code makes people write to the office (text,
// photos, locations, contacts; as a phone number or as a LID; in groups,
// status updates or from the office phone itself), the fake turns that into
// the whatsmeow events the adapter handles, one at a time as whatsmeow
// does, and it records everything klabot sends back.
//
//	wa := fakewa.New()
//	ani := wa.Person(t, "6281200000001")
//	reply := ani.Say("halo")          // waits for klabot's answer
//	ani.SendImage("foto rumahnya", jpeg)
//	wa.Emit(&events.LoggedOut{})      // any whatsmeow event
//
// Every wait is bounded: a handler that does not return within
// HandlerTimeout panics the test with every goroutine's stack, rather than
// hanging it until go test's own timeout.
package fakewa

import (
	"context"
	"crypto/sha256"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

// Sent is one message klabot sent.
type Sent struct {
	To       string // the address as klabot stores it: "62…" or "…@lid"
	ID       types.MessageID
	Kind     string // "text", "image" or "document"
	Text     string // the text, or the file's caption
	FileName string
	Data     []byte // the uploaded file
	At       time.Time
	Message  *waE2E.Message
}

// Client is the fake. The zero value is not usable: call New.
type Client struct {
	handling sync.Mutex // whatsmeow handles one event at a time

	mu        sync.Mutex
	changed   chan struct{} // closed at every change, for waiting
	handlers  []whatsmeow.EventHandlerWithSuccessStatus
	connected bool
	connects  int
	lids      map[string]string // LID user -> phone
	files     map[string][]byte // direct path -> content
	sent      []Sent
	reads     []types.MessageID
	typing    map[string]int
	actions   []string // presence, typing and sends, in order
	presence  types.Presence
	fail      map[string][]error // per address, consumed in order
	delivered map[types.MessageID]*events.Message
	seq       int
	ids       map[types.MessageID]int // sends per message id
	lost      map[string][]error      // per address: sent, but this error returned
	noAccount map[string]bool
	connFail  []error
	uploads   int
	noLIDs    bool
}

// New makes a fake client.
func New() *Client {
	return &Client{
		changed: make(chan struct{}), lids: map[string]string{}, files: map[string][]byte{},
		typing: map[string]int{}, fail: map[string][]error{}, delivered: map[types.MessageID]*events.Message{},
		ids: map[types.MessageID]int{}, lost: map[string][]error{}, noAccount: map[string]bool{},
	}
}

// changedLocked wakes whoever waits; c.mu must be held.
func (c *Client) changedLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// --- whatsapp.Client ---

func (c *Client) AddEventHandlerWithSuccessStatus(h whatsmeow.EventHandlerWithSuccessStatus) uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.handlers = append(c.handlers, h)
	return uint32(len(c.handlers))
}

func (c *Client) Connect() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.connFail) > 0 {
		err := c.connFail[0]
		c.connFail = c.connFail[1:]
		c.connects++
		c.changedLocked()
		return err
	}
	c.connected = true
	c.connects++
	c.changedLocked()
	return nil
}

func (c *Client) Disconnect() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.connected = false
	c.changedLocked()
}

func (c *Client) IsConnected() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.connected
}

// SendMessage records the message, as the recipient's phone shows it: a
// message with an id already shown is not shown again (WhatsApp drops
// the repeat), only counted (SendsOf).
func (c *Client) SendMessage(ctx context.Context, to types.JID, m *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.connected {
		return whatsmeow.SendResponse{}, whatsmeow.ErrNotConnected
	}
	address := addressOf(to)
	if errs := c.fail[address]; len(errs) > 0 {
		c.fail[address] = errs[1:]
		if errs[0] != nil {
			return whatsmeow.SendResponse{}, errs[0]
		}
	}
	var id types.MessageID
	if len(extra) > 0 {
		id = extra[0].ID
	}
	if id == "" {
		id = c.generateLocked()
	}
	c.ids[id]++
	var lost error
	if errs := c.lost[address]; len(errs) > 0 {
		c.lost[address], lost = errs[1:], errs[0]
	}
	if c.ids[id] > 1 {
		c.changedLocked()
		return whatsmeow.SendResponse{ID: id}, lost
	}
	s := Sent{To: address, ID: id, At: time.Now(), Message: m}
	switch {
	case m.GetImageMessage() != nil:
		s.Kind, s.Text, s.Data = "image", m.GetImageMessage().GetCaption(), c.files[m.GetImageMessage().GetDirectPath()]
	case m.GetDocumentMessage() != nil:
		d := m.GetDocumentMessage()
		s.Kind, s.Text, s.FileName, s.Data = "document", d.GetCaption(), d.GetFileName(), c.files[d.GetDirectPath()]
	default:
		s.Kind, s.Text = "text", m.GetConversation()
	}
	c.sent = append(c.sent, s)
	c.actions = append(c.actions, "send "+address)
	c.changedLocked()
	return whatsmeow.SendResponse{ID: id, Timestamp: s.At}, lost
}

func (c *Client) GenerateMessageID() types.MessageID {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.generateLocked()
}

func (c *Client) generateLocked() types.MessageID {
	c.seq++
	return types.MessageID(fmt.Sprintf("3EB0OUT%08X", c.seq))
}

func (c *Client) HasWhatsApp(ctx context.Context, to types.JID) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.noAccount[addressOf(to)], nil
}

func (c *Client) Own() string { return "6281200000000" }

func (c *Client) LIDMigrated() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.noLIDs
}

func (c *Client) Upload(ctx context.Context, data []byte, kind whatsmeow.MediaType) (whatsmeow.UploadResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.uploads++
	path := c.storeLocked(data)
	sum := sha256.Sum256(data)
	return whatsmeow.UploadResponse{
		URL: "https://fake.whatsapp.test" + path, DirectPath: path, MediaKey: []byte("fake-media-key"),
		FileSHA256: sum[:], FileEncSHA256: sum[:], FileLength: uint64(len(data)),
	}, nil
}

func (c *Client) Download(ctx context.Context, msg whatsmeow.DownloadableMessage) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	data, ok := c.files[msg.GetDirectPath()]
	if !ok {
		return nil, whatsmeow.ErrMediaDownloadFailedWith404
	}
	// As whatsmeow: a length or plaintext hash that does not match what
	// the message says is only a warning, returned with the file (its
	// ciphertext was authenticated).
	if m, ok := msg.(interface{ GetFileLength() uint64 }); ok && m.GetFileLength() != uint64(len(data)) {
		return data, fmt.Errorf("%w: expected %d, got %d", whatsmeow.ErrFileLengthMismatch, m.GetFileLength(), len(data))
	}
	if sum := sha256.Sum256(data); string(sum[:]) != string(msg.GetFileSHA256()) {
		return data, whatsmeow.ErrInvalidMediaSHA256
	}
	return data, nil
}

func (c *Client) MarkRead(ctx context.Context, ids []types.MessageID, _ time.Time, _, _ types.JID, _ ...types.ReceiptType) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads = append(c.reads, ids...)
	c.changedLocked()
	return nil
}

func (c *Client) SendPresence(ctx context.Context, state types.Presence) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.connected {
		return whatsmeow.ErrNotConnected
	}
	c.presence = state
	c.actions = append(c.actions, "presence "+string(state))
	c.changedLocked()
	return nil
}

func (c *Client) SendChatPresence(ctx context.Context, jid types.JID, state types.ChatPresence, _ types.ChatPresenceMedia) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.connected {
		return whatsmeow.ErrNotConnected
	}
	if state == types.ChatPresenceComposing {
		c.typing[addressOf(jid)]++
		c.actions = append(c.actions, "typing "+addressOf(jid))
	}
	return nil
}

func (c *Client) PhoneForLID(ctx context.Context, lid types.JID) (types.JID, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if phone, ok := c.lids[lid.User]; ok {
		return types.NewJID(phone, types.DefaultUserServer), nil
	}
	return types.EmptyJID, nil
}

// --- driving the fake ---

// HandlerTimeout bounds how long Emit waits for klabot's handler, which
// for a message waits for its commit: far longer means klabot is stuck.
const HandlerTimeout = 30 * time.Second

// Emit hands an event to the handlers as whatsmeow would, one event at a
// time, and returns whether they all succeeded (that is, whether WhatsApp
// would consider a message delivered). It panics, showing every
// goroutine, if the handlers do not return within HandlerTimeout.
func (c *Client) Emit(evt any) bool {
	c.handling.Lock()
	defer c.handling.Unlock()
	c.mu.Lock()
	handlers := append([]whatsmeow.EventHandlerWithSuccessStatus(nil), c.handlers...)
	c.mu.Unlock()
	done := make(chan bool, 1)
	go func() {
		ok := true
		for _, h := range handlers {
			if !h(evt) {
				ok = false
				break
			}
		}
		done <- ok
	}()
	select {
	case ok := <-done:
		return ok
	case <-time.After(HandlerTimeout):
		debug.SetTraceback("all")
		panic(fmt.Sprintf("fakewa: the event handler did not return within %s for %T: klabot is stuck", HandlerTimeout, evt))
	}
}

// Private is the source of a message someone sends from their phone number.
func Private(phone string) types.MessageSource {
	jid := types.NewJID(phone, types.DefaultUserServer)
	return types.MessageSource{Chat: jid, Sender: jid, AddressingMode: types.AddressingModePN}
}

// LID is the source of a message from someone WhatsApp shows by their LID;
// phone, when not empty, comes along as the alternative address.
func LID(lid, phone string) types.MessageSource {
	jid := types.NewJID(lid, types.HiddenUserServer)
	src := types.MessageSource{Chat: jid, Sender: jid, AddressingMode: types.AddressingModeLID}
	if phone != "" {
		src.SenderAlt = types.NewJID(phone, types.DefaultUserServer)
	}
	return src
}

// Group is the source of a message someone writes in a group.
func Group(groupID, phone string) types.MessageSource {
	return types.MessageSource{Chat: types.NewJID(groupID, types.GroupServer),
		Sender: types.NewJID(phone, types.DefaultUserServer), IsGroup: true}
}

// Status is the source of someone's status update.
func Status(phone string) types.MessageSource {
	return types.MessageSource{Chat: types.StatusBroadcastJID, Sender: types.NewJID(phone, types.DefaultUserServer)}
}

// Own is the source of a message typed on the office phone itself.
func Own(toPhone string) types.MessageSource {
	src := Private(toPhone)
	src.IsFromMe = true
	return src
}

// Deliver makes a message arrive from src. It returns the message id and
// whether the handlers accepted it (returned after the adapter's commit).
func (c *Client) Deliver(src types.MessageSource, m *waE2E.Message) (types.MessageID, bool) {
	c.mu.Lock()
	c.seq++
	id := types.MessageID(fmt.Sprintf("3EB0FAKE%08X", c.seq))
	c.mu.Unlock()
	// Unwrapped (ephemeral, view-once, documents with a caption...) as
	// whatsmeow does before it hands a message on.
	evt := (&events.Message{
		Info:       types.MessageInfo{MessageSource: src, ID: id, Timestamp: time.Now().Truncate(time.Second), Type: "text"},
		RawMessage: m,
	}).UnwrapRaw()
	c.mu.Lock()
	c.delivered[id] = evt
	c.mu.Unlock()
	return id, c.Emit(evt)
}

// Redeliver delivers a message again, as WhatsApp does after a reconnect
// when it was not acknowledged in time.
func (c *Client) Redeliver(id types.MessageID) bool {
	c.mu.Lock()
	evt := c.delivered[id]
	c.mu.Unlock()
	if evt == nil {
		return false
	}
	return c.Emit(evt)
}

// Text is a typed message from a phone number.
func (c *Client) Text(phone, text string) (types.MessageID, bool) {
	return c.Deliver(Private(phone), TextMessage(text))
}

// TextMessage is a plain text message.
func TextMessage(text string) *waE2E.Message { return &waE2E.Message{Conversation: proto.String(text)} }

// ImageMessage is a photo with a caption; its content can be downloaded
// through this fake.
func (c *Client) ImageMessage(caption string, data []byte) *waE2E.Message {
	up, _ := c.Upload(context.Background(), data, whatsmeow.MediaImage) // as the person's phone does
	return &waE2E.Message{ImageMessage: &waE2E.ImageMessage{
		Caption: proto.String(caption), Mimetype: proto.String("image/jpeg"), DirectPath: proto.String(up.DirectPath),
		MediaKey: up.MediaKey, FileSHA256: up.FileSHA256, FileEncSHA256: up.FileEncSHA256, FileLength: proto.Uint64(up.FileLength),
	}}
}

// VoiceMessage is a voice note.
func (c *Client) VoiceMessage(data []byte) *waE2E.Message {
	up, _ := c.Upload(context.Background(), data, whatsmeow.MediaAudio) // as the person's phone does
	return &waE2E.Message{AudioMessage: &waE2E.AudioMessage{
		PTT: proto.Bool(true), Mimetype: proto.String("audio/ogg; codecs=opus"), DirectPath: proto.String(up.DirectPath),
		MediaKey: up.MediaKey, FileSHA256: up.FileSHA256, FileEncSHA256: up.FileEncSHA256, FileLength: proto.Uint64(up.FileLength),
	}}
}

// VideoMessage is a video with a caption.
func (c *Client) VideoMessage(caption string, data []byte) *waE2E.Message {
	up, _ := c.Upload(context.Background(), data, whatsmeow.MediaVideo) // as the person's phone does
	return &waE2E.Message{VideoMessage: &waE2E.VideoMessage{
		Caption: proto.String(caption), Mimetype: proto.String("video/mp4"), DirectPath: proto.String(up.DirectPath),
		MediaKey: up.MediaKey, FileSHA256: up.FileSHA256, FileEncSHA256: up.FileEncSHA256, FileLength: proto.Uint64(up.FileLength),
	}}
}

// DocumentMessage is a file with a caption, wrapped as WhatsApp sends a
// captioned document.
func (c *Client) DocumentMessage(caption, fileName, mime string, data []byte) *waE2E.Message {
	up, _ := c.Upload(context.Background(), data, whatsmeow.MediaDocument) // as the person's phone does
	return &waE2E.Message{DocumentWithCaptionMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{
		DocumentMessage: &waE2E.DocumentMessage{
			Caption: proto.String(caption), FileName: proto.String(fileName), Mimetype: proto.String(mime),
			DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey, FileSHA256: up.FileSHA256,
			FileEncSHA256: up.FileEncSHA256, FileLength: proto.Uint64(up.FileLength),
		}}}}
}

// LocationMessage is a shared location.
func LocationMessage(lat, lon float64) *waE2E.Message {
	return &waE2E.Message{LocationMessage: &waE2E.LocationMessage{DegreesLatitude: proto.Float64(lat), DegreesLongitude: proto.Float64(lon)}}
}

// ContactMessage is a shared contact card with one number (62…).
func ContactMessage(name, phone string) *waE2E.Message {
	vcard := fmt.Sprintf("BEGIN:VCARD\nVERSION:3.0\nN:;%s;;;\nFN:%s\nTEL;type=CELL;type=VOICE;waid=%s:+%s\nEND:VCARD", name, name, phone, phone)
	return &waE2E.Message{ContactMessage: &waE2E.ContactMessage{DisplayName: proto.String(name), Vcard: proto.String(vcard)}}
}

// MapLID teaches the fake's LID map that lid belongs to phone, as
// whatsmeow's store learns it.
func (c *Client) MapLID(lid, phone string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lids[lid] = phone
}

// FailNext makes the next sends to address fail with these errors; a nil
// lets that send through.
func (c *Client) FailNext(address string, errs ...error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fail[address] = append(c.fail[address], errs...)
}

// FailAfterSend makes the next sends to address deliver the message and
// still return these errors, as a timeout after the message left does.
func (c *Client) FailAfterSend(address string, errs ...error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lost[address] = append(c.lost[address], errs...)
}

// FailConnect makes the next calls to Connect fail with these errors.
func (c *Client) FailConnect(errs ...error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.connFail = append(c.connFail, errs...)
}

// NoAccount makes a number one without WhatsApp.
func (c *Client) NoAccount(phone string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.noAccount[phone] = true
}

// NoLIDMigration makes the link one that never learnt since when the
// account uses LIDs.
func (c *Client) NoLIDMigration() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.noLIDs = true
}

// SendsOf is how often a message id was sent (a repeat is shown once).
func (c *Client) SendsOf(id types.MessageID) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ids[id]
}

// Uploads is how many files were uploaded, by klabot or by people.
func (c *Client) Uploads() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.uploads
}

// Sent lists every message sent so far.
func (c *Client) Sent() []Sent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Sent(nil), c.sent...)
}

// SentTo lists the messages sent to one address.
func (c *Client) SentTo(address string) []Sent {
	var out []Sent
	for _, s := range c.Sent() {
		if s.To == address {
			out = append(out, s)
		}
	}
	return out
}

// Typing is how often "typing…" was shown to address.
func (c *Client) Typing(address string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.typing[address]
}

// Reads lists the messages marked as read.
func (c *Client) Reads() []types.MessageID {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]types.MessageID(nil), c.reads...)
}

// Presence is the last presence klabot sent ("available", "unavailable"),
// or "" if none.
func (c *Client) Presence() types.Presence {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.presence
}

// Actions lists, in order, the presences ("presence available"), "typing…"
// ("typing 62…") and messages ("send 62…") klabot sent.
func (c *Client) Actions() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.actions...)
}

// Unread lists the private messages delivered so far that klabot has not
// marked as read.
func (c *Client) Unread() []types.MessageID {
	c.mu.Lock()
	defer c.mu.Unlock()
	read := map[types.MessageID]bool{}
	for _, id := range c.reads {
		read[id] = true
	}
	var out []types.MessageID
	for id, evt := range c.delivered {
		info := evt.Info
		private := !info.IsFromMe && !info.IsGroup &&
			(info.Chat.Server == types.DefaultUserServer || info.Chat.Server == types.HiddenUserServer)
		if private && !read[id] {
			out = append(out, id)
		}
	}
	return out
}

// Connects is how often Connect was called.
func (c *Client) Connects() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.connects
}

// WaitFor waits until cond holds, or ctx ends. cond is checked again
// whenever the fake changes; it may call the fake's methods.
func (c *Client) WaitFor(ctx context.Context, cond func() bool) error {
	for {
		c.mu.Lock()
		changed := c.changed // taken first: no change after it is missed
		c.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// WaitSentTo waits until n messages went to address and returns them.
func (c *Client) WaitSentTo(ctx context.Context, address string, n int) ([]Sent, error) {
	err := c.WaitFor(ctx, func() bool { return len(c.SentTo(address)) >= n })
	return c.SentTo(address), err
}

// WaitRead waits until a message was marked as read.
func (c *Client) WaitRead(ctx context.Context, id types.MessageID) error {
	return c.WaitFor(ctx, func() bool {
		for _, r := range c.Reads() {
			if r == id {
				return true
			}
		}
		return false
	})
}

// storeLocked keeps a file's content under a new direct path.
func (c *Client) storeLocked(data []byte) string {
	c.seq++
	path := fmt.Sprintf("/v/t62.fake/%d", c.seq)
	c.files[path] = append([]byte(nil), data...)
	return path
}

func addressOf(jid types.JID) string {
	if jid.Server == types.DefaultUserServer {
		return jid.User
	}
	return jid.String()
}

// ErrServer is an error the way whatsmeow reports a refusal by the server.
func ErrServer(code int) error { return fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, code) }
