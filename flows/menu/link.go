package menu

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"klabot/flows"
	"klabot/flows/ops"
)

// FlowLink links one person's Telegram and WhatsApp (or any two contacts)
// by a one-time code: made on one, typed on the other. Their two records
// become one, so reports, registrations and reminders follow them.
const FlowLink = "link"

const (
	linkCodeTTL    = 15 * time.Minute
	linkCodeDigits = 6
	// linkMaxTries wrong codes an hour, so codes cannot be guessed.
	linkMaxTries = 5
)

func addLink(e *flows.Engine) {
	e.Register(linkFlow())
	// "/hubungkan" opens the flow; "/hubungkan 482913" links at once.
	e.AddCommand("hubungkan", func(c *flows.Ctx, args string) flows.Next {
		if code := linkCodeIn(args); code != "" {
			return redeemLinkCode(c, code)
		}
		return flows.Switch(FlowLink)
	})
}

func linkFlow() *flows.Flow {
	return &flows.Flow{ID: FlowLink, Version: 1, Start: "choose", Steps: map[string]*flows.Step{
		"choose": {
			Prompt: func(c *flows.Ctx) flows.Reply {
				return flows.Reply{Text: c.T("link.intro"), Options: []flows.Option{
					{Key: "make", Label: c.T("link.make")},
					{Key: "enter", Label: c.T("link.enter")},
				}}
			},
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				if choice == "enter" {
					return flows.Goto("enter")
				}
				code, err := newLinkCode(c)
				if err != nil {
					return c.Fail(fmt.Errorf("make link code: %w", err))
				}
				c.Say(c.T("link.code", code, int(linkCodeTTL/time.Minute), code))
				return flows.Menu()
			},
		},
		"enter": {
			Prompt: func(c *flows.Ctx) flows.Reply { return flows.Reply{Text: c.T("link.ask_code")} },
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				code := linkCodeIn(in.Text)
				if code == "" {
					c.Say(c.T("link.not_a_code"))
					return flows.Stay()
				}
				return redeemLinkCode(c, code)
			},
		},
	}}
}

// linkCodeIn reads a code typed with or without spaces ("482 913").
func linkCodeIn(s string) string {
	code := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '.' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if len(code) != linkCodeDigits || strings.Trim(code, "0123456789") != "" {
		return ""
	}
	return code
}

// newLinkCode draws a code that no one else holds and stores it.
func newLinkCode(c *flows.Ctx) (string, error) {
	for range 10 {
		var b [4]byte
		if _, err := io.ReadFull(c.Random(), b[:]); err != nil {
			return "", err
		}
		code := fmt.Sprintf("%06d", binary.BigEndian.Uint32(b[:])%1_000_000)
		ok, err := c.Tx.NewLinkCode(c.User.ID, code, c.Now, c.Now.Add(linkCodeTTL))
		if err != nil {
			return "", err
		}
		if ok {
			return code, nil
		}
	}
	return "", errors.New("no free code found")
}

// redeemLinkCode links the person writing to the one who made the code.
// The person writing is kept (their conversation is the one going on) and
// the other record is merged into theirs.
func redeemLinkCode(c *flows.Ctx, code string) flows.Next {
	tries, err := c.Tx.LinkAttemptsSince(c.User.ID, c.Now.Add(-time.Hour))
	if err != nil {
		return c.Fail(err)
	}
	if tries >= linkMaxTries {
		c.Say(c.T("link.too_many"))
		return flows.Menu()
	}
	owner, err := c.Tx.LinkCodeOwner(code, c.Now)
	if err != nil {
		return c.Fail(err)
	}
	switch owner {
	case 0:
		if err := c.Tx.RecordLinkAttempt(c.User.ID, c.Now); err != nil {
			return c.Fail(err)
		}
		c.Say(c.T("link.wrong"))
		return flows.Stay()
	case c.User.ID:
		c.Say(c.T("link.same_account"))
		return flows.Stay()
	}
	if err := c.Tx.UseLinkCode(code); err != nil {
		return c.Fail(err)
	}
	promoted, err := c.Tx.MergeUsers(c.User.ID, owner, c.Now)
	if err != nil {
		return c.Fail(err)
	}
	res, err := ops.Promoted(c.Tx, promoted, c.Now.In(c.Loc))
	c.Deliver(res)
	if err != nil {
		return c.Fail(err)
	}
	merged, err := c.Tx.User(c.User.ID)
	if err != nil {
		return c.Fail(err)
	}
	c.SetUser(merged)
	if err := c.Tx.Audit(c.Now, fmt.Sprintf("user:%d", c.User.ID), "accounts_linked", fmt.Sprintf("user:%d", owner), ""); err != nil {
		return c.Fail(err)
	}
	c.Say(c.T("link.done"))
	return flows.Menu()
}
