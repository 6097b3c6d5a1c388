package fakewa

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
)

// Person is someone chatting with klabot over the fake WhatsApp, for tests
// that drive whole conversations: each turn waits for klabot's answer.
//
//	ani := wa.Person(t, "6281200000001")
//	ani.Say("halo")                 // the welcome
//	ani.Say("1")                    // consent
//	menu := ani.Say("dua")
type Person struct {
	t      testing.TB
	c      *Client
	Phone  string
	Source types.MessageSource // where their messages come from (default: their number)
	// Timeout bounds each wait for an answer.
	Timeout time.Duration
	seen    int // messages to them already returned
}

// Person makes a person writing from phone ("62…").
func (c *Client) Person(t testing.TB, phone string) *Person {
	return &Person{t: t, c: c, Phone: phone, Source: Private(phone), Timeout: 15 * time.Second}
}

// Say sends text and returns klabot's answer.
func (p *Person) Say(text string) string {
	p.t.Helper()
	return p.Send(TextMessage(text)).Text
}

// SendImage sends a photo with a caption and returns the answer.
func (p *Person) SendImage(caption string, data []byte) string {
	p.t.Helper()
	return p.Send(p.c.ImageMessage(caption, data)).Text
}

// SendVoice sends a voice note and returns the answer.
func (p *Person) SendVoice(data []byte) string {
	p.t.Helper()
	return p.Send(p.c.VoiceMessage(data)).Text
}

// SendLocation shares a location and returns the answer.
func (p *Person) SendLocation(lat, lon float64) string {
	p.t.Helper()
	return p.Send(LocationMessage(lat, lon)).Text
}

// Send delivers any message and returns the answer (the first message to
// this person after it; Next reads any further ones).
func (p *Person) Send(m *waE2E.Message) Sent {
	p.t.Helper()
	if _, ok := p.c.Deliver(p.Source, m); !ok {
		p.t.Fatalf("%s: message not accepted (not committed)", p.Phone)
	}
	return p.Next()
}

// Next waits for the next message to this person.
func (p *Person) Next() Sent {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), p.Timeout)
	defer cancel()
	sent, err := p.c.WaitSentTo(ctx, p.Phone, p.seen+1)
	if err != nil {
		var last string
		if len(sent) > 0 {
			last = sent[len(sent)-1].Text
		}
		p.t.Fatalf("%s: no answer (got %d messages, the last %q): %v", p.Phone, len(sent), last, err)
	}
	p.seen++
	return sent[p.seen-1]
}

// Expect fails the test unless text contains every one of want.
func (p *Person) Expect(text string, want ...string) {
	p.t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			p.t.Errorf("%s: answer lacks %q:\n%s", p.Phone, w, text)
		}
	}
}

// WaitFor reads this person's messages until one contains want, and
// returns it: for answers that come with or after others (alerts, news).
func (p *Person) WaitFor(want string) Sent {
	p.t.Helper()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), p.Timeout)
		sent, err := p.c.WaitSentTo(ctx, p.Phone, p.seen+1)
		cancel()
		if err != nil {
			var last string
			if len(sent) > 0 {
				last = sent[len(sent)-1].Text
			}
			p.t.Fatalf("%s: no message containing %q (got %d, the last %q)", p.Phone, want, len(sent), last)
		}
		p.seen++
		if m := sent[p.seen-1]; strings.Contains(m.Text, want) {
			return m
		}
	}
}

// SayAndWait sends text and waits for a message containing want.
func (p *Person) SayAndWait(text, want string) Sent {
	p.t.Helper()
	if _, ok := p.c.Deliver(p.Source, TextMessage(text)); !ok {
		p.t.Fatalf("%s: message not accepted (not committed)", p.Phone)
	}
	return p.WaitFor(want)
}
