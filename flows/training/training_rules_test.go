package training

import (
	"testing"

	"klabot/flows/words"
)

// Who may join each programme, at the edges of its ages, and why not: the
// teen bootcamp takes 15-17 only, the Forum Anak 12-17, the others adults.
func TestProgrammeEligibility(t *testing.T) {
	cases := []struct {
		program string
		age     int
		refusal string // "" for welcome
	}{
		{"remaja", 14, "training.age_remaja_young"},
		{"remaja", 15, ""},
		{"remaja", 17, ""},
		{"remaja", 18, "training.age_remaja_old"},
		{"forum_anak", 11, "training.age_forum_young"},
		{"forum_anak", 12, ""},
		{"forum_anak", 17, ""},
		{"forum_anak", 18, "training.age_forum_old"},
		{"wikapa", 17, "training.age_adult_only"},
		{"wikapa", 18, ""},
		{"wikapa", 75, ""},
		{"transmigran", 17, "training.age_adult_only"},
		{"transmigran", 40, ""},
		{"satgas", 16, "training.age_adult_only"},
		{"satgas", 30, ""},
	}
	for _, c := range cases {
		p, ok := words.ProgramByKey(c.program)
		if !ok {
			t.Fatalf("no programme %s", c.program)
		}
		if got := p.AgeRefusal(c.age); got != c.refusal {
			t.Errorf("%s at %d: %q, want %q", c.program, c.age, got, c.refusal)
		}
	}
}

// WIKAPA's household questions set the waitlist priority; the children's
// programmes need a guardian's yes before anything is saved.
func TestProgrammeQuestions(t *testing.T) {
	wikapa, _ := words.ProgramByKey("wikapa")
	for answers, want := range map[[3]string]int{
		{"no", "no", "no"}: 0, {"yes", "no", "no"}: 1, {"yes", "yes", "no"}: 2, {"yes", "yes", "yes"}: 3,
	} {
		got := wikapa.Priority(map[string]string{"extreme_poor": answers[0], "child_dropout_risk": answers[1], "female_head": answers[2]})
		if got != want {
			t.Errorf("wikapa priority for %v = %d, want %d", answers, got, want)
		}
	}
	for _, key := range []string{"remaja", "forum_anak"} {
		p, _ := words.ProgramByKey(key)
		if len(p.Questions) == 0 || p.Questions[0].Key != "guardian_ok" || !p.Questions[0].Required || p.Questions[0].Refusal == "" {
			t.Errorf("%s does not ask a guardian's agreement first: %+v", key, p.Questions)
		}
	}
}
