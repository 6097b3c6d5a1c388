package exportdata

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"klabot/flows/wilayah"
	"klabot/store"
)

// The monthly KLA recap: what evaluators ask for, per kecamatan and desa,
// per category and KLA cluster/indicator, with every number traceable to
// the rows behind it (the Rincian sheet lists them by code).

// ProgramForumAnak is the training programme whose sessions are Forum
// Anak meetings; attending one makes a member active in the month.
const ProgramForumAnak = "forum_anak"

// Measures: what each row of the Rincian sheet counts towards.
const (
	MeasureReceived      = "laporan_diterima"
	MeasureVerified      = "laporan_diverifikasi"
	MeasureReferred      = "laporan_dirujuk"
	MeasureClosed        = "laporan_ditutup"
	MeasureHeld          = "pelatihan_terlaksana"
	MeasureRegistered    = "pelatihan_pendaftar"
	MeasureAttended      = "pelatihan_hadir"
	MeasureSatgasJoined  = "satgas_terdaftar"
	MeasureSatgasActive  = "satgas_aktif"
	MeasureForumAnakSeen = "forum_anak_aktif"
)

// Counts are the report numbers of one line of the recap.
type Counts struct {
	Received, Verified, Referred, Closed, Done int
	// closeDays are the days each closed report took, for the median.
	closeDays []float64
}

// MedianDays is the median number of days from report to closing of the
// reports closed in the month; ok is false when none were closed.
func (c Counts) MedianDays() (float64, bool) { return median(c.closeDays) }

func (c *Counts) add(f store.ReportFact) {
	switch f.Kind {
	case store.FactReceived:
		c.Received++
	case store.FactVerified:
		c.Verified++
	case store.FactReferred:
		c.Referred++
	case store.FactClosed:
		c.Closed++
		if f.Status == store.StatusDone {
			c.Done++
		}
		c.closeDays = append(c.closeDays, DaysBetween(f.CreatedAt, f.At))
	}
}

// ReportLine is the report numbers of one kecamatan, desa and category.
type ReportLine struct {
	KecCode, DesaCode, Category, Cluster, Indicator string
	Counts
}

// ClusterLine is the report numbers of one KLA cluster and indicator.
type ClusterLine struct {
	Cluster, Indicator string
	Counts
}

// TrainingLine is one programme's trainings in one kecamatan.
type TrainingLine struct {
	Program, KecCode           string
	Held, Registered, Attended int
}

// MemberLine is one kecamatan's Satgas PA and Forum Anak members.
type MemberLine struct {
	KecCode                                     string
	SatgasJoined, SatgasActive, ForumAnakActive int
}

// DetailRow is one row behind the numbers: a report, a training, a seat
// or a member, and what it counts towards.
type DetailRow struct {
	Measure   string
	Code      string // report code, "pelatihan-12", "pendaftaran-345", "relawan-7", "anggota-9"
	At        time.Time
	KecCode   string
	DesaCode  string
	Subject   string // category of a report, programme of a training
	Cluster   string
	Indicator string
	Value     any // days to close, for closed reports
}

// Recap is one month's numbers and the rows behind them.
type Recap struct {
	From, To  time.Time // the month, [From, To), in Loc
	Generated time.Time
	Loc       *time.Location

	Reports    []ReportLine
	Clusters   []ClusterLine
	Total      Counts
	ByCategory map[string]int // reports received, for the chart
	ByKec      map[string]int

	Trainings       []TrainingLine
	TrainingsTotal  TrainingLine
	Members         []MemberLine
	MembersTotal    MemberLine
	ForumAnakPeople int // people who told the bot they are Forum Anak members

	Detail []DetailRow
}

// MonthOf is the month that contains t, in loc.
func MonthOf(t time.Time, loc *time.Location) (from, to time.Time) {
	t = t.In(loc)
	from = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
	return from, from.AddDate(0, 1, 0)
}

// BuildRecap computes the recap of the month [from, to) as of now (a
// training counts as held once it has ended).
func BuildRecap(tx *store.Tx, from, to, now time.Time, loc *time.Location) (Recap, error) {
	rc := Recap{From: from, To: to, Generated: now, Loc: loc, ByCategory: map[string]int{}, ByKec: map[string]int{}}

	facts, err := tx.ReportFacts(from, to)
	if err != nil {
		return Recap{}, err
	}
	lines := map[[5]string]*ReportLine{}
	clusters := map[[2]string]*ClusterLine{}
	for _, f := range facts {
		key := [5]string{f.KecCode, f.DesaCode, f.Category, f.Cluster, f.Indicator}
		l := lines[key]
		if l == nil {
			l = &ReportLine{KecCode: f.KecCode, DesaCode: f.DesaCode, Category: f.Category, Cluster: f.Cluster, Indicator: f.Indicator}
			lines[key] = l
		}
		l.add(f)
		ck := [2]string{f.Cluster, f.Indicator}
		c := clusters[ck]
		if c == nil {
			c = &ClusterLine{Cluster: f.Cluster, Indicator: f.Indicator}
			clusters[ck] = c
		}
		c.add(f)
		rc.Total.add(f)
		if f.Kind == store.FactReceived {
			rc.ByCategory[f.Category]++
			rc.ByKec[kecOf(f.KecCode, f.DesaCode)]++
		}
		d := DetailRow{Code: f.Code, At: f.At, KecCode: f.KecCode, DesaCode: f.DesaCode, Subject: f.Category,
			Cluster: f.Cluster, Indicator: f.Indicator}
		switch f.Kind {
		case store.FactReceived:
			d.Measure = MeasureReceived
		case store.FactVerified:
			d.Measure = MeasureVerified
		case store.FactReferred:
			d.Measure = MeasureReferred
		case store.FactClosed:
			d.Measure, d.Value = MeasureClosed, DaysBetween(f.CreatedAt, f.At)
		}
		rc.Detail = append(rc.Detail, d)
	}
	for _, l := range lines {
		rc.Reports = append(rc.Reports, *l)
	}
	sort.Slice(rc.Reports, func(i, j int) bool {
		a, b := rc.Reports[i], rc.Reports[j]
		if ka, kb := KecName(kecOf(a.KecCode, a.DesaCode)), KecName(kecOf(b.KecCode, b.DesaCode)); ka != kb {
			return ka < kb
		}
		if da, db := desaName(a.DesaCode), desaName(b.DesaCode); da != db {
			return da < db
		}
		return a.Category < b.Category
	})
	for _, c := range clusters {
		rc.Clusters = append(rc.Clusters, *c)
	}
	sort.Slice(rc.Clusters, func(i, j int) bool {
		a, b := rc.Clusters[i], rc.Clusters[j]
		if a.Cluster != b.Cluster {
			return clusterOrder(a.Cluster) < clusterOrder(b.Cluster)
		}
		ai, _ := strconv.Atoi(a.Indicator)
		bi, _ := strconv.Atoi(b.Indicator)
		return ai < bi
	})

	if err := rc.addTrainings(tx, from, to, now); err != nil {
		return Recap{}, err
	}
	if err := rc.addMembers(tx, from, to); err != nil {
		return Recap{}, err
	}
	return rc, nil
}

func (rc *Recap) addTrainings(tx *store.Tx, from, to, now time.Time) error {
	held, err := tx.HeldTrainings(from, to, now)
	if err != nil {
		return err
	}
	seats, err := tx.HeldTrainingSeats(from, to, now)
	if err != nil {
		return err
	}
	lines := map[[2]string]*TrainingLine{}
	line := func(program, kec string) *TrainingLine {
		k := [2]string{program, kec}
		if lines[k] == nil {
			lines[k] = &TrainingLine{Program: program, KecCode: kec}
		}
		return lines[k]
	}
	for _, t := range held {
		line(t.Program, t.KecCode).Held++
		rc.TrainingsTotal.Held++
		rc.Detail = append(rc.Detail, DetailRow{Measure: MeasureHeld, Code: "pelatihan-" + strconv.FormatInt(t.ID, 10),
			At: t.StartsAt, KecCode: t.KecCode, Subject: t.Program})
	}
	for _, s := range seats {
		l := line(s.Program, s.KecCode)
		l.Registered++
		rc.TrainingsTotal.Registered++
		code := "pendaftaran-" + strconv.FormatInt(s.RegistrationID, 10)
		rc.Detail = append(rc.Detail, DetailRow{Measure: MeasureRegistered, Code: code, KecCode: s.KecCode,
			DesaCode: s.DesaCode, Subject: s.Program, Value: "pelatihan-" + strconv.FormatInt(s.TrainingID, 10)})
		if !s.AttendedAt.IsZero() {
			l.Attended++
			rc.TrainingsTotal.Attended++
			rc.Detail = append(rc.Detail, DetailRow{Measure: MeasureAttended, Code: code, At: s.AttendedAt,
				KecCode: s.KecCode, DesaCode: s.DesaCode, Subject: s.Program,
				Value: "pelatihan-" + strconv.FormatInt(s.TrainingID, 10)})
		}
	}
	for _, l := range lines {
		rc.Trainings = append(rc.Trainings, *l)
	}
	sort.Slice(rc.Trainings, func(i, j int) bool {
		a, b := rc.Trainings[i], rc.Trainings[j]
		if a.Program != b.Program {
			return a.Program < b.Program
		}
		return KecName(a.KecCode) < KecName(b.KecCode)
	})
	return nil
}

func (rc *Recap) addMembers(tx *store.Tx, from, to time.Time) error {
	vols, err := tx.VolunteerFacts(from, to)
	if err != nil {
		return err
	}
	forum, err := tx.ProgramAttendees(ProgramForumAnak, from, to)
	if err != nil {
		return err
	}
	if rc.ForumAnakPeople, err = tx.CountRole("forum_anak", to); err != nil {
		return err
	}
	lines := map[string]*MemberLine{}
	line := func(kec string) *MemberLine {
		if lines[kec] == nil {
			lines[kec] = &MemberLine{KecCode: kec}
		}
		return lines[kec]
	}
	for _, v := range vols {
		code := "relawan-" + strconv.FormatInt(v.UserID, 10)
		line(v.KecCode).SatgasJoined++
		rc.MembersTotal.SatgasJoined++
		rc.Detail = append(rc.Detail, DetailRow{Measure: MeasureSatgasJoined, Code: code, At: v.Since, KecCode: v.KecCode})
		if v.Active() {
			line(v.KecCode).SatgasActive++
			rc.MembersTotal.SatgasActive++
			rc.Detail = append(rc.Detail, DetailRow{Measure: MeasureSatgasActive, Code: code, KecCode: v.KecCode,
				Value: fmt.Sprintf("%d catatan laporan, %d pelatihan", v.Actions, v.Attended)})
		}
	}
	for _, m := range forum {
		kec := kecOf(m.KecCode, m.DesaCode)
		if d, ok := wilayah.DesaByCode(m.DesaCode); ok {
			kec = d.KecCode // where the child lives, rather than where the meeting was
		}
		line(kec).ForumAnakActive++
		rc.MembersTotal.ForumAnakActive++
		rc.Detail = append(rc.Detail, DetailRow{Measure: MeasureForumAnakSeen, Code: "anggota-" + strconv.FormatInt(m.UserID, 10),
			At: m.AttendedAt, KecCode: kec, DesaCode: m.DesaCode, Subject: ProgramForumAnak,
			Value: "pendaftaran-" + strconv.FormatInt(m.RegistrationID, 10)})
	}
	for _, l := range lines {
		rc.Members = append(rc.Members, *l)
	}
	sort.Slice(rc.Members, func(i, j int) bool { return KecName(rc.Members[i].KecCode) < KecName(rc.Members[j].KecCode) })
	return nil
}

// kecOf is a report's kecamatan: its own, or its village's.
func kecOf(kecCode, desaCode string) string {
	if kecCode != "" {
		return kecCode
	}
	if d, ok := wilayah.DesaByCode(desaCode); ok {
		return d.KecCode
	}
	return ""
}

// Unknown is how a missing place reads in the recap.
const Unknown = "(tidak diketahui)"

// KecName is a kecamatan's name by code, or Unknown.
func KecName(code string) string {
	if k, ok := wilayah.KecamatanByCode(code); ok {
		return k.Name
	}
	if code == "" {
		return Unknown
	}
	return code
}

func desaName(code string) string {
	if d, ok := wilayah.DesaByCode(code); ok {
		return d.Name
	}
	if code == "" {
		return Unknown
	}
	return code
}

// clusterOrder sorts Kelembagaan and the clusters I to V, then "no cluster".
func clusterOrder(c string) int {
	if i := slices.Index([]string{"", "I", "II", "III", "IV", "V"}, c); i > 0 {
		return i
	}
	if c == "" {
		return 99
	}
	return 50
}

// median of days, to one decimal; ok is false for none.
func median(xs []float64) (float64, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return float64(int64(m*10+0.5)) / 10, true
}

// ChartText are the chart's words, in the staff member's language.
type ChartText struct {
	Title      string // e.g. "Laporan masuk November 2026"
	ByCategory string
	ByKec      string
	None       string // shown as the only bar when there is nothing to draw
}

// RecapText are the recap workbook's words that are not column names:
// given by the caller in the staff member's language.
type RecapText struct {
	Title        string // e.g. "Rekap KLA Kabupaten Bengkayang, November 2026"
	Generated    string // e.g. "Dibuat 2026-12-01 08:00 WIB"
	Reports      string // section titles
	Clusters     string
	Trainings    string
	Members      string
	Total        string
	ForumAnak    string // with %d: people who said they are Forum Anak members
	NoCluster    string // a category that counts towards no cluster
	Definitions  []string
	SheetRecap   string
	SheetDetail  string
	SheetDefined string
	// Column names a summary column in words ("klaster_kla": "Klaster
	// KLA"); nil leaves the names as they are.
	Column func(name string) string
}

// Tables are the recap's sheets.
func (rc Recap) Tables(l Labels, text RecapText) []Table {
	sum := Table{Sheet: text.SheetRecap}
	row := func(bold bool, cells ...any) {
		if bold {
			sum.Bold = append(sum.Bold, len(sum.Rows))
		}
		sum.Rows = append(sum.Rows, cells)
	}
	cluster := func(c string) string {
		if c == "" {
			return text.NoCluster
		}
		return c
	}
	header := func(names ...string) {
		cells := make([]any, len(names))
		for i, n := range names {
			if text.Column != nil {
				cells[i] = text.Column(n)
			} else {
				cells[i] = n
			}
		}
		row(true, cells...)
	}
	med := func(c Counts) any {
		if m, ok := c.MedianDays(); ok {
			return m
		}
		return nil
	}
	row(true, text.Title)
	row(false, text.Generated)
	row(false)
	row(true, text.Reports)
	header("kecamatan", "desa", "kategori", "klaster_kla", "indikator_kla", "diterima", "diverifikasi", "dirujuk",
		"ditutup", "selesai", "median_hari_ditutup")
	for _, r := range rc.Reports {
		row(false, KecName(kecOf(r.KecCode, r.DesaCode)), desaName(r.DesaCode), Label(l.Category, r.Category),
			cluster(r.Cluster), r.Indicator, r.Received, r.Verified, r.Referred, r.Closed, r.Done, med(r.Counts))
	}
	row(true, text.Total, "", "", "", "", rc.Total.Received, rc.Total.Verified, rc.Total.Referred, rc.Total.Closed,
		rc.Total.Done, med(rc.Total))
	row(false)
	row(true, text.Clusters)
	header("klaster_kla", "indikator_kla", "diterima", "diverifikasi", "dirujuk", "ditutup", "selesai", "median_hari_ditutup")
	for _, c := range rc.Clusters {
		row(false, cluster(c.Cluster), c.Indicator, c.Received, c.Verified, c.Referred, c.Closed, c.Done, med(c.Counts))
	}
	row(false)
	row(true, text.Trainings)
	header("program", "kecamatan", "sesi_terlaksana", "pendaftar", "hadir")
	for _, t := range rc.Trainings {
		row(false, Label(l.Program, t.Program), KecName(t.KecCode), t.Held, t.Registered, t.Attended)
	}
	row(true, text.Total, "", rc.TrainingsTotal.Held, rc.TrainingsTotal.Registered, rc.TrainingsTotal.Attended)
	row(false)
	row(true, text.Members)
	header("kecamatan", "satgas_terdaftar", "satgas_aktif", "forum_anak_aktif")
	for _, m := range rc.Members {
		row(false, KecName(m.KecCode), m.SatgasJoined, m.SatgasActive, m.ForumAnakActive)
	}
	row(true, text.Total, rc.MembersTotal.SatgasJoined, rc.MembersTotal.SatgasActive, rc.MembersTotal.ForumAnakActive)
	row(false, fmt.Sprintf(text.ForumAnak, rc.ForumAnakPeople))

	detail := Table{Sheet: text.SheetDetail, Header: RecapDetailHeader}
	for _, d := range rc.Detail {
		subject := d.Subject
		if strings.HasPrefix(d.Measure, "laporan_") {
			subject = Label(l.Category, subject)
		} else if subject != "" {
			subject = Label(l.Program, subject)
		}
		kec := kecOf(d.KecCode, d.DesaCode)
		desa := ""
		if d.DesaCode != "" {
			desa = desaName(d.DesaCode)
		}
		detail.Rows = append(detail.Rows, []any{d.Measure, d.Code, Stamp(d.At, rc.Loc), KecName(kec), desa, subject,
			d.Cluster, d.Indicator, d.Value})
	}
	defs := Table{Sheet: text.SheetDefined}
	for _, line := range text.Definitions {
		defs.Rows = append(defs.Rows, []any{line})
	}
	return []Table{sum, detail, defs}
}

// RecapDetailHeader are the columns of the Rincian sheet.
var RecapDetailHeader = []string{"ukuran", "kode", "tanggal", "kecamatan", "desa", "kategori_atau_program", "klaster_kla",
	"indikator_kla", "nilai"}
