package place

import (
	"testing"

	"klabot/flows"
	"klabot/locales"
)

// People answer safety questions the way they chat: "ya skrg", "bukan",
// "tdk tau". Each must pick its option, at the question as it is asked.
func TestEverydayAnswersAtSafetyQuestions(t *testing.T) {
	opts := func(pairs ...string) []flows.Option {
		var out []flows.Option
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, flows.Option{Key: pairs[i], Label: locales.T("id", pairs[i+1])})
		}
		return out
	}
	urgent := opts("yes", "report.urgent_yes", "no", "report.urgent_no")
	training := opts("yes", "training.opt_yes", "no", "training.opt_no")
	desa := append([]flows.Option{{Key: "6107010001", Label: "Sebalo"}, {Key: "6107010002", Label: "Pisak"}},
		opts(desaUnknown, "place.desa_unknown")...)
	kec := append([]flows.Option{{Key: "61.07.04", Label: "Bengkayang"}, {Key: "61.07.03", Label: "Ledo"}},
		opts(kecUnknown, "place.kec_unknown")...)
	for _, tc := range []struct {
		name  string
		opts  []flows.Option
		loose bool
		typed []string
		want  string
	}{
		{"urgent yes", urgent, true, []string{"ya skrg", "iya", "y", "yoi", "iya sekarang", "skrg", "ya sekarang juga"}, "yes"},
		{"urgent no", urgent, true, []string{"bukan", "tdk", "gak", "ga", "nggak", "tidak skrg", "gk sekarang", "blm", "sdh aman", "udh tidak"}, "no"},
		{"training yes", training, true, []string{"iya", "y", "yoi", "sdh", "udah"}, "yes"},
		{"training no", training, true, []string{"bukan", "bkn", "tdk", "gk", "nggak", "blm", "belum"}, "no"},
		{"desa unknown", desa, false, []string{"tdk tau", "gak tau", "gk tahu", "nggak tau", "ga tw", "blm tau"}, desaUnknown},
		{"kec unknown", kec, false, []string{"tdk tau", "tidak tahu", "gak tau kecamatannya", "Tidak tahu kecamatannya"}, kecUnknown},
		{"desa named", desa, false, []string{"sebalo", "Pisak"}, "6107010001"},
	} {
		for _, typed := range tc.typed {
			want := tc.want
			if tc.name == "desa named" && typed == "Pisak" {
				want = "6107010002"
			}
			got, ok := flows.MatchOption(tc.opts, flows.Input{Kind: flows.KindText, Text: typed}, tc.loose)
			if !ok || got != want {
				t.Errorf("%s: %q picked %q (%v), want %q", tc.name, typed, got, ok, want)
			}
		}
	}
}
