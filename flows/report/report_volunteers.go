package report

import (
	"fmt"
	"strconv"
	"strings"

	"klabot/flows"
	"klabot/flows/ops"
	"klabot/flows/place"
	"klabot/flows/words"
)

// Staff keep the list of Satgas PA volunteers: who they are, where, since
// when, what is assigned to them, and they can end a volunteer's access
// (someone who moved away, or should no longer see cases about children).
// A volunteer is added only by an invite code (/undang satgas <kecamatan>).

// cmdVolunteers is "/relawan" (every volunteer), "/relawan <number>" (one
// of them, with the reports assigned to them) and "/relawan hapus <number>"
// (they stop being a volunteer). Staff only.
func cmdVolunteers(c *flows.Ctx, args string) flows.Next {
	if !c.Staff {
		return staffOnlyAnswer(c)
	}
	words := strings.Fields(flows.Normalize(args))
	if len(words) == 0 {
		return openView(c, FlowTriage, "volunteers", nil)
	}
	remove := false
	switch words[0] {
	case "hapus", "hentikan", "keluarkan", "remove":
		remove, words = true, words[1:]
	}
	var id int64
	if len(words) == 1 {
		id, _ = strconv.ParseInt(words[0], 10, 64)
	}
	v, ok, err := c.Tx.Volunteer(id)
	if err != nil {
		return c.Fail(err)
	}
	if !ok {
		c.Say(c.T("triage.volunteer_unknown"))
		return openView(c, FlowTriage, "volunteers", nil)
	}
	if !remove {
		return openView(c, FlowTriage, "volunteer", map[string]string{dVolunteer: strconv.FormatInt(id, 10)})
	}
	// Asked first: a mistyped number must not end someone's access and
	// take their reports away.
	return openView(c, FlowTriage, "volunteer_remove", map[string]string{dVolunteer: strconv.FormatInt(v.UserID, 10)})
}

func volunteerRemovePrompt(c *flows.Ctx) flows.Reply {
	id := c.Get(dVolunteer)
	v, res, err := ops.Volunteer(c.Tx, c.Actor(), atoi64(id))
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	switch res.Outcome {
	case ops.NotAllowed:
		return flows.Reply{Text: c.T("triage.staff_only")}
	case ops.NotFound:
		return flows.Reply{Text: c.T("triage.volunteer_unknown"), Options: []flows.Option{{Key: "/relawan", Label: c.T("triage.volunteers_back")}}}
	}
	return flows.Reply{Text: c.T("triage.volunteer_remove_confirm", v.Name, len(v.Open)), Options: []flows.Option{
		{Key: "yes", Label: c.T("triage.volunteer_remove_yes")},
		{Key: "/relawan " + id, Label: c.T("triage.volunteer_remove_no")},
	}}
}

func volunteerRemoveHandle(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	if choice != "yes" {
		return runCommandKey(c, choice)
	}
	e, err := ops.EndVolunteer(c.Tx, c.Actor(), atoi64(c.Get(dVolunteer)), c.Now.In(c.Loc))
	if err != nil {
		return c.Fail(err)
	}
	c.Deliver(e.Result)
	switch e.Outcome {
	case ops.NotAllowed:
		return staffOnlyAnswer(c)
	case ops.NotFound, ops.AlreadyDone: // removed by someone else meanwhile
		c.Say(c.T("triage.volunteer_unknown"))
		return openView(c, FlowTriage, "volunteers", nil)
	}
	var codes []string
	for _, r := range e.Unassigned {
		codes = append(codes, r.Code)
	}
	if len(codes) == 0 {
		c.Say(c.T("triage.volunteer_removed", e.Name))
	} else {
		c.Say(c.T("triage.volunteer_removed_reports", e.Name, strings.Join(codes, ", ")))
	}
	return openView(c, FlowTriage, "volunteers", nil)
}

func atoi64(s string) int64 { n, _ := strconv.ParseInt(s, 10, 64); return n }

func volunteersPrompt(c *flows.Ctx) flows.Reply {
	l, err := ops.Volunteers(c.Tx, c.Actor())
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	if l.Outcome != ops.Done {
		return flows.Reply{Text: c.T("triage.staff_only")}
	}
	if len(l.Volunteers) == 0 {
		return flows.Reply{Text: c.T("triage.no_volunteers")}
	}
	var lines []string
	r := flows.Reply{}
	for i, v := range l.Volunteers {
		lines = append(lines, c.T("triage.volunteer_line", i+1, v.Name, place.Name(v.KecCode, ""), reportDate(c, v.Since), len(v.Open)))
		if len(r.Options) < maxListKeys {
			label := v.Volunteer.Name
			if label == "" {
				label = fmt.Sprintf("#%d", v.UserID)
			}
			r.Options = append(r.Options, flows.Option{Key: fmt.Sprintf("/relawan %d", v.UserID), Label: flows.ShortLabel(label)})
		}
	}
	r.Text = c.T("triage.volunteers_title", len(l.Volunteers)) + "\n\n" + strings.Join(lines, "\n") + "\n\n" + c.T("triage.volunteers_how")
	return r
}

func volunteerPrompt(c *flows.Ctx) flows.Reply {
	back := flows.Option{Key: "/relawan", Label: c.T("triage.volunteers_back")}
	v, res, err := ops.Volunteer(c.Tx, c.Actor(), atoi64(c.Get(dVolunteer)))
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	switch res.Outcome {
	case ops.NotAllowed:
		return flows.Reply{Text: c.T("triage.staff_only")}
	case ops.NotFound:
		return flows.Reply{Text: c.T("triage.volunteer_unknown"), Options: []flows.Option{back}}
	}
	invitedBy := v.InvitedBy
	if invitedBy == "" {
		invitedBy = "-"
	}
	text := c.T("triage.volunteer_card", v.Name, place.Name(v.KecCode, ""), reportDate(c, v.Since), invitedBy, len(v.Open))
	r := flows.Reply{}
	for _, rep := range v.Open {
		text += "\n" + rep.Code + " · " + words.ReportStatusName(c.T, rep)
		if len(r.Options) < maxListKeys {
			r.Options = append(r.Options, flows.Option{Key: "/buka " + rep.Code, Label: rep.Code})
		}
	}
	r.Text = text
	r.Options = append(r.Options, flows.Option{Key: fmt.Sprintf("/relawan hapus %d", v.UserID), Label: c.T("triage.volunteer_remove")}, back)
	return r
}
