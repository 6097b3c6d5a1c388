package all_test

import (
	"errors"
	"testing"
	"time"

	"klabot/flows/recap"
)

// Months the way staff type them, on 24 November 2026 (WIB). A month
// without a year is the latest one that has begun.
func TestParseMonth(t *testing.T) {
	wib, _ := time.LoadLocation("Asia/Pontianak")
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, wib)
	good := map[string]string{
		"2026-11": "2026-11", "november": "2026-11", "nov 2026": "2026-11", "11/2026": "2026-11",
		"November 2026": "2026-11", "NOV": "2026-11", "bulan november": "2026-11", "nopember 2026": "2026-11",
		"bulan ini": "2026-11", "Bulan Lalu": "2026-10", "bulan kemarin": "2026-10", "this month": "2026-11",
		"last month": "2026-10", "agustus": "2026-08", "agu": "2026-08", "mei": "2026-05", "May 2025": "2025-05",
		"desember": "2025-12", "januari": "2026-01", "okt, 2025": "2025-10", "1/2026": "2026-01", "01/2026": "2026-01",
		"10-2026": "2026-10", " 2026-10 ": "2026-10",
	}
	for text, want := range good {
		from, to, err := recap.ParseMonth(text, now, wib)
		if err != nil || from.Format("2006-01") != want || !to.Equal(from.AddDate(0, 1, 0)) || from.Location() != wib ||
			from.Day() != 1 || from.Hour() != 0 {
			t.Errorf("%q = %v..%v, %v; want %s", text, from, to, err, want)
		}
	}
	for _, text := range []string{"desember 2026", "12/2026", "2027-01", "januari 2027", "bulan depan"} {
		if _, _, err := recap.ParseMonth(text, now, wib); !errors.Is(err, recap.ErrMonthFuture) {
			t.Errorf("%q: %v, want a month still to come", text, err)
		}
	}
	for _, text := range []string{"", "13/2026", "13-2026", "2026-13", "0/2026", "novembre", "nov 26", "2026",
		"besok", "november 2026 lagi", "bulan", "11/2026/1"} {
		if _, _, err := recap.ParseMonth(text, now, wib); !errors.Is(err, recap.ErrMonth) {
			t.Errorf("%q: %v, want not a month", text, err)
		}
	}
	// Last month in January is December of the year before.
	jan := time.Date(2027, 1, 3, 9, 0, 0, 0, wib)
	if from, _, err := recap.ParseMonth("bulan lalu", jan, wib); err != nil || from.Format("2006-01") != "2026-12" {
		t.Errorf("bulan lalu in January = %v, %v", from, err)
	}
}
