package broadcast

import (
	"strings"
	"testing"
	"time"

	"klabot/flows"
	"klabot/flows/words"
	"klabot/store"
)

// The example date of the schedule question, typed back as it is, is a
// time to come at 08.00, whatever the day and the clock.
func TestScheduleExampleIsAhead(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Pontianak")
	for _, lang := range []string{"id", "en"} {
		for _, now := range []time.Time{
			time.Date(2026, 6, 12, 9, 0, 0, 0, loc), // the day a fixed example would name
			time.Date(2026, 11, 24, 23, 30, 0, 0, loc),
			time.Date(2026, 12, 5, 22, 27, 13, 620_000_000, loc), // a clock with fractions of a second
			time.Date(2027, 12, 30, 7, 0, 0, 0, loc),
		} {
			c := &flows.Ctx{Now: now, Loc: loc, User: store.User{Lang: lang}}
			text := askWhen(c).Text
			_, rest, _ := strings.Cut(text, "\n- ")
			example, _, _ := strings.Cut(rest, "\n")
			when, problem := words.ParseWhen(example, now, loc)
			if problem != "" || !when.After(now) || when.Hour() != 8 || when.Minute() != 0 {
				t.Errorf("%s at %v: example %q gives %v %q, want a time to come", lang, now, example, when, problem)
			}
		}
	}
}
