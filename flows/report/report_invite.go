package report

import (
	"strings"

	"klabot/flows"
	"klabot/flows/ops"
	"klabot/flows/place"
	"klabot/flows/wilayah"
	"klabot/store"
)

// Satgas PA volunteers join only through a one-time invite code made by
// staff (/undang satgas <kecamatan>), redeemed with /kode or by typing it
// when asked. Choosing "Relawan Satgas PA" as a role gives no rights.

func joinFlow() *flows.Flow {
	return &flows.Flow{ID: FlowJoin, Version: 1, Start: "code", Steps: map[string]*flows.Step{
		"code": {
			FreeText: true,
			Prompt:   func(c *flows.Ctx) flows.Reply { return flows.Reply{Text: c.T("invite.code_question")} },
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				if in.Kind != flows.KindText {
					c.Say(c.T(place.NotFoundKey(in, "invite.unknown")))
					return flows.Stay()
				}
				return redeemInvite(c, in.Text)
			},
		},
		"name": {
			FreeText: true,
			Prompt:   func(c *flows.Ctx) flows.Reply { return flows.Reply{Text: c.T("invite.name_question")} },
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				name, ok := typedText(in, maxNameRunes)
				if !ok {
					c.Say(c.T("report.name_invalid"))
					return flows.Stay()
				}
				u := c.User
				u.Name = name
				c.SetUser(u)
				c.Say(c.T("invite.name_saved", name) + "\n\n" + c.T("invite.how"))
				return flows.Menu()
			},
		},
	}}
}

// cmdInvite is "/undang satgas <kecamatan>": a one-time code that makes
// whoever uses it a Satgas PA volunteer of that kecamatan.
func cmdInvite(c *flows.Ctx, args string) flows.Next {
	if !c.Staff {
		return staffOnlyAnswer(c)
	}
	words := strings.Fields(flows.Normalize(args))
	for len(words) > 0 && (words[0] == "satgas" || words[0] == "pa" || words[0] == "relawan") {
		words = words[1:]
	}
	if len(words) == 0 {
		c.Say(c.T("triage.invite_usage"))
		return flows.Stay()
	}
	text := strings.Join(words, " ")
	kecs := wilayah.MatchKecamatan(text)
	switch {
	case len(kecs) == 0:
		c.Say(c.T("triage.invite_kec_unknown", text))
		return flows.Stay()
	case len(kecs) > 1:
		var names []string
		for _, k := range kecs {
			names = append(names, k.Name)
		}
		c.Say(c.T("triage.invite_kec_which", strings.Join(names, ", ")))
		return flows.Stay()
	}
	inv, err := ops.CreateInvite(c.Tx, c.Actor(), kecs[0].Code, c.Random(), c.Now.In(c.Loc))
	if err != nil {
		return c.Fail(err)
	}
	if inv.Outcome != ops.Done {
		return staffOnlyAnswer(c)
	}
	// The code is the whole answer: asking the question on screen again
	// ("no volunteers yet, make an invite") would contradict it.
	c.Tell(c.T("triage.invite_created", inv.Invite.Code, kecs[0].Name, reportDate(c, inv.Invite.ExpiresAt)))
	return flows.Stay()
}

// cmdRedeem is "/kode UND-XXXX-XXXX"; without a code it asks for one.
func cmdRedeem(c *flows.Ctx, args string) flows.Next {
	if strings.TrimSpace(args) == "" {
		if c.FlowID() == flows.FlowReport {
			c.Say(c.T("invite.code_typed"))
			return flows.Stay()
		}
		return openView(c, FlowJoin, "code", nil)
	}
	return redeemInvite(c, args)
}

// redeemInvite uses an invite code. A wrong, used or expired code gets a kind
// answer saying which, and what to do; one's own code again is welcomed
// again.
func redeemInvite(c *flows.Ctx, text string) flows.Next {
	j, err := ops.Join(c.Tx, c.Actor(), text, c.Now.In(c.Loc))
	if err != nil {
		return c.Fail(err)
	}
	c.Deliver(j.Result)
	if j.Outcome != ops.Done && j.Outcome != ops.AlreadyDone {
		c.Say(c.T(j.Why))
		return flows.Stay()
	}
	u := c.User
	u.Role = store.RoleSatgas
	c.SetUser(u)
	c.Say(c.T("invite.welcome", j.KecName))
	if c.User.Name == "" && c.FlowID() != flows.FlowReport {
		return openView(c, FlowJoin, "name", nil)
	}
	c.Say(c.T("invite.how"))
	if c.FlowID() == FlowJoin {
		return flows.Menu()
	}
	return flows.Stay()
}
