package words

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
		if got := ChildForm(in); got != want {
			t.Errorf("ChildForm(%q) = %q, want %q", in, got, want)
		}
	}
}
