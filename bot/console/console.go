// Package console is klabot's terminal adapter: one person chatting with
// the bot through standard input and output. Like the other adapters it
// only turns lines into messages and prints what the bot's sender gives
// it; several consoles on one data folder each print only what is
// addressed to their own person. Choices are shown as numbered lines.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"klabot/bot/message"
)

// Name is the channel id of console contacts.
const Name = "console"

// Address of the console person; staff mode is a separate person so that
// trying both does not mix their conversations.
const (
	AddressUser  = "local"
	AddressStaff = "staff"
)

// Console reads lines as messages and prints the bot's replies.
type Console struct {
	in      io.Reader
	out     io.Writer
	address string
	mu      sync.Mutex // serialises writes to out
	// idPrefix makes message ids unique across runs, for the dedupe log.
	idPrefix string
}

// New makes a console chat for the person at address.
func New(in io.Reader, out io.Writer, address string) *Console {
	return &Console{in: in, out: out, address: address, idPrefix: strconv.FormatInt(time.Now().UnixNano(), 36)}
}

// Name implements message.Channel.
func (c *Console) Name() string { return Name }

// Health is always connected: the terminal is right here.
func (c *Console) Health() message.HealthState { return message.HealthState{Connected: true} }

// Attached implements message.Attached: another console person's messages
// wait for their own session, in this terminal or another.
func (c *Console) Attached(address string) bool { return address == c.address }

// Send implements message.Channel: the message with its choices numbered.
func (c *Console) Send(ctx context.Context, address string, m message.Outbound) error {
	if address != c.address {
		return &message.SendError{Temporary: true, Err: fmt.Errorf("console %q is not attached", address)}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	text := m.NumberedText()
	if m.Attachment != nil {
		text = fmt.Sprintf("[%s: %s]\n%s", m.Attachment.Kind, m.Attachment.Path, text)
	}
	_, err := fmt.Fprintf(c.out, "\n%s\n\n> ", text)
	return err
}

// Say prints a line that is not a message from the bot (a greeting).
func (c *Console) Say(text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.out, "%s\n> ", text)
}

// Handler takes a message and returns once it is committed.
type Handler interface {
	Handle(ctx context.Context, in message.Inbound) error
}

// Settler waits until what klabot owes this console has been printed: the
// bot's sender, which drives Send as it does for every channel.
type Settler interface {
	Settle(ctx context.Context) error
}

// Run feeds each line to h until the input ends or ctx does. At the start,
// before each line and at the end, it lets the sender print what is owed
// to this console (waiting at most settleWait): a person reads what
// klabot said, and what it sent on its own meanwhile, before they answer.
func (c *Console) Run(ctx context.Context, h Handler, s Settler, settleWait time.Duration) error {
	settle := func() {
		sctx, cancel := context.WithTimeout(ctx, settleWait)
		defer cancel()
		s.Settle(sctx) // a slow print only delays; the line is handled anyway
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(c.in)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	n := 0
	settle() // what waited for this person while no console was open
	for {
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			// What was printed while the person typed counts as seen
			// once its delivery is recorded: settle before the line.
			settle()
			if !ok {
				return nil
			}
			n++
			in := message.Inbound{
				Channel: Name, ChatID: c.address, MessageID: c.idPrefix + "-" + strconv.Itoa(n),
				Input: message.Input{Kind: message.KindText, Text: line}, Time: time.Now(),
			}
			if err := h.Handle(ctx, in); err != nil {
				return fmt.Errorf("handle console message: %w", err)
			}
		}
	}
}
