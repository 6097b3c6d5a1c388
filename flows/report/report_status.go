package report

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"klabot/flows"
	"klabot/flows/place"
	"klabot/flows/words"
	"klabot/locales"
	"klabot/store"
)

// The "Cek status laporan" flow: a person's own reports, by list or by
// code, and adding information or evidence to one that is still open.
// Someone else's code gets exactly the answer a code that does not exist
// gets, so codes cannot be used to learn that a report exists.

// maxOwnReports is how many of a person's reports the list shows.
const maxOwnReports = 6

const (
	dCode       = "code"
	dMediaAdded = "media_added"
)

func statusFlow() *flows.Flow {
	return &flows.Flow{ID: flows.FlowStatus, Version: 1, Start: "list", Steps: map[string]*flows.Step{
		"list": {
			FreeText: true,
			Prompt: func(c *flows.Ctx) flows.Reply {
				reports, err := c.Tx.ListReports(store.ReportFilter{ReporterID: c.User.ID, Limit: maxOwnReports})
				if err != nil {
					c.Fail(err)
					return flows.Reply{}
				}
				if len(reports) == 0 {
					return flows.Reply{Text: c.T("track.none")}
				}
				var lines []string
				r := flows.Reply{}
				for _, rep := range reports {
					lines = append(lines, c.T("track.list_line", rep.Code, words.ReportStatusName(c.T, rep), reportDate(c, rep.CreatedAt)))
					r.Options = append(r.Options, flows.Option{Key: rep.Code, Label: rep.Code})
				}
				r.Text = c.T("track.list", strings.Join(lines, "\n"))
				return r
			},
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				code := choice
				if code == "" {
					parsed, ok := store.ParseReportCode(in.Text)
					if next, menu := c.MenuWord(in); !ok && menu {
						return next // "lapor", "pelatihan": not a code but a wish
					}
					if next, menu := menuNumber(c, in); !ok && menu {
						return next
					}
					if in.Kind != flows.KindText || !ok {
						c.Say(c.T(place.NotFoundKey(in, "track.code_invalid")))
						return flows.Stay()
					}
					code = parsed
				}
				if _, ok, err := ownReport(c, code); err != nil {
					return c.Fail(err)
				} else if !ok {
					c.Say(c.T("track.not_found", code))
					return flows.Stay()
				}
				c.Set(dCode, code)
				return flows.Goto("detail")
			},
		},
		"detail": {
			Prompt: func(c *flows.Ctx) flows.Reply {
				r, ok, err := ownReport(c, c.Get(dCode))
				if err != nil {
					c.Fail(err)
					return flows.Reply{}
				}
				if !ok {
					return flows.Reply{Text: c.T("track.not_found", c.Get(dCode))}
				}
				text, err := reporterView(c, r)
				if err != nil {
					c.Fail(err)
					return flows.Reply{}
				}
				reply := flows.Reply{Text: text}
				if n, err := openQuestionCount(c, r); err != nil {
					c.Fail(err)
					return flows.Reply{}
				} else if n > 0 && !store.IsClosed(r.Status) {
					reply.Text += "\n\n" + c.T("ask.open_for_reporter", n)
					reply.Options = append(reply.Options, flows.Option{Key: "answer", Label: c.T("ask.opt_answer_question")})
				}
				if !store.IsClosed(r.Status) {
					reply.Options = append(reply.Options,
						flows.Option{Key: "info", Label: c.T("track.add_info")},
						flows.Option{Key: "media", Label: c.T("track.add_media")})
				}
				reply.Options = append(reply.Options, flows.Option{Key: "list", Label: c.T("track.other")})
				return reply
			},
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				switch choice {
				case "answer":
					return cmdAnswer(c, c.Get(dCode))
				case "info":
					return flows.Goto("add_info")
				case "media":
					c.Set(dMediaAdded, "")
					return flows.Goto("add_media")
				}
				return flows.Goto("list")
			},
		},
		"add_info": {
			FreeText: true,
			Prompt: func(c *flows.Ctx) flows.Reply {
				return flows.Reply{Text: c.T("track.info_question"), Options: []flows.Option{{Key: "skip", Label: c.T("track.opt_back")}}}
			},
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				if choice == "skip" {
					return flows.Goto("detail")
				}
				r, ok, err := ownOpenReport(c)
				if err != nil || !ok {
					return flows.Goto("detail")
				}
				if in.HasMedia() {
					return addEvidence(c, r, in, "detail")
				}
				text, ok := typedText(in, maxDescRunes)
				if !ok {
					c.Say(c.T(place.NotFoundKey(in, "track.info_empty")))
					return flows.Stay()
				}
				if err := addInfo(c, r, text); err != nil {
					return c.Fail(err)
				}
				return flows.Goto("detail")
			},
		},
		"add_media": {
			FreeText: true,
			Repeats:  true,
			Prompt: func(c *flows.Ctx) flows.Reply {
				if n := c.Get(dMediaAdded); n != "" {
					return flows.Reply{Text: c.T("track.media_more", n), Options: []flows.Option{{Key: "done", Label: c.T("report.done")}}}
				}
				return flows.Reply{Text: c.T("track.media_question"), Options: []flows.Option{{Key: "done", Label: c.T("report.done")}}}
			},
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				if choice == "done" || in.Kind == flows.KindText && noEvidenceWords[flows.Normalize(in.Text)] {
					return flows.Goto("detail")
				}
				r, ok, err := ownOpenReport(c)
				if err != nil || !ok {
					return flows.Goto("detail")
				}
				if !in.HasMedia() {
					c.Say(c.T("track.media_need_file"))
					return flows.Stay()
				}
				return addEvidence(c, r, in, "")
			},
		},
	}}
}

// addEvidence adds a file to an open report at once, and tells whoever
// handles the report about the first one. Next: step, or stay for more.
func addEvidence(c *flows.Ctx, r store.Report, in flows.Input, step string) flows.Next {
	if in.Media.Size > MaxMediaBytes {
		c.Say(c.T("report.evidence_too_big"))
		return flows.Stay()
	}
	if _, err := c.Tx.AddReportMedia(r.ID, store.Media{Kind: string(in.Kind), Channel: c.Channel, Ref: in.Media.Ref,
		Mime: in.Media.Mime, Size: in.Media.Size}, c.User.ID, c.Now); err != nil {
		return c.Fail(err)
	}
	if err := c.Tx.AddReportEvent(store.ReportEvent{ReportID: r.ID, At: c.Now, ActorID: c.User.ID,
		Role: store.RoleReporter, Kind: store.EventMedia, Note: strings.TrimSpace(in.Text)}); err != nil {
		return c.Fail(err)
	}
	n := 0
	fmt.Sscan(c.Get(dMediaAdded), &n)
	n++
	c.Set(dMediaAdded, fmt.Sprint(n))
	if n == 1 {
		if err := tellHandlers(c, r, "triage.reporter_media"); err != nil {
			return c.Fail(err)
		}
	}
	if step != "" {
		c.Say(c.T("track.media_saved"))
		return flows.Goto(step)
	}
	return flows.Stay()
}

// menuNumber reads a number typed where someone without reports was
// told they have none (a screen with no choices) as the main menu's
// choice they meant, rather than as a wrong code again and again.
func menuNumber(c *flows.Ctx, in flows.Input) (flows.Next, bool) {
	n := flows.OptionNumber(flows.Normalize(in.Text))
	entries := c.MenuEntries()
	if in.Kind != flows.KindText || n < 1 || n > len(entries) {
		return flows.Next{}, false
	}
	if reports, err := c.Tx.ListReports(store.ReportFilter{ReporterID: c.User.ID, Limit: 1}); err != nil || len(reports) > 0 {
		return flows.Next{}, false
	}
	return entries[n-1].Run(c), true
}

// addInfo adds what the reporter wrote to their report's history, and
// tells those handling it.
func addInfo(c *flows.Ctx, r store.Report, text string) error {
	if err := c.Tx.AddReportEvent(store.ReportEvent{ReportID: r.ID, At: c.Now, ActorID: c.User.ID,
		Role: store.RoleReporter, Kind: store.EventInfo, Note: text}); err != nil {
		return err
	}
	if err := tellHandlers(c, r, "triage.reporter_info"); err != nil {
		return err
	}
	c.Say(c.T("track.info_saved"))
	return nil
}

// tellHandlers lets staff and the assigned volunteer know the reporter
// added something, without saying who the reporter is.
func tellHandlers(c *flows.Ctx, r store.Report, key string) error {
	open := flows.Option{Key: "/buka " + r.Code, Label: flows.StaffT("triage.open")}
	c.NotifyStaff(store.PriorityAlert, flows.Reply{Text: flows.StaffT(key, r.Code), Options: []flows.Option{open}, Subject: store.ReportSubject(r.Code)})
	if r.AssignedTo == 0 {
		return nil
	}
	vol, err := c.Tx.User(r.AssignedTo)
	if err != nil {
		return err
	}
	open.Label = locales.T(vol.Lang, "triage.open")
	c.Send(vol.ID, store.PriorityAlert, flows.Reply{Text: locales.T(vol.Lang, key, r.Code), Options: []flows.Option{open}, Subject: store.ReportSubject(r.Code)})
	return nil
}

// ownReport finds a report by code only if this person made it.
func ownReport(c *flows.Ctx, code string) (store.Report, bool, error) {
	r, err := c.Tx.ReportByCode(code)
	if errors.Is(err, store.ErrNotFound) {
		return store.Report{}, false, nil
	}
	if err != nil {
		return store.Report{}, false, err
	}
	if r.ReporterID != c.User.ID {
		return store.Report{}, false, nil
	}
	return r, true, nil
}

func ownOpenReport(c *flows.Ctx) (store.Report, bool, error) {
	r, ok, err := ownReport(c, c.Get(dCode))
	if err != nil || !ok {
		return r, false, err
	}
	if store.IsClosed(r.Status) {
		c.Say(c.T("track.closed"))
		return r, false, nil
	}
	return r, true, nil
}

// reporterView is a report as its reporter sees it: what and where, the
// status and its history in plain words. Staff notes are not shown: every
// answer about a case comes from the locale files.
func reporterView(c *flows.Ctx, r store.Report) (string, error) {
	events, err := c.Tx.ReportEvents(r.ID)
	if err != nil {
		return "", err
	}
	var history []string
	for _, e := range events {
		var what string
		switch e.Kind {
		case store.EventCreated:
			what = c.T("track.event_created")
		case store.EventStatus:
			what = words.StatusLabel(c.T, e.ToStatus)
		case store.EventAssign:
			what = c.T("track.event_assigned")
		default:
			continue
		}
		history = append(history, c.T("track.history_line", reportDateTime(c, e.At), what))
	}
	place := placeText(c.T, r.KecCode, r.DesaCode, r.HasPin)
	return c.T("track.detail", r.Code, words.CategoryName(c.User.Lang, r.Category), place,
		words.ReportStatusName(c.T, r), strings.Join(history, "\n")), nil
}

// date and dateTime show a time in local time (WIB), short.
func reportDate(c *flows.Ctx, t time.Time) string { return t.In(c.Loc).Format("02/01/2006") }

func reportDateTime(c *flows.Ctx, t time.Time) string { return t.In(c.Loc).Format("02/01 15.04") }
