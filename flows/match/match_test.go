package match

import "testing"

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"  Anak   BEKERJA!! ": "anak bekerja",
		"Saba'u":              "sabau",
		"SANGGAU-LEDO":        "sanggau ledo",
		"Pendidikan—Latihan":  "pendidikan latihan",
		"Jum’at":              "jumat",
		"café":                "cafe",
		"2)":                  "2",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

// A swapped pair of letters is one slip, in menus as in place names.
func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"sanggau", "sanggau", 0},
		{"sangau", "sanggau", 1},
		{"snaggau", "sanggau", 1},
		{"ca", "ac", 1},
		{"pelatiahn", "pelatihan", 1},
		{"laproan", "laporan", 1},
		{"monterdo", "monterado", 1},
		{"kitten", "sitting", 3},
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := Distance(tt.b, tt.a); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (not symmetric)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestTolerance(t *testing.T) {
	for n, want := range map[int]int{0: 0, 2: 0, 3: 0, 4: 1, 6: 1, 7: 2, 20: 2} {
		if got := Tolerance(n); got != want {
			t.Errorf("Tolerance(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestClose(t *testing.T) {
	tests := []struct {
		typed, want string
		ok          bool
	}{
		{"sawit", "sawit", true},
		{"swait", "sawit", true},        // one swap in five letters
		{"tambnag", "tambang", true},    // one swap in seven
		{"plaithan", "pelatihan", true}, // two slips in eight
		{"ya", "yu", false},             // short words must be exact
		{"dua", "dia", false},           // three letters too
		{"kayu", "kaya", true},          // one slip in four letters
		{"kebun", "tebu", false},        // two slips in four
		{"sanggauledo", "sgl", false},   // lengths far apart
	}
	for _, tt := range tests {
		if _, ok := Close(tt.typed, tt.want); ok != tt.ok {
			t.Errorf("Close(%q, %q) = %v, want %v", tt.typed, tt.want, ok, tt.ok)
		}
	}
}
