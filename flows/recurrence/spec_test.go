package recurrence

import (
	"testing"
	"time"
)

func TestParseSpecAccepts(t *testing.T) {
	wib, err := time.LoadLocation("Asia/Pontianak")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 11, 24, 10, 0, 0, 0, wib) // a Tuesday
	for _, tc := range []struct {
		spec string
		next []string // the next runs, WIB
	}{
		{"0 8 * * 1", []string{"2026-11-30 08:00", "2026-12-07 08:00", "2026-12-14 08:00"}},
		{"  30 16   * * 5 ", []string{"2026-11-27 16:30", "2026-12-04 16:30", "2026-12-11 16:30"}},
		{"0 7 * * *", []string{"2026-11-25 07:00", "2026-11-26 07:00", "2026-11-27 07:00"}},
		{"0 8 1 * *", []string{"2026-12-01 08:00", "2027-01-01 08:00", "2027-02-01 08:00"}},
		{"0 7,17 * * mon-fri", []string{"2026-11-24 17:00", "2026-11-25 07:00", "2026-11-25 17:00"}},
		{"@daily", []string{"2026-11-25 00:00", "2026-11-26 00:00", "2026-11-27 00:00"}},
		{"@WEEKLY", []string{"2026-11-29 00:00", "2026-12-06 00:00", "2026-12-13 00:00"}},
		{"@monthly", []string{"2026-12-01 00:00", "2027-01-01 00:00", "2027-02-01 00:00"}},
		{"@hourly", []string{"2026-11-24 11:00", "2026-11-24 12:00", "2026-11-24 13:00"}},
	} {
		s, err := ParseSpec(tc.spec)
		if err != nil {
			t.Errorf("%q: %v", tc.spec, err)
			continue
		}
		var got []string
		for _, r := range s.NextN(from, wib, 3) {
			if r.Location() != wib {
				t.Errorf("%q: run %v is not in WIB", tc.spec, r)
			}
			got = append(got, r.Format("2006-01-02 15:04"))
		}
		if len(got) != 3 || got[0] != tc.next[0] || got[1] != tc.next[1] || got[2] != tc.next[2] {
			t.Errorf("%q: next runs %v, want %v", tc.spec, got, tc.next)
		}
	}
}

func TestParseSpecRefuses(t *testing.T) {
	for _, tc := range []struct {
		spec, reason string
		field        int
	}{
		{"", SpecEmpty, 0},
		{"   ", SpecEmpty, 0},
		{"TZ=", SpecTimeZone, 0},
		{"TZ=Asia/Jakarta", SpecTimeZone, 0}, // no space: panics cron's parser
		{"CRON_TZ=Asia/Jakarta", SpecTimeZone, 0},
		{"TZ=Asia/Jakarta 0 8 * * 1", SpecTimeZone, 0},
		{"tz=UTC 0 8 * * 1", SpecTimeZone, 0},
		{"0 8 * * 1 TZ=UTC", SpecTimeZone, 0},
		{"@every 1h", SpecEvery, 0},
		{"@sometimes", SpecDescriptor, 0},
		{"@daily 8", SpecDescriptor, 0},
		{"0 8 * *", SpecFieldCount, 0},
		{"0 0 8 * * 1", SpecFieldCount, 0}, // a seconds field is not standard
		{"61 8 * * 1", SpecField, 1},
		{"0 24 * * 1", SpecField, 2},
		{"0 8 0 * *", SpecField, 3},
		{"0 8 * 13 *", SpecField, 4},
		{"0 8 * * 8", SpecField, 5},
		{"0 8 * * senin", SpecField, 5},
		{"a b c d e", SpecField, 1},
		{"0 8-x * * *", SpecField, 2},
		{"0 0 30 2 *", SpecNever, 0},
		{"* * * * *", SpecTooOften, 0},
		{"*/5 * * * *", SpecTooOften, 0},
		{"0,30 7 * * *", SpecTooOften, 0},
	} {
		_, err := ParseSpec(tc.spec)
		se, ok := IsSpecError(err)
		if !ok {
			t.Errorf("%q: want a spec error %s, got %v", tc.spec, tc.reason, err)
			continue
		}
		if se.Reason != tc.reason || se.Field != tc.field {
			t.Errorf("%q: reason %s field %d, want %s field %d (%v)", tc.spec, se.Reason, se.Field, tc.reason, tc.field, err)
		}
	}
}

// The parser itself panics on a malformed TZ= prefix; ParseSpec refuses
// those before parsing, and safeParse turns a panic into an error anyway.
func TestSafeParseRecoversPanic(t *testing.T) {
	for _, spec := range []string{"TZ=Asia/Jakarta", "CRON_TZ="} {
		if _, err := safeParse(spec); err == nil {
			t.Errorf("safeParse(%q): want an error", spec)
		}
	}
}
