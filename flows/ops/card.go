package ops

import (
	"fmt"
	"strings"
	"time"

	"klabot/flows/words"
	"klabot/locales"
	"klabot/store"
)

// CardFor is whom a report card is for: what it may show.
type CardFor int

const (
	CardAlert     CardFor = iota // every staff member, as the report comes in
	CardStaff                    // a staff member who opened it
	CardVolunteer                // a volunteer: never who reported
)

var roleLabels = []struct{ role, label string }{
	{store.RoleStaff, "triage.role.staff"},
	{store.RoleVolunteer, "triage.role.volunteer"},
	{store.RoleReporter, "triage.role.reporter"},
}

// Card renders a report for staff or a volunteer in lang, times in loc.
// The reporter's name and contact appear only for staff, and only when the
// reporter chose to be named: this is the one place they can appear.
func Card(tx *store.Tx, r store.Report, lang string, who CardFor, loc *time.Location) (string, error) {
	t := func(key string, args ...any) string { return locales.T(lang, key, args...) }
	var lines []string
	switch {
	case who == CardAlert && r.Urgent:
		lines = append(lines, t("triage.card_new_urgent", r.Code))
	case who == CardAlert:
		lines = append(lines, t("triage.card_new", r.Code))
	case r.Urgent:
		lines = append(lines, t("triage.card_title", r.Code), t("triage.card_urgent"))
	default:
		lines = append(lines, t("triage.card_title", r.Code))
	}
	lines = append(lines, t("triage.card_status", words.ReportStatusName(t, r)))
	if r.KLACluster != "" {
		lines = append(lines, t("triage.card_category", words.CategoryName(lang, r.Category), r.KLACluster, r.KLAIndicator))
	} else {
		lines = append(lines, t("triage.card_category_plain", words.CategoryName(lang, r.Category)))
	}
	if place := words.PlaceName(r.KecCode, r.DesaCode); place != "" {
		lines = append(lines, t("triage.card_place", place))
	} else if !r.HasPin {
		lines = append(lines, t("triage.card_place", t("triage.card_place_unknown")))
	}
	if r.HasPin {
		lines = append(lines, t("triage.card_pin", fmt.Sprintf("%.6f,%.6f", r.Lat, r.Lon)))
	}
	if r.PlaceNote != "" {
		lines = append(lines, t("triage.card_place_note", r.PlaceNote))
	}
	children := t("report.children_unknown_count")
	if r.ChildrenCount > 0 {
		children = words.ChildrenText(lang, fmt.Sprint(r.ChildrenCount))
	}
	lines = append(lines, t("triage.card_children", children, r.ChildrenAge))
	switch {
	case r.Description == "":
		lines = append(lines, t("triage.card_story_media"))
	case who == CardAlert:
		lines = append(lines, t("triage.card_story", words.ShortText(r.Description, 600)))
	default:
		lines = append(lines, t("triage.card_story", r.Description))
	}
	media, err := tx.ReportMedia(r.ID)
	if err != nil {
		return "", err
	}
	pending, failed := 0, 0
	for _, m := range media {
		switch m.State {
		case store.MediaPending:
			pending++
		case store.MediaFailed:
			failed++
		}
	}
	switch {
	case len(media) == 0:
		lines = append(lines, t("triage.card_evidence_none"))
	case pending == 0 && failed == 0:
		lines = append(lines, t("triage.card_evidence_saved", len(media)))
	default:
		var notes []string
		if pending > 0 {
			notes = append(notes, t("triage.card_evidence_pending", pending))
		}
		if failed > 0 {
			notes = append(notes, t("triage.card_evidence_failed", failed))
		}
		lines = append(lines, t("triage.card_evidence", len(media), strings.Join(notes, ", ")))
	}
	if r.ChildReporter {
		lines = append(lines, t("triage.card_child"))
	}
	switch {
	case r.ReporterErased && who != CardVolunteer:
		lines = append(lines, t("triage.card_reporter_erased"))
	case r.Anonymous:
		lines = append(lines, t("triage.card_anonymous"))
	case who == CardVolunteer:
		lines = append(lines, t("triage.card_reporter_hidden"))
	default:
		name, contact, _, err := tx.ReporterIdentity(r)
		if err != nil {
			return "", err
		}
		if r.ChildReporter {
			name = t("triage.card_child_no_name") // a child is not asked for a name
		}
		lines = append(lines, t("triage.card_reporter", name, words.ContactName(lang, contact)))
	}
	if r.AssignedTo != 0 {
		name, err := PersonName(tx, r.AssignedTo)
		if err != nil {
			return "", err
		}
		lines = append(lines, t("triage.card_volunteer", name))
	} else if who != CardVolunteer {
		lines = append(lines, t("triage.card_no_volunteer"))
	}
	lines = append(lines, t("triage.card_created", r.CreatedAt.In(loc).Format("02/01/2006 15.04")))
	return strings.Join(lines, "\n"), nil
}

// History lists what happened to a report, for staff and volunteers, in
// lang, times in loc. A reporter appears as "pelapor", never by name.
func History(tx *store.Tx, r store.Report, lang string, loc *time.Location) (string, error) {
	t := func(key string, args ...any) string { return locales.T(lang, key, args...) }
	events, err := tx.ReportEvents(r.ID)
	if err != nil {
		return "", err
	}
	lines := []string{t("triage.history")}
	for _, e := range events {
		actor, err := eventActorName(tx, t, e)
		if err != nil {
			return "", err
		}
		at := e.At.In(loc).Format("02/01 15.04")
		var line string
		switch e.Kind {
		case store.EventCreated:
			line = t("triage.ev_created", at)
		case store.EventStatus:
			line = t("triage.ev_status", at, words.StatusLabel(t, e.ToStatus), actor)
		case store.EventAssign, store.EventUnassign:
			name, err := PersonName(tx, e.AssigneeID)
			if err != nil {
				return "", err
			}
			key := "triage.ev_assign"
			if e.Kind == store.EventUnassign {
				key = "triage.ev_unassign"
			}
			line = t(key, at, name, actor)
		case store.EventNote:
			line = t("triage.ev_note", at, actor)
		case store.EventInfo:
			line = t("triage.ev_info", at)
		case store.EventMedia:
			line = t("triage.ev_media", at)
		case store.EventQuestion:
			line = t("ask.ev_question", at, actor)
		case store.EventAnswer:
			line = t("ask.ev_answer", at)
		}
		if e.Note != "" {
			line += ": " + e.Note
		}
		lines = append(lines, "- "+line)
	}
	return strings.Join(lines, "\n"), nil
}

func eventActorName(tx *store.Tx, t func(string, ...any) string, e store.ReportEvent) (string, error) {
	role := e.Role
	for _, l := range roleLabels {
		if l.role == e.Role {
			role = t(l.label)
		}
	}
	if e.Role == store.RoleReporter || e.ActorID == 0 {
		return role, nil
	}
	name, err := PersonName(tx, e.ActorID)
	return role + " " + name, err
}

// PersonName names staff and volunteers (never reporters) in views:
// "Sari (#2)", or "#2" without a name.
func PersonName(tx *store.Tx, userID int64) (string, error) {
	u, err := tx.User(userID)
	if err != nil {
		return "", err
	}
	if u.Name != "" {
		return fmt.Sprintf("%s (#%d)", u.Name, u.ID), nil
	}
	return fmt.Sprintf("#%d", u.ID), nil
}
