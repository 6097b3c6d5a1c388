// Package recurrence reads the schedules of recurring reminders: checked
// cron specs, read in the office's time zone. The store keeps a reminder's
// spec as text and its next due time; the flows and the scheduler work
// out that time here.
package recurrence

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Spec is a checked recurring schedule: a standard five-field cron spec
// ("minute hour day-of-month month day-of-week") or a descriptor such as
// @daily or @weekly. It has no time zone of its own: Next reads it in the
// location it is given (the office's, WIB).
type Spec struct {
	Text  string
	sched cron.Schedule
}

// Reasons a spec is refused; flows turn them into plain words.
const (
	SpecEmpty      = "empty"
	SpecTimeZone   = "time_zone"   // a TZ= or CRON_TZ= prefix
	SpecEvery      = "every"       // @every: not tied to the clock
	SpecDescriptor = "descriptor"  // an unknown @word
	SpecFieldCount = "field_count" // not five fields
	SpecField      = "field"       // one field is wrong (Field, Value)
	SpecNever      = "never"       // valid, but never happens (30 February)
	SpecTooOften   = "too_often"   // less than MinSpecGap between two runs
)

// MinSpecGap is the shortest time allowed between two runs of a recurring
// reminder: more often would flood people (and risk a WhatsApp ban).
const MinSpecGap = time.Hour

// SpecError says why a spec was refused.
type SpecError struct {
	Reason string
	Field  int    // 1-5 for SpecField: minute, hour, day of month, month, day of week
	Value  string // the part that is wrong, or the field count
	Err    error  // the parser's own error, for logs
}

func (e *SpecError) Error() string {
	switch e.Reason {
	case SpecField:
		return fmt.Sprintf("cron spec: field %d (%q) is wrong: %v", e.Field, e.Value, e.Err)
	case SpecFieldCount:
		return fmt.Sprintf("cron spec: want 5 fields, got %s", e.Value)
	}
	if e.Err != nil {
		return fmt.Sprintf("cron spec: %s: %v", e.Reason, e.Err)
	}
	return "cron spec: " + e.Reason
}

func (e *SpecError) Unwrap() error { return e.Err }

// specParser reads standard five-field specs and descriptors, nothing else
// (no seconds field).
var specParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// descriptors are the @words accepted (@every is refused: it drifts from
// the clock and says nothing about when people get the message).
var descriptors = map[string]bool{
	"@yearly": true, "@annually": true, "@monthly": true, "@weekly": true,
	"@daily": true, "@midnight": true, "@hourly": true,
}

// ParseSpec checks a spec typed by staff and returns it ready to use. It
// never panics: time-zone prefixes, which can crash the parser when
// malformed, are refused before parsing, and a panic is recovered anyway.
func ParseSpec(text string) (Spec, error) {
	text = strings.Join(strings.Fields(text), " ")
	upper := strings.ToUpper(text)
	switch {
	case text == "":
		return Spec{}, &SpecError{Reason: SpecEmpty}
	case strings.HasPrefix(upper, "TZ=") || strings.HasPrefix(upper, "CRON_TZ=") || strings.Contains(upper, "TZ="):
		return Spec{}, &SpecError{Reason: SpecTimeZone}
	case strings.HasPrefix(text, "@"):
		word := strings.ToLower(strings.Fields(text)[0])
		if word == "@every" {
			return Spec{}, &SpecError{Reason: SpecEvery}
		}
		if !descriptors[word] || len(strings.Fields(text)) != 1 {
			return Spec{}, &SpecError{Reason: SpecDescriptor, Value: text}
		}
		text = word
	default:
		fields := strings.Fields(text)
		if len(fields) != 5 {
			return Spec{}, &SpecError{Reason: SpecFieldCount, Value: fmt.Sprint(len(fields))}
		}
		// Find the wrong field by parsing each alone, so staff are told
		// which part to fix.
		for i, f := range fields {
			probe := []string{"*", "*", "*", "*", "*"}
			probe[i] = f
			if _, err := safeParse(strings.Join(probe, " ")); err != nil {
				return Spec{}, &SpecError{Reason: SpecField, Field: i + 1, Value: f, Err: err}
			}
		}
	}
	sched, err := safeParse(text)
	if err != nil {
		return Spec{}, &SpecError{Reason: SpecField, Value: text, Err: err}
	}
	s := Spec{Text: text, sched: sched}
	if err := s.checkGaps(); err != nil {
		return Spec{}, err
	}
	return s, nil
}

// safeParse is the parser with any panic turned into an error.
func safeParse(text string) (sched cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, fmt.Errorf("parser panic: %v", r)
		}
	}()
	return specParser.Parse(text)
}

// checkGaps refuses a spec that never fires or fires too often, looking at
// its next runs from a fixed day (the answer must not depend on today).
func (s Spec) checkGaps() error {
	t := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := time.Time{}
	for range 500 {
		next := s.sched.Next(t)
		if next.IsZero() {
			if prev.IsZero() {
				return &SpecError{Reason: SpecNever}
			}
			return nil
		}
		if !prev.IsZero() && next.Sub(prev) < MinSpecGap {
			return &SpecError{Reason: SpecTooOften, Value: next.Sub(prev).String()}
		}
		prev, t = next, next
	}
	return nil
}

// Next is the first run strictly after after, in loc; zero if none.
func (s Spec) Next(after time.Time, loc *time.Location) time.Time {
	if s.sched == nil {
		return time.Time{}
	}
	return s.sched.Next(after.In(loc))
}

// NextN lists the next n runs after after, in loc.
func (s Spec) NextN(after time.Time, loc *time.Location, n int) []time.Time {
	var out []time.Time
	for t := after; len(out) < n; {
		t = s.Next(t, loc)
		if t.IsZero() {
			break
		}
		out = append(out, t)
	}
	return out
}

// IsSpecError tells whether err is a refused spec, and which.
func IsSpecError(err error) (*SpecError, bool) {
	var se *SpecError
	ok := errors.As(err, &se)
	return se, ok
}
