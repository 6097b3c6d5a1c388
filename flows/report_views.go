package flows

import (
	"fmt"
	"slices"
	"strings"

	"klabot/locales"
	"klabot/store"
	"klabot/store/wilayah"
)

// What staff and volunteers see of reports: lists, the report card with
// its history, and the choice of volunteer. Every one of these reads
// through reportFor or a filter that applies the same rules, and the card
// is the only place a reporter's identity can appear (staff only, named
// reports only).

// parseReportFilter reads "/laporan" arguments: statuses, "semua", "ditutup",
// "mendesak", a kecamatan or a category. Open reports unless asked.
func parseReportFilter(args string) (f store.ReportFilter, unknown string) {
	q := " " + Normalize(args) + " "
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

func triageListPrompt(c *Ctx) Reply {
	role, err := reportRole(c)
	if err != nil {
		c.Fail(err)
		return Reply{}
	}
	if role == "" {
		return Reply{Text: c.T("triage.staff_only")}
	}
	f, _ := parseReportFilter(c.Get(dFilter))
	if role == store.RoleVolunteer {
		f.AssignedTo = c.User.ID
	}
	reports, err := c.Tx.ListReports(f)
	if err != nil {
		c.Fail(err)
		return Reply{}
	}
	title := c.T("triage.list_title")
	if filter := strings.TrimSpace(c.Get(dFilter)); filter != "" {
		title = c.T("triage.list_title_filter", filter)
	}
	if len(reports) == 0 {
		return Reply{Text: title + "\n\n" + c.T("triage.list_empty")}
	}
	var lines []string
	r := Reply{}
	for _, rep := range reports {
		mark := ""
		if rep.Urgent {
			mark = "! "
		}
		place := PlaceName(rep.KecCode, "")
		if place == "" {
			place = c.T("report.pin_place")
		}
		lines = append(lines, strings.Join([]string{mark + rep.Code, statusLabel(c.T, rep.Status),
			categoryName(c.User.Lang, rep.Category), place, c.reportDate(rep.CreatedAt)}, " · "))
		if len(r.Options) < maxListKeys {
			r.Options = append(r.Options, Option{Key: "/buka " + rep.Code, Label: mark + rep.Code})
		}
	}
	r.Text = title + "\n\n" + strings.Join(lines, "\n")
	return r
}

func triageViewPrompt(c *Ctx) Reply {
	role, r, ok := reportFor(c, c.Get(dCode))
	if !ok {
		return Reply{Text: c.T("triage.not_found", c.Get(dCode))}
	}
	who := cardVolunteer
	if role == store.RoleStaff {
		who = cardStaff
	}
	card, err := reportCard(c, r, c.User.Lang, who)
	if err != nil {
		c.Fail(err)
		return Reply{}
	}
	history, err := reportHistory(c, r)
	if err != nil {
		c.Fail(err)
		return Reply{}
	}
	reply := Reply{Text: card + "\n\n" + history}
	opt := func(key, label string) {
		reply.Options = append(reply.Options, Option{Key: key + " " + r.Code, Label: c.T(label)})
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
				reply.Options = append(reply.Options, Option{Key: "/status " + r.Code + " " + a.status, Label: c.T(a.label)})
			}
		}
		if closed {
			reply.Options = append(reply.Options, Option{Key: "/status " + r.Code + " " + store.StatusAccepted, Label: c.T("triage.reopen")})
		}
	} else if store.CanChangeStatus(r.Status, store.StatusVerified, role) {
		opt("/verifikasi", "triage.to.diverifikasi")
	}
	opt("/catatan", "triage.note")
	media, err := c.Tx.ReportMedia(r.ID)
	if err != nil {
		c.Fail(err)
		return Reply{}
	}
	if slices.ContainsFunc(media, func(m store.Media) bool { return m.State == store.MediaSaved }) {
		opt("/bukti", "triage.evidence")
	}
	return reply
}

// Whom a report card is for: what it may show.
type cardFor int

const (
	cardAlert     cardFor = iota // every staff member, as the report comes in
	cardStaff                    // a staff member who opened it
	cardVolunteer                // a volunteer: never who reported
)

// reportCard renders a report for staff or a volunteer. The reporter's
// name and contact appear only for staff, and only when the reporter chose
// to be named.
func reportCard(c *Ctx, r store.Report, lang string, who cardFor) (string, error) {
	t := func(key string, args ...any) string { return locales.T(lang, key, args...) }
	var lines []string
	switch {
	case who == cardAlert && r.Urgent:
		lines = append(lines, t("triage.card_new_urgent", r.Code))
	case who == cardAlert:
		lines = append(lines, t("triage.card_new", r.Code))
	case r.Urgent:
		lines = append(lines, t("triage.card_title", r.Code), t("triage.card_urgent"))
	default:
		lines = append(lines, t("triage.card_title", r.Code))
	}
	lines = append(lines, t("triage.card_status", statusLabel(t, r.Status)))
	if r.KLACluster != "" {
		lines = append(lines, t("triage.card_category", categoryName(lang, r.Category), r.KLACluster, r.KLAIndicator))
	} else {
		lines = append(lines, t("triage.card_category_plain", categoryName(lang, r.Category)))
	}
	if place := PlaceName(r.KecCode, r.DesaCode); place != "" {
		lines = append(lines, t("triage.card_place", place))
	}
	if r.HasPin {
		lines = append(lines, t("triage.card_pin", fmt.Sprintf("%.6f,%.6f", r.Lat, r.Lon)))
	}
	if r.PlaceNote != "" {
		lines = append(lines, t("triage.card_place_note", r.PlaceNote))
	}
	children := t("report.children_unknown_count")
	if r.ChildrenCount > 0 {
		children = childrenText(lang, fmt.Sprint(r.ChildrenCount))
	}
	lines = append(lines, t("triage.card_children", children, r.ChildrenAge))
	switch {
	case r.Description == "":
		lines = append(lines, t("triage.card_story_media"))
	case who == cardAlert:
		lines = append(lines, t("triage.card_story", shortText(r.Description, 600)))
	default:
		lines = append(lines, t("triage.card_story", r.Description))
	}
	media, err := c.Tx.ReportMedia(r.ID)
	if err != nil {
		return "", err
	}
	saved := 0
	for _, m := range media {
		if m.State == store.MediaSaved {
			saved++
		}
	}
	lines = append(lines, t("triage.card_evidence", len(media), saved))
	switch {
	case r.Anonymous:
		lines = append(lines, t("triage.card_anonymous"))
	case who == cardVolunteer:
		lines = append(lines, t("triage.card_reporter_hidden"))
	default:
		name, contact, _, err := c.Tx.ReporterIdentity(r)
		if err != nil {
			return "", err
		}
		lines = append(lines, t("triage.card_reporter", name, contact.String()))
	}
	if r.AssignedTo != 0 {
		name, err := staffName(c, r.AssignedTo)
		if err != nil {
			return "", err
		}
		lines = append(lines, t("triage.card_volunteer", name))
	} else if who != cardVolunteer {
		lines = append(lines, t("triage.card_no_volunteer"))
	}
	lines = append(lines, t("triage.card_created", r.CreatedAt.In(c.Loc).Format("02/01/2006 15.04")))
	return strings.Join(lines, "\n"), nil
}

// reportHistory lists what happened to a report, for staff and volunteers.
// A reporter appears as "pelapor", never by name.
func reportHistory(c *Ctx, r store.Report) (string, error) {
	events, err := c.Tx.ReportEvents(r.ID)
	if err != nil {
		return "", err
	}
	lines := []string{c.T("triage.history")}
	for _, e := range events {
		actor, err := eventActorName(c, e)
		if err != nil {
			return "", err
		}
		at := c.reportDateTime(e.At)
		var line string
		switch e.Kind {
		case store.EventCreated:
			line = c.T("triage.ev_created", at)
		case store.EventStatus:
			line = c.T("triage.ev_status", at, statusLabel(c.T, e.ToStatus), actor)
		case store.EventAssign:
			name, err := staffName(c, e.AssigneeID)
			if err != nil {
				return "", err
			}
			line = c.T("triage.ev_assign", at, name, actor)
		case store.EventUnassign:
			name, err := staffName(c, e.AssigneeID)
			if err != nil {
				return "", err
			}
			line = c.T("triage.ev_unassign", at, name, actor)
		case store.EventNote:
			line = c.T("triage.ev_note", at, actor)
		case store.EventInfo:
			line = c.T("triage.ev_info", at)
		case store.EventMedia:
			line = c.T("triage.ev_media", at)
		}
		if e.Note != "" {
			line += ": " + e.Note
		}
		lines = append(lines, "- "+line)
	}
	return strings.Join(lines, "\n"), nil
}

func eventActorName(c *Ctx, e store.ReportEvent) (string, error) {
	role := e.Role
	for _, l := range roleLabels {
		if l.role == e.Role {
			role = c.T(l.label)
		}
	}
	if e.Role == store.RoleReporter || e.ActorID == 0 {
		return role, nil
	}
	name, err := staffName(c, e.ActorID)
	return role + " " + name, err
}

// staffName names staff and volunteers (never reporters) in views.
func staffName(c *Ctx, userID int64) (string, error) {
	u, err := c.Tx.User(userID)
	if err != nil {
		return "", err
	}
	if u.Name != "" {
		return fmt.Sprintf("%s (#%d)", u.Name, u.ID), nil
	}
	return fmt.Sprintf("#%d", u.ID), nil
}

func triageAssignPrompt(c *Ctx) Reply {
	role, r, ok := reportFor(c, c.Get(dCode))
	if !ok || role != store.RoleStaff {
		return Reply{Text: c.T("triage.not_found", c.Get(dCode))}
	}
	vols, err := c.Tx.Volunteers(r.KecCode)
	if err != nil {
		c.Fail(err)
		return Reply{}
	}
	text := c.T("triage.assign_question", r.Code)
	if len(vols) == 0 {
		// Nobody in that kecamatan (or the place is only a pin): offer all.
		if vols, err = c.Tx.Volunteers(""); err != nil {
			c.Fail(err)
			return Reply{}
		}
		kec := PlaceName(r.KecCode, "")
		if kec == "" {
			kec = c.T("report.pin_place")
		}
		text = c.T("triage.assign_none_in_kec", kec, r.Code)
	}
	if len(vols) == 0 {
		return Reply{Text: c.T("triage.no_volunteers")}
	}
	reply := Reply{Text: text}
	for _, v := range vols {
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
		reply.Options = append(reply.Options, Option{Key: fmt.Sprintf("/tugaskan %s %d", r.Code, v.UserID), Label: label})
		if len(reply.Options) == maxListKeys {
			break
		}
	}
	return reply
}
