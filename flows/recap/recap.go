package recap

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"klabot/flows"
	"klabot/flows/exportdata"
	"klabot/flows/words"
	"klabot/locales"
	"klabot/store"
)

// The monthly KLA recap for staff in chat: pick a month or type it
// ("/rekap november", "/rekap 11/2026": see ParseMonth), get a short
// summary, the XLSX workbook (numbers, the rows behind them, what each
// number means) and a bar chart. The same recap comes from
// "klabot recap --month 2026-11" on the server, which reads months alike.

// FlowRecap is the staff recap.
const FlowRecap = "recap"

// Add plugs in the staff recap of the KLA figures.
func Add(e *flows.Engine) {
	e.Register(recapFlow())
	e.AddStaffEntry("rekap", "export.staff_entry", FlowRecap)
	e.AddCommand("rekap", func(c *flows.Ctx, args string) flows.Next {
		if !c.Staff {
			c.Say(c.T("export.staff_only"))
			return flows.Stay()
		}
		if args != "" {
			from, to, err := ParseMonth(args, c.Now, c.Loc)
			if err != nil {
				c.Say(monthProblem(c, err))
				return flows.Switch(FlowRecap)
			}
			sendRecap(c, from, to)
			return flows.Menu()
		}
		return flows.Switch(FlowRecap)
	})
}

func recapFlow() *flows.Flow {
	return &flows.Flow{ID: FlowRecap, Version: 1, Start: "month", Steps: map[string]*flows.Step{
		"month": {
			FreeText: true,
			Prompt: func(c *flows.Ctx) flows.Reply {
				return flows.Reply{Text: c.T("export.month_question"), Options: []flows.Option{
					{Key: "this", Label: c.T("export.opt_this_month")},
					{Key: "last", Label: c.T("export.opt_last_month")},
				}}
			},
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				if !c.Staff {
					return flows.Menu()
				}
				from, to := exportdata.MonthOf(c.Now, c.Loc)
				switch choice {
				case "this":
				case "last":
					from, to = from.AddDate(0, -1, 0), from
				default:
					var err error
					if from, to, err = ParseMonth(in.Text, c.Now, c.Loc); err != nil {
						c.Say(monthProblem(c, err))
						return flows.Stay()
					}
				}
				sendRecap(c, from, to)
				return flows.Menu()
			},
		},
	}}
}

// monthProblem says in one line why a typed month gives no recap, with
// examples made from last month, which always has one.
func monthProblem(c *flows.Ctx, err error) string {
	this, _ := exportdata.MonthOf(c.Now, c.Loc)
	last := this.AddDate(0, -1, 0)
	name := strings.ToLower(strings.Fields(MonthName(c.User.Lang, last))[0])
	key := "export.month_bad"
	if errors.Is(err, ErrMonthFuture) {
		key = "export.month_future"
	}
	return c.T(key, name, last.Format("01/2006"))
}

// sendRecap tells the staff member the month's numbers and asks for the
// workbook and the chart, which follow once they are made.
func sendRecap(c *flows.Ctx, from, to time.Time) {
	if c.Config().DataDir == "" {
		c.Say(c.T("export.unavailable"))
		return
	}
	rc, err := exportdata.BuildRecap(c.Tx, from, to, c.Now, c.Loc)
	if err != nil {
		c.Fail(err)
		return
	}
	lang := c.User.Lang
	month := MonthName(lang, from)
	stamp := c.Now.In(c.Loc).Format("20060102-150405")
	base := "rekap-kla-" + from.Format("2006-01")
	book, chart := base+"-"+stamp+".xlsx", base+"-"+stamp+".png"
	args := map[string]string{exportdata.ArgMonth: from.Format("2006-01"), exportdata.ArgAt: c.Now.Format(time.RFC3339Nano),
		exportdata.ArgLang: lang, exportdata.ArgActor: c.AuditActor()}
	c.Say(Summary(lang, rc, month))
	c.Send(c.User.ID, store.PriorityReply, flows.Reply{Text: c.T("export.file_caption", month),
		Attachment: &flows.Attachment{Kind: "document", Name: book, File: &flows.FileRequest{Kind: exportdata.FileRecapBook, Args: args}}})
	c.Send(c.User.ID, store.PriorityReply, flows.Reply{Text: c.T("export.chart_caption", month),
		Attachment: &flows.Attachment{Kind: "photo", Name: chart, File: &flows.FileRequest{Kind: exportdata.FileRecapChart, Args: args}}})
}

// Summary is the recap in a few lines, for chat and the terminal.
func Summary(lang string, rc exportdata.Recap, month string) string {
	median := locales.T(lang, "export.median_none")
	if m, ok := rc.Total.MedianDays(); ok {
		median = strconv.FormatFloat(m, 'f', -1, 64)
		if lang == "id" {
			median = strings.ReplaceAll(median, ".", ",")
		}
		median = locales.T(lang, "export.median_days", median)
	}
	t := rc.Total
	return locales.T(lang, "export.summary", month, t.Received, t.Verified, t.Referred, t.Closed, t.Done, median,
		rc.TrainingsTotal.Held, rc.TrainingsTotal.Registered, rc.TrainingsTotal.Attended,
		rc.MembersTotal.SatgasActive, rc.MembersTotal.SatgasJoined, rc.MembersTotal.ForumAnakActive)
}

// MonthName is "November 2026" in a language.
func MonthName(lang string, t time.Time) string {
	months := strings.Split(locales.T(lang, "training.months"), ",")
	if len(months) != 12 {
		return t.Format("2006-01")
	}
	return fmt.Sprintf("%s %d", months[t.Month()-1], t.Year())
}

// ExportLabels give exports the names of words.Categories, programmes and
// statuses in a language.
func ExportLabels(lang string) exportdata.Labels {
	t := func(key string, args ...any) string { return locales.T(lang, key, args...) }
	return exportdata.Labels{
		Category: func(key string) string { return words.CategoryName(lang, key) },
		Program: func(key string) string {
			if p, ok := words.ProgramByKey(key); ok {
				return t(p.Label)
			}
			return key
		},
		Status: func(status string) string { return words.StatusLabel(t, status) },
		Word:   func(code string) string { return words.ExportWord(lang, code) },
	}
}

// Text is the recap workbook's words in a language.
func Text(lang string, month, now time.Time, loc *time.Location) exportdata.RecapText {
	t := func(key string, args ...any) string { return locales.T(lang, key, args...) }
	defs := []string{"export.def_intro", "export.def_received", "export.def_verified", "export.def_referred",
		"export.def_closed", "export.def_median", "export.def_cluster", "export.def_trainings", "export.def_satgas",
		"export.def_forum", "export.def_codes"}
	var lines []string
	for _, k := range defs {
		lines = append(lines, t(k))
	}
	return exportdata.RecapText{
		Title:        t("export.title", MonthName(lang, month)),
		Generated:    t("export.generated", now.In(loc).Format("2006-01-02 15:04")),
		Reports:      t("export.sec_reports"),
		Clusters:     t("export.sec_clusters"),
		Trainings:    t("export.sec_trainings"),
		Members:      t("export.sec_members"),
		Total:        t("export.total"),
		ForumAnak:    t("export.forum_declared"),
		NoCluster:    t("export.no_cluster"),
		Definitions:  lines,
		SheetRecap:   t("export.sheet_recap"),
		SheetDetail:  t("export.sheet_detail"),
		SheetDefined: t("export.sheet_defs"),
		Column: func(name string) string {
			if key, ok := columnWords[name]; ok {
				return t(key)
			}
			return name
		},
	}
}

// columnWords are the summary sheet's columns in words.
var columnWords = map[string]string{
	"kecamatan": "export.col.kecamatan", "desa": "export.col.desa", "kategori": "export.col.kategori",
	"klaster_kla": "export.col.klaster_kla", "indikator_kla": "export.col.indikator_kla",
	"diterima": "export.col.diterima", "diverifikasi": "export.col.diverifikasi", "dirujuk": "export.col.dirujuk",
	"ditutup": "export.col.ditutup", "selesai": "export.col.selesai", "median_hari_ditutup": "export.col.median_hari_ditutup",
	"program": "export.col.program", "sesi_terlaksana": "export.col.sesi_terlaksana", "pendaftar": "export.col.pendaftar",
	"hadir": "export.col.hadir", "satgas_terdaftar": "export.col.satgas_terdaftar", "satgas_aktif": "export.col.satgas_aktif",
	"forum_anak_aktif": "export.col.forum_anak_aktif",
}

// ChartText is the recap chart's words in a language.
func ChartText(lang string, month time.Time) exportdata.ChartText {
	return exportdata.ChartText{
		Title:      locales.T(lang, "export.chart_title", MonthName(lang, month)),
		ByCategory: locales.T(lang, "export.chart_by_category"),
		ByKec:      locales.T(lang, "export.chart_by_kec"),
		None:       locales.T(lang, "export.chart_none"),
	}
}
