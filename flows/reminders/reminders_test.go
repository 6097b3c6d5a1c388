package reminders

import (
	"strings"
	"testing"
	"time"

	"klabot/flows/ops"
	"klabot/locales"
	"klabot/store"
)

var wibForTest = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Pontianak")
	if err != nil {
		panic(err)
	}
	return loc
}()

// Option labels of the reminders fit a small screen, numbers included.
func TestReminderLabelsShort(t *testing.T) {
	for _, lang := range locales.Languages {
		for _, key := range locales.Keys(lang) {
			label := strings.HasPrefix(key, "reminders.opt_") || strings.HasPrefix(key, "reminders.preset_") ||
				key == "reminders.staff_entry" ||
				strings.HasPrefix(key, "reminders.aud_") && !strings.Contains(key, "kec")
			if !label {
				continue
			}
			s := strings.ReplaceAll(locales.T(lang, key), "%d", "99")
			if n := len([]rune(s)); n > 20 {
				t.Errorf("%s: label %q (%s) is %d characters; keep it to 20", lang, key, s, n)
			}
		}
	}
}

func TestParseAudience(t *testing.T) {
	for _, tc := range []struct {
		in, audience, kec string
		ok                bool
	}{
		{"satgas", store.AudienceSatgas, "", true},
		{" Satgas PA ", store.AudienceSatgas, "", true},
		{"satgas Sanggau Ledo", store.AudienceSatgas, "61.07.06", true},
		{"satgas pa kec. Bengkayang", store.AudienceSatgas, "61.07.04", true},
		{"forum_anak", store.AudienceForumAnak, "", true},
		{"Forum Anak di Seluas", store.AudienceForumAnak, "61.07.05", true},
		{"peserta", store.AudienceTrainees, "", true},
		{"peserta pelatihan", store.AudienceTrainees, "", true},
		{"semua", store.AudienceAll, "", true},
		{"semua kecamatan teriak", store.AudienceAll, "61.07.09", true},
		{"guru", "", "", false},
		{"satgas Atlantis", "", "", false},
		{"", "", "", false},
	} {
		audience, kec, ok := parseAudience(tc.in)
		if audience != tc.audience || kec != tc.kec || ok != tc.ok {
			t.Errorf("parseAudience(%q) = %q, %q, %v; want %q, %q, %v", tc.in, audience, kec, ok, tc.audience, tc.kec, tc.ok)
		}
	}
}

func TestLooksLikeSpec(t *testing.T) {
	for in, want := range map[string][2]bool{ // surely, looks like
		"0 8 * * 1": {true, true}, "* * * * 1": {true, true}, "@weekly": {true, true}, "TZ=UTC": {true, true},
		"0 8 1 1 1": {false, true}, "Tiap Senin": {false, true}, "2": {false, false}, "dua": {false, false}, "": {false, false},
	} {
		if surely, looks := surelySpec(in), looksLikeSpec(in); surely != want[0] || looks != want[1] {
			t.Errorf("%q: surelySpec %v, looksLikeSpec %v; want %v", in, surely, looks, want)
		}
	}
}

func TestQuietHours(t *testing.T) {
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 11, day, hour, minute, 0, 0, wibForTest) }
	for _, tc := range []struct {
		t      time.Time
		quiet  bool
		sendAt time.Time
	}{
		{at(24, 20, 59), false, at(24, 20, 59)},
		{at(24, 21, 0), true, at(25, 6, 0)},
		{at(24, 23, 30), true, at(25, 6, 0)},
		{at(25, 0, 0), true, at(25, 6, 0)},
		{at(25, 5, 59), true, at(25, 6, 0)},
		{at(25, 6, 0), false, at(25, 6, 0)},
	} {
		if got := ops.InQuietHours(tc.t, wibForTest); got != tc.quiet {
			t.Errorf("ops.InQuietHours(%v) = %v", tc.t, got)
		}
		if got := ops.AfterQuietHours(tc.t.UTC(), wibForTest); !got.Equal(tc.sendAt) {
			t.Errorf("ops.AfterQuietHours(%v) = %v, want %v", tc.t, got, tc.sendAt)
		}
	}
}

// A training reminder says today (with the hour) or tomorrow, what, when
// and where, in the person's language.
func TestTrainingReminderText(t *testing.T) {
	tr := store.Training{Title: "Usaha Kue", KecCode: "61.07.04", Place: "Aula Camat",
		StartsAt: time.Date(2026, 11, 26, 9, 0, 0, 0, wibForTest), EndsAt: time.Date(2026, 11, 26, 12, 0, 0, 0, wibForTest)}
	for _, tc := range []struct {
		lang string
		now  time.Time
		want []string
	}{
		{"id", time.Date(2026, 11, 25, 7, 0, 0, 0, wibForTest), []string{"besok", "Usaha Kue", "Kamis, 26 November 2026, 09.00-12.00 WIB", "Aula Camat"}},
		{"id", time.Date(2026, 11, 26, 7, 0, 0, 0, wibForTest), []string{"hari ini pukul 09.00", "Usaha Kue"}},
		{"id", time.Date(2026, 11, 23, 7, 0, 0, 0, wibForTest), []string{"Anda terdaftar", "Usaha Kue"}},
		{"en", time.Date(2026, 11, 25, 7, 0, 0, 0, wibForTest), []string{"tomorrow", "Usaha Kue", "Thursday"}},
		{"en", time.Date(2026, 11, 26, 7, 0, 0, 0, wibForTest), []string{"today at 09:00"}},
	} {
		got := TrainingReminder(tc.lang, wibForTest, tr, tc.now).Text
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s at %v: %q lacks %q", tc.lang, tc.now, got, w)
			}
		}
	}
}

// A schedule reads in words wherever staff see it; what has no plain
// words stays as typed.
func TestScheduleName(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"0 8 * * 1", "Tiap Senin 08.00"},
		{"0 7 * * 1,4", "Tiap Senin dan Kamis 07.00"},
		{"30 16 * * 1,3,5", "Tiap Senin, Rabu dan Jumat 16.30"},
		{"30 9 1,15 * *", "Tgl 1 dan 15 tiap bulan 09.30"},
		{"@daily", "Tiap hari 00.00"},
		{"0 8 * * 1-5", "0 8 * * 1-5"},
		{"0 8 1 * 1", "0 8 1 * 1"},
	} {
		if got := ScheduleName("id", tc.spec); got != tc.want {
			t.Errorf("ScheduleName(%q) = %q, want %q", tc.spec, got, tc.want)
		}
	}
}
