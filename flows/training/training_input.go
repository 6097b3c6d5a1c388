package training

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"klabot/flows"
	"klabot/flows/ops"
	"klabot/flows/words"
	"klabot/store"
)

// Reading what people and staff type for trainings, forgivingly, and
// writing dates the way people read them. Functions that can fail return
// the locale key of the kind explanation.

// ageWords are the filler words around an age: "umur saya 17 tahun".
var ageWords = map[string]bool{"umur": true, "usia": true, "saya": true, "aku": true, "tahun": true, "thn": true,
	"th": true, "thun": true, "years": true, "year": true, "old": true, "age": true, "i": true, "am": true}

// digitWords are Indonesian (and English) number words, for people who
// write their age in words: "tujuh belas".
var digitWords = map[string]int{
	"nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8, "sembilan": 9,
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
}

// parseAge reads "17", "17 tahun", "umur 17" or "tujuh belas". Ages outside
// 1-100 are typing mistakes.
func parseAge(text string) (int, string) {
	var words []string
	for _, w := range strings.Fields(flows.Normalize(text)) {
		if !ageWords[w] {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return 0, "training.age_not_number"
	}
	// Normalize drops the minus sign; "-5" is not five.
	if t := strings.TrimLeft(strings.TrimSpace(text), "umrUMR:ia "); strings.HasPrefix(t, "-") || strings.HasPrefix(t, "−") {
		return 0, "training.age_negative"
	}
	n, err := strconv.Atoi(strings.Join(words, ""))
	if err != nil {
		var ok bool
		if n, ok = numberFromWords(words); !ok {
			return 0, "training.age_not_number"
		}
	}
	if n < 1 || n > 100 {
		return 0, "training.age_invalid"
	}
	return n, ""
}

// numberFromWords reads Indonesian numbers up to 99: "tujuh belas",
// "dua puluh lima", "sebelas", "sepuluh".
func numberFromWords(words []string) (int, bool) {
	joined := strings.Join(words, " ")
	switch joined {
	case "sepuluh", "ten":
		return 10, true
	case "sebelas", "eleven":
		return 11, true
	}
	if d, ok := digitWords[joined]; ok {
		return d, true
	}
	if len(words) == 2 && words[1] == "belas" {
		if d, ok := digitWords[words[0]]; ok && d >= 2 {
			return 10 + d, true
		}
	}
	if len(words) >= 2 && words[1] == "puluh" {
		tens, ok := digitWords[words[0]]
		if !ok || tens < 2 {
			return 0, false
		}
		switch len(words) {
		case 2:
			return tens * 10, true
		case 3:
			if d, ok := digitWords[words[2]]; ok && d > 0 {
				return tens*10 + d, true
			}
		}
	}
	return 0, false
}

var phoneDigits = regexp.MustCompile(`^62[1-9][0-9]{6,11}$`)

// normalizePhone reads an Indonesian number as people write it
// ("0812-3456-7890", "+62 812 3456 7890", "812345678") in the 62... form
// WhatsApp uses; ok is false when it cannot be a phone number.
func normalizePhone(s string) (string, bool) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			return "", false
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(d, "62"):
	case strings.HasPrefix(d, "0"):
		d = "62" + d[1:]
	case strings.HasPrefix(d, "8"):
		d = "62" + d
	}
	if !phoneDigits.MatchString(d) {
		return "", false
	}
	return d, true
}

var (
	dateTimeDMY = regexp.MustCompile(`^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:\s+(?:jam|pukul|pkl|at))?\s+(\d{1,2})[:.](\d{2})$`)
	dateTimeYMD = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+|t)(\d{1,2}):(\d{2})(?::00)?$`)
	clockOnly   = regexp.MustCompile(`^(?:(?:jam|pukul|pkl|at)\s+)?(\d{1,2})[:.](\d{2})$`)
)

// cleanWhen lower-cases a typed date and drops a trailing time zone name.
func cleanWhen(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	for _, zone := range []string{" wib", " wita", " wit"} {
		s = strings.TrimSuffix(s, zone)
	}
	return s
}

// parseDateTime reads a local date and time: "12-06-2026 09:00" (also with
// / or . and "09.00", as Indonesians write it) or "2026-06-12 09:00".
func parseDateTime(s string, loc *time.Location) (time.Time, string) {
	s = cleanWhen(s)
	var day, month, year, hour, minute int
	if m := dateTimeDMY.FindStringSubmatch(s); m != nil {
		day, month, year, hour, minute = atoi(m[1]), atoi(m[2]), atoi(m[3]), atoi(m[4]), atoi(m[5])
	} else if m := dateTimeYMD.FindStringSubmatch(s); m != nil {
		year, month, day, hour, minute = atoi(m[1]), atoi(m[2]), atoi(m[3]), atoi(m[4]), atoi(m[5])
	} else {
		return time.Time{}, "training.date_format"
	}
	t := time.Date(year, time.Month(month), day, hour, minute, 0, 0, loc)
	// time.Date quietly turns 31-02 into 03-03: such a date does not exist.
	if t.Day() != day || int(t.Month()) != month || t.Hour() != hour || t.Minute() != minute || hour > 23 || minute > 59 {
		return time.Time{}, "training.date_invalid"
	}
	return t, ""
}

// parseEndTime reads when a training ends: a time on the day it starts
// ("12:00") or a full date and time for a training of several days.
func parseEndTime(s string, start time.Time, loc *time.Location) (time.Time, string) {
	if m := clockOnly.FindStringSubmatch(cleanWhen(s)); m != nil {
		hour, minute := atoi(m[1]), atoi(m[2])
		if hour > 23 || minute > 59 {
			return time.Time{}, "training.date_invalid"
		}
		day := start.In(loc)
		return time.Date(day.Year(), day.Month(), day.Day(), hour, minute, 0, 0, loc), ""
	}
	// "jam 8", "jam 4 sore", "pukul 16.00": a time alone is on the start
	// day too, never quietly the next morning.
	if hour, minute, rest, key := words.SplitWhen(s); key == "" && len(rest) == 0 {
		day := start.In(loc)
		return time.Date(day.Year(), day.Month(), day.Day(), hour, minute, 0, 0, loc), ""
	}
	return parseDateTime(s, loc)
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// Attendance codes are made by the staff operations.
const (
	attendanceAlphabet = ops.AttendanceAlphabet
	attendanceCodeLen  = ops.AttendanceCodeLen
)

var newAttendanceCode = ops.NewAttendanceCode

// normalizeAttendanceCode reads a typed code ("7kq 3mx", "7KQ-3MX"); ok is
// false when the text cannot be a code (codes have six letters and digits,
// at least one a digit).
func normalizeAttendanceCode(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(strings.TrimSpace(s)) {
		switch {
		case r == ' ' || r == '-' || r == '.':
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	if b.Len() != attendanceCodeLen || !strings.ContainsAny(b.String(), "0123456789") {
		return "", false
	}
	return b.String(), true
}

// trainingLabels are the option labels of a list of sessions: the title,
// shortened, and where two would read the same ("Pertemuan Forum…"
// twice), the day, then the hour, so every key can be told apart.
func trainingLabels(loc *time.Location, ts []store.Training) []string {
	labels := make([]string, len(ts))
	for i, t := range ts {
		labels[i] = flows.ShortLabel(t.Title)
	}
	for _, layout := range []string{"02/01", "02/01 15.04"} {
		seen := map[string]int{}
		for _, l := range labels {
			seen[l]++
		}
		for i, t := range ts {
			if seen[labels[i]] > 1 {
				labels[i] = flows.ShortLabelWith(t.Title, " "+t.StartsAt.In(loc).Format(layout))
			}
		}
	}
	return labels
}
