package store

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Report statuses, in the order a report normally goes through them.
const (
	StatusNew      = "baru"
	StatusAccepted = "diterima"        // staff read it and take it on
	StatusVerified = "diverifikasi"    // checked in the field
	StatusReferred = "ditindaklanjuti" // referred: UPTD PPA, police, school, Disnaker...
	StatusDone     = "selesai"
	StatusRejected = "ditolak"
	StatusNotOurs  = "bukan_wewenang" // not the office's remit
)

// Statuses lists every status.
var Statuses = []string{StatusNew, StatusAccepted, StatusVerified, StatusReferred, StatusDone, StatusRejected, StatusNotOurs}

// Who acted on a report.
const (
	RoleReporter  = "reporter"
	RoleStaff     = "staff"
	RoleVolunteer = "volunteer"
)

// Kinds of report events.
const (
	EventCreated  = "created"
	EventStatus   = "status"
	EventAssign   = "assign"
	EventNote     = "note"     // a staff or field note
	EventInfo     = "info"     // more information from the reporter
	EventMedia    = "media"    // more evidence from the reporter
	EventUnassign = "unassign" // the volunteer stopped being one; the report is nobody's again
)

// Errors of report changes.
var (
	ErrNotFound      = errors.New("not found")
	ErrNotAllowed    = errors.New("not allowed for this person")
	ErrBadTransition = errors.New("status change not possible from the current status")
	ErrNoteRequired  = errors.New("this status change needs a note")
	ErrClosed        = errors.New("report is closed")
)

// transitions are the status changes staff may make. Volunteers may only
// mark a report they are assigned to as verified. A closed report can be
// reopened (back to diterima) by staff, with a reason: a rejection made in
// error, or a case that came back.
var transitions = map[string][]string{
	StatusNew:      {StatusAccepted, StatusRejected, StatusNotOurs},
	StatusAccepted: {StatusVerified, StatusReferred, StatusRejected, StatusNotOurs},
	StatusVerified: {StatusReferred, StatusDone, StatusRejected, StatusNotOurs},
	StatusReferred: {StatusDone},
	StatusDone:     {StatusAccepted},
	StatusRejected: {StatusAccepted},
	StatusNotOurs:  {StatusAccepted},
}

// CanChangeStatus tells whether someone with role may move a report from
// one status to another (assignment aside, which ChangeReportStatus checks).
func CanChangeStatus(from, to, role string) bool {
	switch role {
	case RoleStaff:
		return slices.Contains(transitions[from], to)
	case RoleVolunteer:
		return from == StatusAccepted && to == StatusVerified
	}
	return false
}

// NextStatuses lists what role may move a report in status from to.
func NextStatuses(from, role string) []string {
	var out []string
	for _, to := range Statuses {
		if CanChangeStatus(from, to, role) {
			out = append(out, to)
		}
	}
	return out
}

// NeedsNote tells whether a change to status must say why or to whom.
func NeedsNote(status string) bool {
	return status == StatusReferred || status == StatusRejected || status == StatusNotOurs
}

// IsReopening tells whether a change from one status to another reopens a
// closed report; it needs a note saying why.
func IsReopening(from, to string) bool { return IsClosed(from) && !IsClosed(to) }

// IsClosed tells whether a report in this status is finished.
func IsClosed(status string) bool {
	return status == StatusDone || status == StatusRejected || status == StatusNotOurs
}

// Report is one case report.
type Report struct {
	ID            int64
	Code          string
	Category      string
	Urgent        bool
	KecCode       string
	DesaCode      string
	HasPin        bool
	Lat, Lon      float64
	PlaceNote     string
	Description   string
	ChildrenCount int // 0: not known
	ChildrenAge   string
	Anonymous     bool
	// ChildReporter: the reporter is a child, which staff must know.
	ChildReporter bool
	// ReporterName is the name given for this report ("" for the
	// person's own name); see ReporterIdentity.
	ReporterName string
	// ReporterErased: the reporter had their data erased; the report
	// stays, anonymous.
	ReporterErased bool
	// ReporterID is only for sending the reporter updates and showing them
	// their own reports; see ReporterIdentity for what staff may see.
	ReporterID   int64
	Status       string
	AssignedTo   int64 // 0: nobody yet
	KLACluster   string
	KLAIndicator string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	ClosedAt     time.Time
}

// ReportEvent is one thing that happened to a report.
type ReportEvent struct {
	ID         int64
	ReportID   int64
	At         time.Time
	ActorID    int64
	Role       string
	Kind       string
	FromStatus string
	ToStatus   string
	AssigneeID int64
	Note       string
}

const reportColumns = `id, code, category, urgent, kec_code, desa_code, lat, lon, place_note, description,
	children_count, children_age, anonymous, reporter_user_id, status, COALESCE(assigned_to, 0),
	kla_cluster, kla_indicator, created_at, updated_at, COALESCE(closed_at, ''), child_reporter, reporter_name,
	reporter_erased_at IS NOT NULL`

func scanReport(row interface{ Scan(...any) error }) (Report, error) {
	var r Report
	var lat, lon sql.NullFloat64
	var created, updated, closed string
	err := row.Scan(&r.ID, &r.Code, &r.Category, &r.Urgent, &r.KecCode, &r.DesaCode, &lat, &lon, &r.PlaceNote,
		&r.Description, &r.ChildrenCount, &r.ChildrenAge, &r.Anonymous, &r.ReporterID, &r.Status, &r.AssignedTo,
		&r.KLACluster, &r.KLAIndicator, &created, &updated, &closed, &r.ChildReporter, &r.ReporterName, &r.ReporterErased)
	r.HasPin = lat.Valid && lon.Valid
	r.Lat, r.Lon = lat.Float64, lon.Float64
	r.CreatedAt, r.UpdatedAt, r.ClosedAt = ParseTime(created), ParseTime(updated), ParseTime(closed)
	return r, err
}

// maxCodeTries bounds the retries on a code collision; with 40 bits a
// second try is already very unlikely.
const maxCodeTries = 8

// CreateReport stores a new report (status baru) with a fresh unique code,
// and records its creation. It fills in r's ID, Code, Status and times.
func (tx *Tx) CreateReport(r *Report, random io.Reader, now time.Time) error {
	var code string
	for try := 0; ; try++ {
		if try == maxCodeTries {
			return fmt.Errorf("create report: no free code after %d tries", maxCodeTries)
		}
		c, err := NewReportCode(random)
		if err != nil {
			return fmt.Errorf("create report: %w", err)
		}
		var n int
		if err := tx.queryRow(`SELECT count(*) FROM reports WHERE code = ?`, c).Scan(&n); err != nil {
			return fmt.Errorf("create report: check code: %w", err)
		}
		if n == 0 {
			code = c
			break
		}
	}
	var lat, lon any
	if r.HasPin {
		lat, lon = r.Lat, r.Lon
	}
	res, err := tx.exec(`INSERT INTO reports(code, category, urgent, kec_code, desa_code, lat, lon, place_note,
		description, children_count, children_age, anonymous, reporter_user_id, status, kla_cluster, kla_indicator,
		created_at, updated_at, child_reporter, reporter_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		code, r.Category, r.Urgent, r.KecCode, r.DesaCode, lat, lon, r.PlaceNote, r.Description, r.ChildrenCount,
		r.ChildrenAge, r.Anonymous, r.ReporterID, StatusNew, r.KLACluster, r.KLAIndicator, FormatTime(now), FormatTime(now),
		r.ChildReporter, r.ReporterName)
	if err != nil {
		return fmt.Errorf("save report: %w", err)
	}
	r.ID, _ = res.LastInsertId()
	r.Code, r.Status = code, StatusNew
	r.CreatedAt, r.UpdatedAt = now.UTC().Truncate(time.Millisecond), now.UTC().Truncate(time.Millisecond)
	return tx.AddReportEvent(ReportEvent{ReportID: r.ID, At: now, ActorID: r.ReporterID, Role: RoleReporter,
		Kind: EventCreated, ToStatus: StatusNew})
}

// ReportByCode finds a report by its code; ErrNotFound if there is none.
func (tx *Tx) ReportByCode(code string) (Report, error) {
	r, err := scanReport(tx.queryRow(`SELECT `+reportColumns+` FROM reports WHERE code = ?`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return Report{}, ErrNotFound
	}
	if err != nil {
		return Report{}, fmt.Errorf("load report: %w", err)
	}
	return r, nil
}

// ReportFilter selects reports for a list. Zero fields do not filter.
type ReportFilter struct {
	Statuses   []string
	OpenOnly   bool
	KecCode    string
	Categories []string
	UrgentOnly bool
	AssignedTo int64
	ReporterID int64
	Limit      int // default 20; negative: all of them
}

// ListReports lists reports, urgent and newest first.
func (tx *Tx) ListReports(f ReportFilter) ([]Report, error) {
	var where []string
	var args []any
	in := func(col string, values []string) {
		where = append(where, col+` IN (?`+strings.Repeat(`, ?`, len(values)-1)+`)`)
		for _, v := range values {
			args = append(args, v)
		}
	}
	if len(f.Statuses) > 0 {
		in("status", f.Statuses)
	}
	if f.OpenOnly {
		where = append(where, `closed_at IS NULL`)
	}
	if f.KecCode != "" {
		where = append(where, `kec_code = ?`)
		args = append(args, f.KecCode)
	}
	if len(f.Categories) > 0 {
		in("category", f.Categories)
	}
	if f.UrgentOnly {
		where = append(where, `urgent = 1`)
	}
	if f.AssignedTo != 0 {
		where = append(where, `assigned_to = ?`)
		args = append(args, f.AssignedTo)
	}
	if f.ReporterID != 0 {
		where = append(where, `reporter_user_id = ?`)
		args = append(args, f.ReporterID)
	}
	if f.Limit == 0 {
		f.Limit = 20
	}
	q := `SELECT ` + reportColumns + ` FROM reports`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY closed_at IS NOT NULL, urgent DESC, id DESC LIMIT ?`
	args = append(args, f.Limit)
	rows, err := tx.query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	return scanAll(rows, "scan report", scanReport)
}

// ChangeReportStatus moves a report to a new status if the actor may do
// so: staff along the lifecycle, a volunteer only to verified and only on
// a report assigned to them. The change is recorded with who, when and the
// note. It returns the report as it was before.
func (tx *Tx) ChangeReportStatus(reportID int64, to string, actorID int64, role, note string, now time.Time) (Report, error) {
	r, err := tx.reportByID(reportID)
	if err != nil {
		return Report{}, err
	}
	if role == RoleVolunteer && r.AssignedTo != actorID {
		return r, ErrNotAllowed
	}
	if !CanChangeStatus(r.Status, to, role) {
		// Something this person could do, only not from this status?
		if role == RoleStaff || role == RoleVolunteer && to == StatusVerified {
			return r, ErrBadTransition
		}
		return r, ErrNotAllowed
	}
	note = strings.TrimSpace(note)
	if (NeedsNote(to) || IsReopening(r.Status, to)) && note == "" {
		return r, ErrNoteRequired
	}
	var closed any
	if IsClosed(to) {
		closed = FormatTime(now)
	}
	if _, err := tx.exec(`UPDATE reports SET status = ?, updated_at = ?, closed_at = ? WHERE id = ?`,
		to, FormatTime(now), closed, r.ID); err != nil {
		return r, fmt.Errorf("change report status: %w", err)
	}
	return r, tx.AddReportEvent(ReportEvent{ReportID: r.ID, At: now, ActorID: actorID, Role: role, Kind: EventStatus,
		FromStatus: r.Status, ToStatus: to, Note: note})
}

// AssignReport gives an open report to a Satgas PA volunteer. Only staff
// assign; the volunteer must have joined through an invite.
func (tx *Tx) AssignReport(reportID, volunteerID, actorID int64, now time.Time) error {
	r, err := tx.reportByID(reportID)
	if err != nil {
		return err
	}
	if IsClosed(r.Status) {
		return ErrClosed
	}
	if _, ok, err := tx.Volunteer(volunteerID); err != nil {
		return err
	} else if !ok {
		return ErrNotAllowed
	}
	if r.AssignedTo != 0 && r.AssignedTo != volunteerID {
		if err := tx.dropQueuedAbout(r.AssignedTo, r.Code); err != nil {
			return err
		}
	}
	if _, err := tx.exec(`UPDATE reports SET assigned_to = ?, updated_at = ? WHERE id = ?`,
		volunteerID, FormatTime(now), r.ID); err != nil {
		return fmt.Errorf("assign report: %w", err)
	}
	return tx.AddReportEvent(ReportEvent{ReportID: r.ID, At: now, ActorID: actorID, Role: RoleStaff, Kind: EventAssign,
		AssigneeID: volunteerID})
}

// ReportSubject is the subject of messages about a report (outbox rows).
func ReportSubject(code string) string { return "report:" + code }

// dropQueuedAbout deletes the messages still waiting to go to a person
// that name a report: someone who no longer handles the case must not get
// its details late (after the channel was down, say).
func (tx *Tx) dropQueuedAbout(userID int64, code string) error {
	if _, err := tx.exec(`DELETE FROM outbox WHERE state = 'pending' AND subject = ?
		AND (channel, address) IN (SELECT channel, address FROM contacts WHERE user_id = ?)`, ReportSubject(code), userID); err != nil {
		return fmt.Errorf("drop queued messages about %s: %w", code, err)
	}
	return nil
}

// AddReportEvent records a note, more information, or anything else that
// happened to a report.
func (tx *Tx) AddReportEvent(e ReportEvent) error {
	var actor, assignee any
	if e.ActorID != 0 {
		actor = e.ActorID
	}
	if e.AssigneeID != 0 {
		assignee = e.AssigneeID
	}
	_, err := tx.exec(`INSERT INTO report_events(report_id, at, actor_user_id, role, kind, from_status, to_status,
		assignee_id, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ReportID, FormatTime(e.At), actor, e.Role, e.Kind, e.FromStatus, e.ToStatus, assignee, e.Note)
	if err != nil {
		return fmt.Errorf("record report event: %w", err)
	}
	if e.Kind != EventCreated {
		if _, err := tx.exec(`UPDATE reports SET updated_at = ? WHERE id = ?`, FormatTime(e.At), e.ReportID); err != nil {
			return fmt.Errorf("touch report: %w", err)
		}
	}
	return nil
}

// ReportEvents lists a report's history, oldest first.
func (tx *Tx) ReportEvents(reportID int64) ([]ReportEvent, error) {
	rows, err := tx.query(`SELECT id, report_id, at, COALESCE(actor_user_id, 0), role, kind, from_status, to_status,
		COALESCE(assignee_id, 0), note FROM report_events WHERE report_id = ? ORDER BY id`, reportID)
	if err != nil {
		return nil, fmt.Errorf("list report events: %w", err)
	}
	return scanAll(rows, "scan report event", func(row rowScanner) (ReportEvent, error) {
		var e ReportEvent
		var at string
		err := row.Scan(&e.ID, &e.ReportID, &at, &e.ActorID, &e.Role, &e.Kind, &e.FromStatus, &e.ToStatus,
			&e.AssigneeID, &e.Note)
		e.At = ParseTime(at)
		return e, err
	})
}

// ReporterIdentity is what staff may know of who reported: the name and
// the contact of a reporter who chose to be named. For an anonymous report
// ok is false and nothing else is returned: this is the one place staff
// views get a reporter's identity from.
func (tx *Tx) ReporterIdentity(r Report) (name string, contact Contact, ok bool, err error) {
	if r.Anonymous {
		return "", Contact{}, false, nil
	}
	u, err := tx.User(r.ReporterID)
	if err != nil {
		return "", Contact{}, false, err
	}
	contacts, err := tx.ContactsOf(r.ReporterID)
	if err != nil {
		return "", Contact{}, false, err
	}
	if len(contacts) > 0 {
		contact = contacts[0]
	}
	if r.ReporterName != "" {
		return r.ReporterName, contact, true, nil
	}
	return u.Name, contact, true, nil
}

func (tx *Tx) reportByID(id int64) (Report, error) {
	r, err := scanReport(tx.queryRow(`SELECT `+reportColumns+` FROM reports WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Report{}, ErrNotFound
	}
	if err != nil {
		return Report{}, fmt.Errorf("load report: %w", err)
	}
	return r, nil
}
