package main

import (
	"os"
	"testing"
	"time"
)

// TestMain keeps the end-to-end tests out of the night. klabot holds
// questions to reporters, broadcasts and reminders in WIB's quiet hours
// (21:00-06:00), so a journey that expects them sent would depend on the
// hour the suite runs. In the quiet hours klabot's clock starts at 20:00
// of that evening instead and runs at the real pace; tests about the night
// set their own clock (clockFrom).
func TestMain(m *testing.M) {
	clock = awake(time.Now)
	os.Exit(m.Run())
}

// awake is a clock that reads real, moved back to 20:00 WIB when real's
// time at the start is in the quiet hours. Moving back, never forward: what
// the fake platforms stamp with the real time must not look late to klabot.
func awake(real func() time.Time) func() time.Time {
	wib := time.FixedZone("WIB", 7*3600)
	local := real().In(wib)
	if h := local.Hour(); h >= 6 && h < 21 {
		return real
	}
	evening := time.Date(local.Year(), local.Month(), local.Day(), 20, 0, 0, 0, wib)
	if local.Hour() < 6 {
		evening = evening.AddDate(0, 0, -1)
	}
	shift := local.Sub(evening)
	return func() time.Time { return real().Add(-shift) }
}

func TestAwakeClockLeavesTheQuietHours(t *testing.T) {
	wib := time.FixedZone("WIB", 7*3600)
	for _, c := range []struct{ real, want string }{
		{"2026-12-05 10:30", "2026-12-05 10:30"},
		{"2026-12-05 21:04", "2026-12-05 20:00"},
		{"2026-12-06 02:15", "2026-12-05 20:00"},
		{"2026-12-06 06:00", "2026-12-06 06:00"},
	} {
		real, _ := time.ParseInLocation("2006-01-02 15:04", c.real, wib)
		got := awake(func() time.Time { return real })()
		if s := got.In(wib).Format("2006-01-02 15:04"); s != c.want {
			t.Errorf("at %s klabot's clock starts at %s, want %s", c.real, s, c.want)
		}
	}
}
