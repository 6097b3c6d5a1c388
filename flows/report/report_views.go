package report

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"klabot/flows"
	"klabot/flows/ops"
	"klabot/flows/wilayah"
	"klabot/flows/words"
	"klabot/store"
)

// What staff and volunteers see of reports: lists, the report card with
// its history, and the choice of volunteer. Every one of these reads
// through the staff operations (flows/ops), which apply the rights, and
// the card (ops.Card) is the only place a reporter's identity can appear
// (staff only, named reports only).

// parseReportFilter reads "/laporan" arguments: statuses, "semua", "ditutup",
// "mendesak", a kecamatan or a category. Open reports unless asked.
func parseReportFilter(args string) (f store.ReportFilter, unknown string) {
	q := " " + flows.Normalize(args) + " "
	q = strings.ReplaceAll(q, " bukan wewenang ", " bukan_wewenang ")
	all := false
	var rest []string
	for _, w := range strings.Fields(q) {
		switch {
		case slices.Contains(store.Statuses, w):
			f.Statuses = append(f.Statuses, w)
		case w == "semua" || w == "all":
			all = true
		case w == "ditutup" || w == "closed":
			f.Statuses = append(f.Statuses, store.StatusDone, store.StatusRejected, store.StatusNotOurs)
		case w == "mendesak" || w == "urgent":
			f.UrgentOnly = true
		default:
			rest = append(rest, w)
		}
	}
	f.OpenOnly = !all && len(f.Statuses) == 0
	f.Limit = maxListed
	if len(rest) == 0 {
		return f, ""
	}
	text := strings.Join(rest, " ")
	if kecs := wilayah.MatchKecamatan(text); len(kecs) == 1 {
		f.KecCode = kecs[0].Code
		return f, ""
	}
	if cats := matchCategories(text); len(cats) > 0 {
		f.Categories = cats
		return f, ""
	}
	return f, text
}

func triageListPrompt(c *flows.Ctx) flows.Reply {
	f, _ := parseReportFilter(c.Get(dFilter))
	l, err := ops.VisibleReports(c.Tx, c.Actor(), f)
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	if l.Outcome != ops.Done {
		return flows.Reply{Text: c.T("triage.staff_only")}
	}
	title := c.T("triage.list_title")
	if filter := strings.TrimSpace(c.Get(dFilter)); filter != "" {
		title = c.T("triage.list_title_filter", filter)
	}
	if len(l.Reports) == 0 {
		return flows.Reply{Text: title + "\n\n" + c.T("triage.list_empty")}
	}
	var lines []string
	r := flows.Reply{}
	for _, rep := range l.Reports {
		mark := ""
		if rep.Urgent {
			mark = "! "
		}
		place := placeText(c.T, rep.KecCode, "", rep.HasPin)
		lines = append(lines, strings.Join([]string{mark + rep.Code, words.ReportStatusName(c.T, rep),
			words.CategoryName(c.User.Lang, rep.Category), place, reportDate(c, rep.CreatedAt)}, " · "))
		if len(r.Options) < maxListKeys {
			r.Options = append(r.Options, flows.Option{Key: "/buka " + rep.Code, Label: mark + rep.Code})
		}
	}
	r.Text = title + "\n\n" + strings.Join(lines, "\n")
	return r
}

func triageViewPrompt(c *flows.Ctx) flows.Reply {
	role, r, ok := reportFor(c, c.Get(dCode))
	if !ok {
		return flows.Reply{Text: c.T("triage.not_found", c.Get(dCode))}
	}
	who := ops.CardVolunteer
	if role == store.RoleStaff {
		who = ops.CardStaff
	}
	brief := c.Get(dBrief) != "" && utf8.RuneCountInString(r.Description) > briefStory
	if brief {
		r.Description = words.ShortText(r.Description, briefStory)
	}
	card, err := ops.Card(c.Tx, r, c.User.Lang, who, c.Loc)
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	if brief {
		card += "\n" + c.T("triage.story_brief", r.Code)
	}
	history, err := ops.History(c.Tx, r, c.User.Lang, c.Loc)
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	reply := flows.Reply{Text: card + "\n\n" + history}
	opt := func(key, label string) {
		reply.Options = append(reply.Options, flows.Option{Key: key + " " + r.Code, Label: c.T(label)})
	}
	closed := store.IsClosed(r.Status)
	if role == store.RoleStaff {
		if r.Status == store.StatusNew {
			opt("/terima", "triage.accept")
		}
		if !closed && r.AssignedTo == 0 {
			opt("/tugaskan", "triage.assign")
		} else if !closed {
			opt("/tugaskan", "triage.reassign")
		}
		for _, a := range statusActions {
			if store.CanChangeStatus(r.Status, a.status, role) {
				reply.Options = append(reply.Options, flows.Option{Key: "/status " + r.Code + " " + a.status, Label: c.T(a.label)})
			}
		}
		if closed {
			reply.Options = append(reply.Options, flows.Option{Key: "/status " + r.Code + " " + store.StatusAccepted, Label: c.T("triage.reopen")})
		}
	} else if store.CanChangeStatus(r.Status, store.StatusVerified, role) {
		opt("/verifikasi", "triage.to.diverifikasi")
	}
	opt("/catatan", "triage.note")
	// The key is offered only where a question could be sent.
	if can, err := ops.CanAsk(c.Tx, c.Actor(), r.Code); err != nil {
		c.Fail(err)
		return flows.Reply{}
	} else if can.Outcome == ops.Done {
		opt("/tanya", "ask.opt_ask")
	}
	media, err := c.Tx.ReportMedia(r.ID)
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	if ops.HasSavedEvidence(media) {
		opt("/bukti", "triage.evidence")
	}
	return reply
}

func triageAssignPrompt(c *flows.Ctx) flows.Reply {
	ch, err := ops.AssignChoices(c.Tx, c.Actor(), c.Get(dCode))
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	if ch.Outcome != ops.Done {
		return flows.Reply{Text: c.T("triage.not_found", c.Get(dCode))}
	}
	r := ch.Report
	text := c.T("triage.assign_question", r.Code)
	if !ch.InKec {
		// Nobody in that kecamatan (or the place is only a pin): all of them.
		kec := placeText(c.T, r.KecCode, "", r.HasPin)
		text = c.T("triage.assign_none_in_kec", kec, r.Code)
	}
	if len(ch.Volunteers) == 0 {
		// Nobody to assign yet: the way to get a volunteer, or back.
		reply := flows.Reply{Text: c.T("triage.no_volunteers")}
		if k, ok := wilayah.KecamatanByCode(r.KecCode); ok {
			reply.Options = append(reply.Options, flows.Option{Key: "/undang satgas " + k.Name, Label: c.T("triage.opt_invite_kec", k.Name)})
		}
		reply.Options = append(reply.Options, flows.Option{Key: "/buka " + r.Code, Label: c.T("triage.opt_back_report")})
		return reply
	}
	reply := flows.Reply{Text: text}
	for _, v := range ch.Volunteers {
		label := v.Name
		if label == "" {
			label = fmt.Sprintf("#%d", v.UserID)
		}
		if k, ok := wilayah.KecamatanByCode(v.KecCode); ok && v.KecCode != r.KecCode {
			label += ", " + k.Name
		}
		if runes := []rune(label); len(runes) > 20 {
			label = string(runes[:20])
		}
		reply.Options = append(reply.Options, flows.Option{Key: fmt.Sprintf("/tugaskan %s %d", r.Code, v.UserID), Label: label})
		if len(reply.Options) == maxListKeys {
			break
		}
	}
	return reply
}
