package flows

import (
	"fmt"
	"strconv"
	"strings"

	"klabot/store"
)

// Staff keep the list of Satgas PA volunteers: who they are, where, since
// when, what is assigned to them, and they can end a volunteer's access
// (someone who moved away, or should no longer see cases about children).
// A volunteer is added only by an invite code (/undang satgas <kecamatan>).

// cmdVolunteers is "/relawan" (every volunteer), "/relawan <number>" (one
// of them, with the reports assigned to them) and "/relawan hapus <number>"
// (they stop being a volunteer). Staff only.
func cmdVolunteers(c *Ctx, args string) Next {
	if !c.Staff {
		return staffOnlyAnswer(c)
	}
	words := strings.Fields(Normalize(args))
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

func volunteerRemovePrompt(c *Ctx) Reply {
	if !c.Staff {
		return Reply{Text: c.T("triage.staff_only")}
	}
	id := c.Get(dVolunteer)
	name, err := staffName(c, atoi64(id))
	if err != nil {
		c.Fail(err)
		return Reply{}
	}
	open, err := openAssigned(c, atoi64(id))
	if err != nil {
		c.Fail(err)
		return Reply{}
	}
	return Reply{Text: c.T("triage.volunteer_remove_confirm", name, len(open)), Options: []Option{
		{Key: "yes", Label: c.T("triage.volunteer_remove_yes")},
		{Key: "/relawan " + id, Label: c.T("triage.volunteer_remove_no")},
	}}
}

func volunteerRemoveHandle(c *Ctx, in Input, choice string) Next {
	if choice != "yes" {
		return runCommandKey(c, choice)
	}
	if !c.Staff {
		return staffOnlyAnswer(c)
	}
	v, ok, err := c.Tx.Volunteer(atoi64(c.Get(dVolunteer)))
	if err != nil {
		return c.Fail(err)
	}
	if !ok { // removed by someone else meanwhile
		c.Say(c.T("triage.volunteer_unknown"))
		return openView(c, FlowTriage, "volunteers", nil)
	}
	return removeVolunteer(c, v)
}

func atoi64(s string) int64 { n, _ := strconv.ParseInt(s, 10, 64); return n }

// removeVolunteer ends a volunteer's access at once. Their open reports go
// back to staff unassigned; the volunteer is told kindly.
func removeVolunteer(c *Ctx, v store.Volunteer) Next {
	name, err := staffName(c, v.UserID)
	if err != nil {
		return c.Fail(err)
	}
	unassigned, err := c.Tx.RemoveVolunteer(v.UserID, c.User.ID, c.Now)
	if err != nil {
		return c.Fail(err)
	}
	var codes []string
	for _, r := range unassigned {
		codes = append(codes, r.Code)
	}
	if err := auditReport(c, "volunteer:remove", fmt.Sprintf("user:%d", v.UserID), strings.Join(codes, " ")); err != nil {
		return c.Fail(err)
	}
	vol, err := c.Tx.User(v.UserID)
	if err != nil {
		return c.Fail(err)
	}
	c.Send(vol.ID, store.PriorityAlert, Reply{Text: c.TFor(vol, "invite.removed")})
	if len(codes) == 0 {
		c.Say(c.T("triage.volunteer_removed", name))
	} else {
		c.Say(c.T("triage.volunteer_removed_reports", name, strings.Join(codes, ", ")))
	}
	return openView(c, FlowTriage, "volunteers", nil)
}

// openAssigned lists the open reports assigned to a volunteer.
func openAssigned(c *Ctx, userID int64) ([]store.Report, error) {
	return c.Tx.ListReports(store.ReportFilter{AssignedTo: userID, OpenOnly: true, Limit: -1})
}

func volunteersPrompt(c *Ctx) Reply {
	if !c.Staff {
		return Reply{Text: c.T("triage.staff_only")}
	}
	vols, err := c.Tx.Volunteers("")
	if err != nil {
		c.Fail(err)
		return Reply{}
	}
	if len(vols) == 0 {
		return Reply{Text: c.T("triage.no_volunteers")}
	}
	var lines []string
	r := Reply{}
	for i, v := range vols {
		open, err := openAssigned(c, v.UserID)
		if err != nil {
			c.Fail(err)
			return Reply{}
		}
		name, err := staffName(c, v.UserID)
		if err != nil {
			c.Fail(err)
			return Reply{}
		}
		lines = append(lines, c.T("triage.volunteer_line", i+1, name, PlaceName(v.KecCode, ""), c.reportDate(v.Since), len(open)))
		if len(r.Options) < maxListKeys {
			label := v.Name
			if label == "" {
				label = fmt.Sprintf("#%d", v.UserID)
			}
			r.Options = append(r.Options, Option{Key: fmt.Sprintf("/relawan %d", v.UserID), Label: shortLabel(label)})
		}
	}
	r.Text = c.T("triage.volunteers_title", len(vols)) + "\n\n" + strings.Join(lines, "\n") + "\n\n" + c.T("triage.volunteers_how")
	return r
}

func volunteerPrompt(c *Ctx) Reply {
	back := Option{Key: "/relawan", Label: c.T("triage.volunteers_back")}
	if !c.Staff {
		return Reply{Text: c.T("triage.staff_only")}
	}
	id, _ := strconv.ParseInt(c.Get(dVolunteer), 10, 64)
	v, ok, err := c.Tx.Volunteer(id)
	if err != nil {
		c.Fail(err)
		return Reply{}
	}
	if !ok {
		return Reply{Text: c.T("triage.volunteer_unknown"), Options: []Option{back}}
	}
	name, err := staffName(c, v.UserID)
	if err != nil {
		c.Fail(err)
		return Reply{}
	}
	invitedBy := "-"
	if v.InvitedBy != 0 {
		if invitedBy, err = staffName(c, v.InvitedBy); err != nil {
			c.Fail(err)
			return Reply{}
		}
	}
	open, err := openAssigned(c, v.UserID)
	if err != nil {
		c.Fail(err)
		return Reply{}
	}
	text := c.T("triage.volunteer_card", name, PlaceName(v.KecCode, ""), c.reportDate(v.Since), invitedBy, len(open))
	r := Reply{}
	for _, rep := range open {
		text += "\n" + rep.Code + " · " + statusLabel(c.T, rep.Status)
		if len(r.Options) < maxListKeys {
			r.Options = append(r.Options, Option{Key: "/buka " + rep.Code, Label: rep.Code})
		}
	}
	r.Text = text
	r.Options = append(r.Options, Option{Key: fmt.Sprintf("/relawan hapus %d", v.UserID), Label: c.T("triage.volunteer_remove")}, back)
	return r
}
