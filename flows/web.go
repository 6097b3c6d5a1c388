package flows

import (
	"encoding/base64"
	"io"
	"strings"
	"time"

	"klabot/locales"
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

func addWeb(e *Engine) {
	e.AddCommand("masuk", func(c *Ctx, args string) Next { return webSignIn(c) })
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

func webSignIn(c *Ctx) Next {
	role, err := reportRole(c)
	if err != nil {
		return c.Fail(err)
	}
	if role == "" {
		c.Say(c.T("triage.staff_only"))
		return Stay()
	}
	base := strings.TrimRight(c.Config().WebURL, "/")
	if base == "" {
		c.Say(c.T("webchat.off"))
		return Stay()
	}
	n, err := c.Tx.WebLoginsSince(c.User.ID, c.Now.Add(-time.Hour))
	if err != nil {
		return c.Fail(err)
	}
	if n >= webLinksPerHour {
		c.Say(c.T("webchat.too_many"))
		return Stay()
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
		return Stay()
	}
	token, err := NewWebToken(c.Random())
	if err != nil {
		return c.Fail(err)
	}
	if err := c.Tx.AddWebLogin(token, c.User.ID, contact, c.Now, c.Now.Add(WebLinkTTL)); err != nil {
		return c.Fail(err)
	}
	if err := c.Tx.Audit(c.Now, actor(c), "web:link", "", role); err != nil {
		return c.Fail(err)
	}
	c.Say(c.T("webchat.link", base+"/masuk/"+token, int(WebLinkTTL/time.Minute)))
	if c.Config().WebElsewhere {
		c.Say(c.T("webchat.elsewhere"))
	}
	return Stay()
}

// Names the dashboard shows, the same as the chat's.

// ProgramName is a training programme's name.
func ProgramName(lang, key string) string { return programName(lang, key) }

// ReminderAudienceName is a recurring reminder's audience in words.
func ReminderAudienceName(lang, audience string) string {
	return locales.T(lang, audienceLabel(audience))
}

// BroadcastStateName is a broadcast's state in words.
func BroadcastStateName(lang, state string) string { return locales.T(lang, bcStateLabels[state]) }

// BroadcastProgressLine is a broadcast's counts in words.
func BroadcastProgressLine(lang string, p store.BroadcastProgress) string {
	return bcProgressLine(lang, p)
}

// RoleChoice is a role people say they have, for choosing an audience.
type RoleChoice struct{ Key, Label string }

// Roles lists the roles people can say they have.
func Roles(lang string) []RoleChoice {
	out := make([]RoleChoice, len(roles))
	for i, r := range roles {
		out[i] = RoleChoice{r.Key, locales.T(lang, r.Label)}
	}
	return out
}

// ReferralNotes are the usual referral targets, as the chat notes them.
func ReferralNotes() []string {
	out := make([]string, len(referralTargets))
	for i, t := range referralTargets {
		out[i] = staffT(t.Label)
	}
	return out
}
