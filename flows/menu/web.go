package menu

import (
	"encoding/base64"
	"io"
	"strings"
	"time"

	"klabot/flows"
	"klabot/flows/ops"
	"klabot/store"
)

// Sign-in to the web dashboard: "/masuk" (or "Buka dasbor" in the staff
// menu) answers staff and Satgas PA volunteers with a one-time link to
// open in a browser. Anyone else gets the usual staff-only answer.

const (
	// WebLinkTTL is how long a sign-in link works.
	WebLinkTTL = 10 * time.Minute
	// webLinksPerHour bounds the links one person may ask for.
	webLinksPerHour = 5
)

// AddDashboard plugs in the staff menu's sign-in link to the web
// dashboard.
func AddDashboard(e *flows.Engine) {
	e.AddCommand("masuk", func(c *flows.Ctx, args string) flows.Next { return webSignIn(c) })
	e.AddStaffAction("dasbor", "webchat.staff_entry", webSignIn)
}

// NewWebToken is a fresh secret for a sign-in link or a browser session.
func NewWebToken(random io.Reader) (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func webSignIn(c *flows.Ctx) flows.Next {
	role, err := ops.ReportRole(c.Tx, c.Actor())
	if err != nil {
		return c.Fail(err)
	}
	if role == "" {
		c.Say(c.T("triage.staff_only"))
		return flows.Stay()
	}
	base := strings.TrimRight(c.Config().WebURL, "/")
	if base == "" {
		c.Say(c.T("webchat.off"))
		return flows.Stay()
	}
	n, err := c.Tx.WebLoginsSince(c.User.ID, c.Now.Add(-time.Hour))
	if err != nil {
		return c.Fail(err)
	}
	if n >= webLinksPerHour {
		c.Say(c.T("webchat.too_many"))
		return flows.Stay()
	}
	contacts, err := c.Tx.ContactsOf(c.User.ID)
	if err != nil {
		return c.Fail(err)
	}
	var contact store.Contact
	for _, ct := range contacts {
		if ct.Channel == c.Channel {
			contact = ct
			break
		}
	}
	if contact.Channel == "" {
		c.Say(c.T("triage.staff_only"))
		return flows.Stay()
	}
	token, err := NewWebToken(c.Random())
	if err != nil {
		return c.Fail(err)
	}
	if err := c.Tx.AddWebLogin(token, c.User.ID, contact, c.Now, c.Now.Add(WebLinkTTL)); err != nil {
		return c.Fail(err)
	}
	if err := c.Tx.Audit(c.Now, c.AuditActor(), "web:link", "", role); err != nil {
		return c.Fail(err)
	}
	c.Say(c.T("webchat.link", base+"/masuk/"+token, int(WebLinkTTL/time.Minute)))
	if c.Config().WebElsewhere {
		c.Say(c.T("webchat.elsewhere"))
	}
	return flows.Stay()
}
