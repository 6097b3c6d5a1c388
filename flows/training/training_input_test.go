package training

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"klabot/flows"
	"klabot/flows/exportdata"
	"klabot/flows/words"
	"klabot/store"
)

func TestParseAge(t *testing.T) {
	cases := map[string]int{
		"17": 17, "17 tahun": 17, "umur saya 35 thn": 35, "tujuh belas": 17, "Tujuh Belas Tahun": 17,
		"sebelas": 11, "sepuluh": 10, "dua puluh lima": 25, "empat puluh": 40, "lima": 5, "1 7": 17,
	}
	for text, want := range cases {
		if got, problem := parseAge(text); got != want || problem != "" {
			t.Errorf("parseAge(%q) = %d %q, want %d", text, got, problem, want)
		}
	}
	bad := map[string]string{
		"200": "training.age_invalid", "0": "training.age_invalid", "15-17": "training.age_invalid",
		"abc": "training.age_not_number", "": "training.age_not_number", "satu belas": "training.age_not_number",
		"tujuh belas lima": "training.age_not_number",
		"-5":               "training.age_negative", "umur -12": "training.age_negative", "−17": "training.age_negative",
	}
	for text, want := range bad {
		if got, problem := parseAge(text); problem != want {
			t.Errorf("parseAge(%q) = %d %q, want %q", text, got, problem, want)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	good := map[string]string{
		"0812-3456-7890": "6281234567890", "+62 812 3456 7890": "6281234567890", "6281234567890": "6281234567890",
		"812.3456.7890": "6281234567890", "(0562) 441234": "62562441234",
	}
	for in, want := range good {
		if got, ok := normalizePhone(in); !ok || got != want {
			t.Errorf("normalizePhone(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "12345", "0812-abc", "62012345678", "0812345678901234", "halo"} {
		if got, ok := normalizePhone(in); ok {
			t.Errorf("normalizePhone(%q) = %q, want rejected", in, got)
		}
	}
	if got := exportdata.DisplayPhone("6281234567890"); got != "081234567890" {
		t.Errorf("exportdata.DisplayPhone = %q", got)
	}
}

func TestParseDateTime(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Pontianak")
	good := []string{"12-06-2026 09:00", "12/6/2026 9.00", "12.06.2026 jam 09.00", "2026-06-12 09:00", "12-06-2026 09:00 WIB", " 12-06-2026   09:00 "}
	for _, in := range good {
		got, problem := parseDateTime(in, loc)
		if problem != "" || got.Format(time.RFC3339) != "2026-06-12T09:00:00+07:00" {
			t.Errorf("parseDateTime(%q) = %v %q", in, got, problem)
		}
	}
	bad := map[string]string{
		"31-02-2026 09:00": "training.date_invalid", "12-13-2026 09:00": "training.date_invalid",
		"12-06-2026 25:00": "training.date_invalid", "besok jam 9": "training.date_format", "12-06-2026": "training.date_format",
	}
	for in, want := range bad {
		if _, problem := parseDateTime(in, loc); problem != want {
			t.Errorf("parseDateTime(%q) problem %q, want %q", in, problem, want)
		}
	}
	start, _ := parseDateTime("12-06-2026 09:00", loc)
	if end, problem := parseEndTime("12.30", start, loc); problem != "" || end.Format(time.RFC3339) != "2026-06-12T12:30:00+07:00" {
		t.Errorf("end time: %v %q", end, problem)
	}
	now := time.Date(2026, 6, 12, 10, 0, 0, 0, loc)
	if _, problem := checkStart("12-06-2026 09:00", now, loc); problem != "training.date_past" {
		t.Errorf("a past start: %q", problem)
	}
	if _, problem := checkEnd("08:00", start, loc); problem != "training.end_before_start" {
		t.Errorf("an end before the start: %q", problem)
	}
	// Staff write dates in words too, as for broadcasts; a day that does
	// not exist is called that, not unreadable.
	for in, want := range map[string]string{
		"14 Juni 2026 jam 9 pagi": "2026-06-14T09:00:00+07:00", "besok 08.00": "2026-06-13T08:00:00+07:00",
		"Senin, 15 Juni 2026 09.00 WIB": "2026-06-15T09:00:00+07:00",
	} {
		if got, problem := checkStart(in, now, loc); problem != "" || got.Format(time.RFC3339) != want {
			t.Errorf("checkStart(%q) = %v %q, want %s", in, got, problem, want)
		}
	}
	if _, problem := checkStart("31 Februari 2027 09:00", now, loc); problem != "training.date_invalid" {
		t.Errorf("31 Februari: %q, want training.date_invalid", problem)
	}
	if _, problem := checkStart("kapan-kapan", now, loc); problem != "training.date_format" {
		t.Errorf("no date at all: %q, want training.date_format", problem)
	}
	later, _ := parseDateTime("14-06-2026 09:00", loc)
	if end, problem := checkEnd("15 Juni 2026 15.00", later, loc); problem != "" || end.Format(time.RFC3339) != "2026-06-15T15:00:00+07:00" {
		t.Errorf("an end in words: %v %q", end, problem)
	}
}

func TestFormatWhen(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Pontianak")
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, loc)
	if got := words.When("id", loc, start, start.Add(3*time.Hour)); got != "Selasa, 1 Desember 2026, 09.00-12.00 WIB" {
		t.Errorf("id: %q", got)
	}
	if got := words.When("en", loc, start.UTC(), start.Add(50*time.Hour)); got != "Tuesday 1 December 2026 09:00 - Thursday 3 December 2026 11:00 WIB" {
		t.Errorf("en: %q", got)
	}
}

func TestAttendanceCodes(t *testing.T) {
	random := rand.NewChaCha8([32]byte{1})
	seen := map[string]bool{}
	for range 1000 {
		code, err := newAttendanceCode(random)
		if err != nil {
			t.Fatal(err)
		}
		if len(code) != 6 || strings.Trim(code, attendanceAlphabet) != "" || !strings.ContainsAny(code, "23456789") {
			t.Fatalf("code %q", code)
		}
		seen[code] = true
	}
	if len(seen) < 999 {
		t.Errorf("only %d different codes in 1000", len(seen))
	}
	if _, err := newAttendanceCode(bytes.NewReader(nil)); err == nil {
		t.Error("an empty random source should fail")
	}
	for in, want := range map[string]string{"7kq3mx": "7KQ3MX", " 7KQ-3MX ": "7KQ3MX", "7kq 3mx": "7KQ3MX"} {
		if got, ok := normalizeAttendanceCode(in); !ok || got != want {
			t.Errorf("normalize %q = %q %v", in, got, ok)
		}
	}
	for _, in := range []string{"halo", "7KQ3M", "7KQ3MXX", "menu!!", "daftar"} {
		if _, ok := normalizeAttendanceCode(in); ok {
			t.Errorf("%q read as a code", in)
		}
	}
}

func TestShortLabel(t *testing.T) {
	for in, want := range map[string]string{
		"Usaha Kue":                        "Usaha Kue",
		"Usaha Kue Rumahan untuk Keluarga": "Usaha Kue Rumahan…",
		"Pelatihanwirausahaterpadu2026":    "Pelatihanwirausahat…",
	} {
		if got := flows.ShortLabel(in); got != want || len([]rune(got)) > 20 {
			t.Errorf("ShortLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

// Two sessions whose shortened titles read the same get their day, then
// their hour, so the keys can be told apart.
func TestTrainingLabelsDistinct(t *testing.T) {
	loc := time.FixedZone("WIB", 7*3600)
	at := func(d, h int) time.Time { return time.Date(2026, 12, d, h, 0, 0, 0, loc) }
	ts := []store.Training{
		{Title: "Pertemuan Forum Anak Kecamatan Ledo", StartsAt: at(3, 9)},
		{Title: "Pertemuan Forum Anak Kecamatan Seluas", StartsAt: at(10, 9)},
		{Title: "Pertemuan Forum Anak Kecamatan Seluas", StartsAt: at(10, 14)},
		{Title: "Usaha Kue", StartsAt: at(4, 9)},
	}
	got := trainingLabels(loc, ts)
	want := []string{"Pertemuan… 03/12", "Pertemu… 10/12 09.00", "Pertemu… 10/12 14.00", "Usaha Kue"}
	for i := range want {
		if got[i] != want[i] || len([]rune(got[i])) > 20 {
			t.Errorf("label %d = %q, want %q (20 characters at most)", i, got[i], want[i])
		}
	}
}

// A time alone at "Kapan selesai?" is on the start day: "jam 8" after a
// 09.00 start is before it, not 08.00 the next morning.
func TestEndTimeAloneIsOnStartDay(t *testing.T) {
	loc := time.FixedZone("WIB", 7*3600)
	start := time.Date(2026, 6, 14, 9, 0, 0, 0, loc)
	for in, want := range map[string]string{
		"jam 4 sore": "2026-06-14T16:00:00+07:00", "pukul 16.00": "2026-06-14T16:00:00+07:00",
		"16:00": "2026-06-14T16:00:00+07:00", "jam 12 siang": "2026-06-14T12:00:00+07:00",
		"16.00 WIB": "2026-06-14T16:00:00+07:00", "besok jam 8": "2026-06-15T08:00:00+07:00",
	} {
		if end, problem := checkEnd(in, start, loc); problem != "" || end.Format(time.RFC3339) != want {
			t.Errorf("checkEnd(%q) = %v %q, want %s", in, end, problem, want)
		}
	}
	for _, in := range []string{"jam 8", "jam 8 pagi", "pukul 08.00"} {
		if _, problem := checkEnd(in, start, loc); problem != "training.end_before_start" {
			t.Errorf("checkEnd(%q) problem %q, want training.end_before_start", in, problem)
		}
	}
}
