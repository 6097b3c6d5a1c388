package flows

import (
	"errors"
	"strings"
	"time"

	"klabot/store"
	"klabot/store/wilayah"
)

// Satgas PA volunteers join only through a one-time invite code made by
// staff (/undang satgas <kecamatan>), redeemed with /kode or by typing it
// when asked. Choosing "Relawan Satgas PA" as a role gives no rights.

// inviteTTL is how long an invite code stays valid.
const inviteTTL = 7 * 24 * time.Hour

func joinFlow() *Flow {
	return &Flow{ID: FlowJoin, Version: 1, Start: "code", Steps: map[string]*Step{
		"code": {
			FreeText: true,
			Prompt:   func(c *Ctx) Reply { return Reply{Text: c.T("invite.code_question")} },
			Handle: func(c *Ctx, in Input, choice string) Next {
				if in.Kind != KindText {
					c.Say(c.T(notFoundKey(in, "invite.unknown")))
					return Stay()
				}
				return redeemInvite(c, in.Text)
			},
		},
		"name": {
			FreeText: true,
			Prompt:   func(c *Ctx) Reply { return Reply{Text: c.T("invite.name_question")} },
			Handle: func(c *Ctx, in Input, choice string) Next {
				name, ok := typedText(in, maxNameRunes)
				if !ok {
					c.Say(c.T("report.name_invalid"))
					return Stay()
				}
				u := c.User
				u.Name = name
				c.SetUser(u)
				c.Say(c.T("invite.name_saved", name) + "\n\n" + c.T("invite.how"))
				return Menu()
			},
		},
	}}
}

// cmdInvite is "/undang satgas <kecamatan>": a one-time code that makes
// whoever uses it a Satgas PA volunteer of that kecamatan.
func cmdInvite(c *Ctx, args string) Next {
	if !c.Staff {
		return staffOnlyAnswer(c)
	}
	words := strings.Fields(Normalize(args))
	for len(words) > 0 && (words[0] == "satgas" || words[0] == "pa" || words[0] == "relawan") {
		words = words[1:]
	}
	if len(words) == 0 {
		c.Say(c.T("triage.invite_usage"))
		return Stay()
	}
	text := strings.Join(words, " ")
	kecs := wilayah.MatchKecamatan(text)
	switch {
	case len(kecs) == 0:
		c.Say(c.T("triage.invite_kec_unknown", text))
		return Stay()
	case len(kecs) > 1:
		var names []string
		for _, k := range kecs {
			names = append(names, k.Name)
		}
		c.Say(c.T("triage.invite_kec_which", strings.Join(names, ", ")))
		return Stay()
	}
	inv, err := c.Tx.CreateInvite(store.RoleSatgas, kecs[0].Code, c.User.ID, c.Random(), c.Now, inviteTTL)
	if err != nil {
		return c.Fail(err)
	}
	if err := auditReport(c, "invite:create", kecs[0].Code, ""); err != nil {
		return c.Fail(err)
	}
	c.Say(c.T("triage.invite_created", inv.Code, kecs[0].Name, c.reportDate(inv.ExpiresAt)))
	return Stay()
}

// cmdRedeem is "/kode UND-XXXX-XXXX"; without a code it asks for one.
func cmdRedeem(c *Ctx, args string) Next {
	if strings.TrimSpace(args) == "" {
		if c.state.Flow == FlowReport {
			c.Say(c.T("invite.code_typed"))
			return Stay()
		}
		return openView(c, FlowJoin, "code", nil)
	}
	return redeemInvite(c, args)
}

// redeemInvite uses an invite code. A wrong, used or expired code gets a kind
// answer saying which, and what to do.
func redeemInvite(c *Ctx, text string) Next {
	code, ok := store.ParseInviteCode(text)
	if !ok {
		c.Say(c.T("invite.unknown"))
		return Stay()
	}
	inv, err := c.Tx.RedeemInvite(code, c.User.ID, c.Now)
	switch {
	case errors.Is(err, store.ErrInviteUnknown):
		c.Say(c.T("invite.unknown"))
		return Stay()
	case errors.Is(err, store.ErrInviteUsed):
		c.Say(c.T("invite.used"))
		return Stay()
	case errors.Is(err, store.ErrInviteExpired):
		c.Say(c.T("invite.expired"))
		return Stay()
	case err != nil:
		return c.Fail(err)
	}
	if err := auditReport(c, "invite:redeem", inv.KecCode, ""); err != nil {
		return c.Fail(err)
	}
	u := c.User
	u.Role = store.RoleSatgas
	c.SetUser(u)
	kec, _ := wilayah.KecamatanByCode(inv.KecCode)
	c.NotifyStaff(store.PriorityAlert, Reply{Text: staffT("triage.volunteer_joined", kec.Name, c.User.ID)})
	c.Say(c.T("invite.welcome", kec.Name))
	if c.User.Name == "" && c.state.Flow != FlowReport {
		return openView(c, FlowJoin, "name", nil)
	}
	c.Say(c.T("invite.how"))
	if c.state.Flow == FlowJoin {
		return Menu()
	}
	return Stay()
}
