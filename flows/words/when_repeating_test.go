package words

import "testing"

// Staff write a repeating time in their own words; what is not plainly
// one time a day, week or month is refused rather than guessed.
func TestRecurringSpec(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"tiap Jumat jam 16.30", "30 16 * * 5"},
		{"setiap hari pukul 7 pagi", "0 7 * * *"},
		{"Tiap hari 07.00", "0 7 * * *"},
		{"tiap pagi jam 6", "0 6 * * *"},
		{"tiap Senin dan Kamis 08.00", "0 8 * * 1,4"},
		{"setiap hari Minggu jam 9", "0 9 * * 0"},
		{"tiap minggu hari senin jam 8", "0 8 * * 1"},
		{"tiap jum'at jam 3 sore", "0 15 * * 5"},
		{"tiap tanggal 1 jam 8", "0 8 1 * *"},
		{"setiap tanggal 1 dan 15 pukul 09.30 WIB", "30 9 1,15 * *"},
		{"every Monday at 8:00", "0 8 * * 1"},
		{"every day 7:15", "15 7 * * *"},
		{"tiap minggu jam 8", ""}, // every week, or every Sunday?
		{"tiap pekan hari Senin dan Kamis jam 7", "0 7 * * 1,4"},
		{"every week on Friday at 15:00", "0 15 * * 5"},
		{"jam 8", ""},      // once, or every day?
		{"tiap senin", ""}, // no time
		{"tiap tanggal 1 hari senin jam 8", ""},
		{"tiap tanggal 40 jam 8", ""},
		{"tiap panen jam 8", ""},
		{"every month on day 1 at 9:00", "0 9 1 * *"},
		{"0 8 * * 1", ""},
	} {
		got, ok := RecurringSpec(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("RecurringSpec(%q) = %q %v, want %q", tc.in, got, ok, tc.want)
		}
	}
}
