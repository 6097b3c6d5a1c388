package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"klabot/flows/wilayah"
	"klabot/store"
)

// Follow-up rules, as the scheduler's: a report still baru after two
// working days, or an assigned one nobody worked on for three days, is
// overdue.
const (
	newReportWorkingDays = 2
	volunteerQuiet       = 3 * 24 * time.Hour
	pageSize             = 25
)

// listForm is the report list's filter, read from the form. It travels in
// the body of a POST (words of a story may name people) or, for the
// plain filters, in the query of a link.
type listForm struct {
	Status, Kec, Desa, Category, Sort string
	Urgent, Overdue, Asc              bool
	From, To                          string // 2006-01-02
	Words                             string
	Page                              int
}

func readListForm(r *http.Request) listForm {
	values := r.URL.Query()
	if r.Method == http.MethodPost {
		r.ParseForm()
		values = r.PostForm
	} else {
		values.Del("q") // words go in a POST body, never in an address
	}
	f := listForm{
		Status: values.Get("status"), Kec: values.Get("kec"), Desa: values.Get("desa"),
		Category: values.Get("kategori"), Sort: values.Get("urut"),
		Urgent: values.Get("mendesak") != "", Overdue: values.Get("terlambat") != "", Asc: values.Get("arah") == "naik",
		From: values.Get("dari"), To: values.Get("sampai"), Words: strings.TrimSpace(values.Get("q")),
	}
	f.Page, _ = strconv.Atoi(values.Get("hal"))
	if v := values.Get("ke"); v != "" { // a page button
		f.Page, _ = strconv.Atoi(v)
	}
	if f.Page < 1 {
		f.Page = 1
	}
	if !slices.Contains(listStatuses, f.Status) && f.Status != "terbuka" {
		f.Status = ""
	}
	if _, ok := wilayah.KecamatanByCode(f.Kec); !ok {
		f.Kec = ""
	}
	if d, ok := wilayah.DesaByCode(f.Desa); !ok || f.Kec != "" && d.KecCode != f.Kec {
		f.Desa = ""
	}
	if !slices.Contains(categoryKeys(), f.Category) {
		f.Category = ""
	}
	if _, ok := sortColumns[f.Sort]; !ok {
		f.Sort = ""
	}
	if len([]rune(f.Words)) > 200 {
		f.Words = string([]rune(f.Words)[:200])
	}
	return f
}

// listStatuses are the statuses the list counts and filters by, named as
// the chat names them: an accepted report with a volunteer is apart.
var listStatuses = func() []string {
	var l []string
	for _, st := range store.Statuses {
		l = append(l, st)
		if st == store.StatusAccepted {
			l = append(l, store.CountAssigned)
		}
	}
	return l
}()

var sortColumns = map[string]bool{"created": true, "updated": true, "status": true, "place": true}

func (s *Server) query(f listForm, u who, now time.Time) store.ReportQuery {
	q := store.ReportQuery{Status: f.Status, Urgent: f.Urgent, Kec: f.Kec, Desa: f.Desa, Category: f.Category,
		Words: f.Words, Sort: f.Sort, Asc: f.Asc, Offset: (f.Page - 1) * pageSize, Limit: pageSize}
	switch f.Status {
	case "terbuka":
		q.Status, q.Open = "", true
	case store.StatusAccepted:
		q.Unassigned = true
	case store.CountAssigned:
		q.Status, q.Assigned = store.StatusAccepted, true
	}
	if t, err := time.ParseInLocation("2006-01-02", f.From, s.cfg.Location); err == nil {
		q.From = t
	}
	if t, err := time.ParseInLocation("2006-01-02", f.To, s.cfg.Location); err == nil {
		q.To = t.AddDate(0, 0, 1)
	}
	if f.Overdue {
		q.Overdue = true
		q.NewBefore = subWorkingDays(now, newReportWorkingDays, s.cfg.Location)
		q.QuietBefore = now.Add(-volunteerQuiet)
	}
	if !u.Staff {
		q.AssignedTo = u.UserID // a volunteer sees only their own
	}
	return q
}

// subWorkingDays is the creation time from which n working days
// (Monday to Friday) have passed by now.
func subWorkingDays(now time.Time, n int, loc *time.Location) time.Time {
	t := now.In(loc)
	for n > 0 {
		t = t.AddDate(0, 0, -1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t
}

type listData struct {
	Form      listForm
	Counts    []statusCount
	Total     int
	Reports   []store.Report
	Page      int
	Pages     int
	Kecs      []wilayah.Kecamatan
	Desas     []wilayah.Desa
	Cats      []string
	Statuses  []string
	Overdue   map[int64]bool
	PageLinks []int
}

type statusCount struct {
	Status string
	N      int
	Link   string
}

func (s *Server) reportList(w http.ResponseWriter, r *http.Request, u who) {
	f := readListForm(r)
	now := s.cfg.Now()
	q := s.query(f, u, now)
	d := listData{Form: f, Page: f.Page, Kecs: wilayah.Kecamatans(), Cats: categoryKeys(), Statuses: listStatuses}
	if f.Kec != "" {
		d.Desas = wilayah.DesaOf(f.Kec)
	}
	err := s.db.View(r.Context(), func(tx *store.Tx) error {
		counts, err := s.statusCounts(tx, q.AssignedTo)
		if err != nil {
			return err
		}
		for _, st := range listStatuses {
			d.Counts = append(d.Counts, statusCount{st, counts[st], "/laporan?" + url.Values{"status": {st}}.Encode()})
		}
		d.Reports, d.Total, err = tx.QueryReports(q)
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Overdue = map[int64]bool{}
	newBefore := subWorkingDays(now, newReportWorkingDays, s.cfg.Location)
	for _, rep := range d.Reports {
		if rep.Status == store.StatusNew && rep.CreatedAt.Before(newBefore) {
			d.Overdue[rep.ID] = true
		}
	}
	d.Pages = max(1, (d.Total+pageSize-1)/pageSize)
	for p := max(1, f.Page-3); p <= min(d.Pages, f.Page+3); p++ {
		d.PageLinks = append(d.PageLinks, p)
	}
	// The list names reports, not people; the audit says who looked and
	// with which filter (never the words searched for).
	filter := strings.Join([]string{f.Status, f.Kec, f.Desa, f.Category}, " ")
	if err := s.db.Tx(r.Context(), func(tx *store.Tx) error {
		role := store.RoleStaff
		if !u.Staff {
			role = store.RoleVolunteer
		}
		return tx.Audit(now, u.auditName(), "report:list", "web "+strings.TrimSpace(filter), role)
	}); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "reports", u, "web.reports_title", d)
}

// countsCache keeps the office-wide counts per status while no report
// changes: counting them means reading every report.
type countsCache struct {
	mu      sync.Mutex
	version string
	counts  map[string]int
}

func (s *Server) statusCounts(tx *store.Tx, assignedTo int64) (map[string]int, error) {
	if assignedTo != 0 {
		return tx.ReportStatusCounts(assignedTo) // a volunteer's few reports
	}
	version, err := tx.ReportsVersion()
	if err != nil {
		return nil, err
	}
	c := &s.counts
	c.mu.Lock()
	if c.version == version {
		counts := c.counts
		c.mu.Unlock()
		return counts, nil
	}
	c.mu.Unlock()
	counts, err := tx.ReportStatusCounts(0)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.version, c.counts = version, counts
	c.mu.Unlock()
	return counts, nil
}
