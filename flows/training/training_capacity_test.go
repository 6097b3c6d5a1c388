package training

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseCapacity(t *testing.T) {
	good := map[string]int{
		"25": 25, "25 orang": 25, "25 peserta": 25, "Kursi 40": 40, "1.000": 1000, "1,000": 1000, " 7 ": 7,
		"satu": 1, "dua puluh lima orang": 25, "lima belas": 15,
	}
	for text, want := range good {
		if got, problem := parseCapacity(text); got != want || problem != "" {
			t.Errorf("parseCapacity(%q) = %d %q, want %d", text, got, problem, want)
		}
	}
	// A negative number, or a range of numbers, is not a number of seats:
	// "5-10" must not become 510.
	bad := map[string]string{
		"-5": "training.capacity_range", "- 5": "training.capacity_range", "0": "training.capacity_range",
		"5-10": "training.capacity_not_number", "20 30": "training.capacity_not_number",
		"20-25 orang": "training.capacity_not_number", "1001": "training.capacity_range",
		"banyak": "training.capacity_not_number", "": "training.capacity_not_number",
	}
	for text, want := range bad {
		if got, problem := parseCapacity(text); problem != want {
			t.Errorf("parseCapacity(%q) = %d %q, want problem %q", text, got, problem, want)
		}
	}
}

// A bad cell is named as the file's header names it ("mulai", "kuota"),
// and a negative or ranged number of seats is a bad cell, not 5 or 510.
func TestParseTrainingsCSVNamesColumnsAsWritten(t *testing.T) {
	loc := time.FixedZone("WIB", 7*3600)
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, loc)
	file := "program;judul;kecamatan;tempat;mulai;selesai;kuota\n" +
		"wikapa;Menjahit;Ledo;Balai;01-01-2020 09:00;12:00;20\n" +
		"wikapa;Kue;Ledo;Balai;12-12-2026 09:00;12:00;-5\n" +
		"wikapa;Servis HP;Ledo;Balai;12-12-2026 09:00;12:00;5-10\n"
	_, err := ParseCSV(strings.NewReader(file), loc, now, "id")
	var bad *ImportError
	if !errors.As(err, &bad) {
		t.Fatalf("error %v, want an ImportError", err)
	}
	var got []string
	for _, p := range bad.Problems {
		got = append(got, fmt.Sprintf("%d %s", p.Line, p.Column))
	}
	if want := "2 mulai|3 kuota|4 kuota"; strings.Join(got, "|") != want {
		t.Errorf("problems at %q, want %q\n%s", got, want, err)
	}
}
