package flows

import (
	"testing"
)

func TestChildForm(t *testing.T) {
	for in, want := range map[string]string{
		"Siapa nama Anda?":                       "Siapa nama kamu?",
		"Anda boleh. Jika Anda pilih, Anda aman": "Kamu boleh. Jika kamu pilih, kamu aman",
		"Laporan:\nAnda tahu? Pandangan":         "Laporan:\nKamu tahu? Pandangan",
		"no formal you":                          "no formal you",
	} {
		if got := childForm(in); got != want {
			t.Errorf("childForm(%q) = %q, want %q", in, got, want)
		}
	}
}
