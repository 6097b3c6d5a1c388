package export_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"klabot/bot/export"
	"klabot/flows/exportdata"
	"klabot/store"
	. "klabot/store/exporttest"
)

func novemberRecap(t *testing.T, db *store.DB, s Seeded) exportdata.Recap {
	t.Helper()
	from, to := exportdata.MonthOf(At(time.November, 15, 12, 0), WIB)
	var rc exportdata.Recap
	err := db.View(context.Background(), func(tx *store.Tx) error {
		var err error
		rc, err = exportdata.BuildRecap(tx, from, to, s.Now, WIB)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

// counts renders a line's numbers as "received verified referred closed done median".
func counts(c exportdata.Counts) string {
	m, ok := c.MedianDays()
	median := "-"
	if ok {
		median = fmt.Sprint(m)
	}
	return fmt.Sprintf("%d %d %d %d %d %s", c.Received, c.Verified, c.Referred, c.Closed, c.Done, median)
}

// The numbers of November 2026 on the seeded month, worked out by hand
// (exporttest/seed.go says what happened to each report):
//
//	received: R1, R2, R3, R5 = 4 (R4 was made in October; R6 on 1 December WIB,
//	          although still 30 November in UTC)
//	verified: R1 (5 Nov, by volunteer V1), R2 (14 Nov) = 2 (R4 in October)
//	referred: R1 (6 Nov), R4 (2 Nov) = 2
//	closed:   R1 done after 7.0 days, R3 rejected after 1.5, R4 done after 10.0
//	          = 3, of which done 2; median of 1.5, 7.0, 10.0 = 7.0
//	trainings held: T1, T6 (Forum Anak, Bengkayang), T2 (WIKAPA, Sanggau Ledo) = 3;
//	          T3 was cancelled, T4 is in December
//	seats: T1 A, B, C (D cancelled), T6 A, T2 V2 (F waits) = 5; came: T1 A, B, T6 A, T2 V2 = 4
//	Satgas PA: V1, V3 (Bengkayang), V2 (Sanggau Ledo) joined by 30 Nov = 3
//	          (V4 joined 1 Dec); active: V1 (verified R1), V2 (came to T2) = 2
//	Forum Anak active: A (Tirta Kencana, Bengkayang, came twice: once),
//	          B (Lembang, Sanggau Ledo) = 2; said they are members: A, B, C, D = 4
func TestRecapNumbersOfSeededMonth(t *testing.T) {
	db, s := OpenSeeded(t)
	rc := novemberRecap(t, db, s)

	if got, want := counts(rc.Total), "4 2 2 3 2 7"; got != want {
		t.Errorf("total = %s, want %s", got, want)
	}
	var lines []string
	for _, l := range rc.Reports {
		lines = append(lines, fmt.Sprintf("%s/%s/%s %s/%s: %s", l.KecCode, l.DesaCode, l.Category, l.Cluster, l.Indicator, counts(l.Counts)))
	}
	want := []string{
		KecBengkayang + "/" + DesaTirta + "/bpta_sawit V/21: 2 2 1 1 1 7",
		KecBengkayang + "/" + DesaTirta + "/kekerasan V/20: 0 0 1 1 1 10",
		KecSanggauLedo + "//bpta_tambang V/21: 1 0 0 0 0 -",
		KecSanggauLedo + "/" + DesaLembang + "/perkawinan_anak II/7: 1 0 0 1 0 1.5",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("report lines:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	var clusters []string
	for _, c := range rc.Clusters {
		clusters = append(clusters, c.Cluster+"/"+c.Indicator+": "+counts(c.Counts))
	}
	if got, want := strings.Join(clusters, "; "), "II/7: 1 0 0 1 0 1.5; V/20: 0 0 1 1 1 10; V/21: 3 2 1 1 1 7"; got != want {
		t.Errorf("clusters = %s\nwant      %s", got, want)
	}
	var trainings []string
	for _, tl := range rc.Trainings {
		trainings = append(trainings, fmt.Sprintf("%s/%s %d %d %d", tl.Program, tl.KecCode, tl.Held, tl.Registered, tl.Attended))
	}
	if got, want := strings.Join(trainings, "; "), "forum_anak/"+KecBengkayang+" 2 4 3; wikapa/"+KecSanggauLedo+" 1 1 1"; got != want {
		t.Errorf("trainings = %s, want %s", got, want)
	}
	if tt := rc.TrainingsTotal; tt.Held != 3 || tt.Registered != 5 || tt.Attended != 4 {
		t.Errorf("training totals = %+v, want 3 held, 5 registered, 4 attended", tt)
	}
	var members []string
	for _, m := range rc.Members {
		members = append(members, fmt.Sprintf("%s %d %d %d", m.KecCode, m.SatgasJoined, m.SatgasActive, m.ForumAnakActive))
	}
	if got, want := strings.Join(members, "; "), KecBengkayang+" 2 1 1; "+KecSanggauLedo+" 1 1 1"; got != want {
		t.Errorf("members = %s, want %s", got, want)
	}
	if mt := rc.MembersTotal; mt.SatgasJoined != 3 || mt.SatgasActive != 2 || mt.ForumAnakActive != 2 || rc.ForumAnakPeople != 4 {
		t.Errorf("member totals = %+v, declared %d; want 3 joined, 2 active, 2 Forum Anak active, 4 declared", mt, rc.ForumAnakPeople)
	}
	if rc.ByKec[KecBengkayang] != 2 || rc.ByKec[KecSanggauLedo] != 2 || len(rc.ByKec) != 2 ||
		rc.ByCategory["bpta_sawit"] != 2 || rc.ByCategory["perkawinan_anak"] != 1 || rc.ByCategory["bpta_tambang"] != 1 {
		t.Errorf("chart data: by kecamatan %v, by category %v", rc.ByKec, rc.ByCategory)
	}
}

// Every number of the recap is the count of the Rincian rows behind it,
// and those rows name the reports by code.
func TestRecapNumbersTraceToDetailRows(t *testing.T) {
	db, s := OpenSeeded(t)
	rc := novemberRecap(t, db, s)
	count := func(measure string, match func(exportdata.DetailRow) bool) int {
		n := 0
		for _, d := range rc.Detail {
			if d.Measure == measure && match(d) {
				n++
			}
		}
		return n
	}
	for _, l := range rc.Reports {
		same := func(d exportdata.DetailRow) bool {
			return d.KecCode == l.KecCode && d.DesaCode == l.DesaCode && d.Subject == l.Category
		}
		for measure, n := range map[string]int{exportdata.MeasureReceived: l.Received, exportdata.MeasureVerified: l.Verified,
			exportdata.MeasureReferred: l.Referred, exportdata.MeasureClosed: l.Closed} {
			if got := count(measure, same); got != n {
				t.Errorf("%s %s/%s: %d detail rows, recap says %d", measure, l.DesaCode, l.Category, got, n)
			}
		}
	}
	all := func(exportdata.DetailRow) bool { return true }
	for measure, n := range map[string]int{exportdata.MeasureHeld: rc.TrainingsTotal.Held, exportdata.MeasureRegistered: rc.TrainingsTotal.Registered,
		exportdata.MeasureAttended: rc.TrainingsTotal.Attended, exportdata.MeasureSatgasJoined: rc.MembersTotal.SatgasJoined,
		exportdata.MeasureSatgasActive: rc.MembersTotal.SatgasActive, exportdata.MeasureForumAnakSeen: rc.MembersTotal.ForumAnakActive} {
		if got := count(measure, all); got != n {
			t.Errorf("%s: %d detail rows, recap says %d", measure, got, n)
		}
	}
	received := map[string]bool{}
	for _, d := range rc.Detail {
		if d.Measure == exportdata.MeasureReceived {
			received[d.Code] = true
		}
	}
	for name, want := range map[string]bool{"R1": true, "R2": true, "R3": true, "R5": true, "R4": false, "R6": false} {
		if received[s.Reports[name].Code] != want {
			t.Errorf("%s (%s) among the received: %v, want %v", name, s.Reports[name].Code, received[s.Reports[name].Code], want)
		}
	}
}

// The workbook has the numbers, the rows behind them by code and the
// definitions, as three sheets.
func TestRecapWorkbook(t *testing.T) {
	db, s := OpenSeeded(t)
	rc := novemberRecap(t, db, s)
	var buf bytes.Buffer
	text := exportdata.RecapText{Title: "Rekap KLA November 2026", SheetRecap: "Rekap", SheetDetail: "Rincian",
		SheetDefined: "Keterangan", Total: "Jumlah", ForumAnak: "Forum Anak: %d", Definitions: []string{"arti"}}
	if err := export.Workbook(&buf, rc, exportdata.Labels{}, text); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "Rekap,Rincian,Keterangan" {
		t.Fatalf("sheets %s", got)
	}
	rows, _ := f.GetRows("Rekap")
	var total []string
	for _, r := range rows {
		if len(r) > 0 && r[0] == "Jumlah" && len(r) >= 11 {
			total = r
			break
		}
	}
	if strings.Join(total[5:], " ") != "4 2 2 3 2 7" {
		t.Errorf("report totals row %q", total)
	}
	detail, _ := f.GetRows("Rincian")
	if strings.Join(detail[0], ",") != strings.Join(exportdata.RecapDetailHeader, ",") || len(detail)-1 != len(rc.Detail) {
		t.Errorf("Rincian has %d rows (header %v), want %d", len(detail)-1, detail[0], len(rc.Detail))
	}
	found := false
	for _, r := range detail {
		if len(r) > 1 && r[0] == exportdata.MeasureClosed && r[1] == s.Reports["R3"].Code {
			found = r[len(r)-1] == "1.5"
		}
	}
	if !found {
		t.Error("Rincian does not list R3 as closed after 1.5 days")
	}
}

func TestRecapChartIsAPNGOfTheExpectedSize(t *testing.T) {
	db, s := OpenSeeded(t)
	for _, rc := range []exportdata.Recap{novemberRecap(t, db, s), {}} { // with reports, and an empty month
		var buf bytes.Buffer
		if err := export.Chart(&buf, rc, exportdata.Labels{}, exportdata.ChartText{Title: "Laporan", ByCategory: "kategori", ByKec: "kecamatan",
			None: "belum ada"}); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatalf("chart is not a PNG: %v", err)
		}
		if b := img.Bounds(); b.Dx() != export.ChartWidth || b.Dy() != export.ChartHeight {
			t.Errorf("chart is %dx%d, want %dx%d", b.Dx(), b.Dy(), export.ChartWidth, export.ChartHeight)
		}
	}
}
