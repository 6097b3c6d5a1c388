package words

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"klabot/locales"
)

// Reading when staff want a broadcast sent, the way people write it:
// "12-06-2026 08.00", "12/6 8:00", "12 Juni 2026 jam 8 pagi", "besok 07.30",
// "lusa jam 9", "Senin 08.00", "15.00" (today, or tomorrow if that has
// passed). Times are local (WIB); a trailing "WIB" is fine.

var (
	clockPattern = regexp.MustCompile(`^(\d{1,2})[:.](\d{2})$`)
	hourPattern  = regexp.MustCompile(`^\d{1,2}$`)
	dmyPattern   = regexp.MustCompile(`^(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2}|\d{4}))?$`)
	ymdPattern   = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})$`)
)

// MonthNames are Indonesian and English month names and short forms, for
// broadcast dates and recap months.
var MonthNames = map[string]time.Month{
	"januari": 1, "january": 1, "jan": 1,
	"februari": 2, "february": 2, "feb": 2, "pebruari": 2,
	"maret": 3, "march": 3, "mar": 3,
	"april": 4, "apr": 4,
	"mei": 5, "may": 5,
	"juni": 6, "june": 6, "jun": 6,
	"juli": 7, "july": 7, "jul": 7,
	"agustus": 8, "august": 8, "agu": 8, "ags": 8, "agt": 8, "aug": 8,
	"september": 9, "sep": 9, "sept": 9,
	"oktober": 10, "october": 10, "okt": 10, "oct": 10,
	"november": 11, "nov": 11, "nopember": 11,
	"desember": 12, "december": 12, "des": 12, "dec": 12,
}

// weekdayNames are Indonesian and English day names.
var weekdayNames = map[string]time.Weekday{
	"minggu": time.Sunday, "ahad": time.Sunday, "sunday": time.Sunday,
	"senin": time.Monday, "monday": time.Monday,
	"selasa": time.Tuesday, "tuesday": time.Tuesday,
	"rabu": time.Wednesday, "wednesday": time.Wednesday,
	"kamis": time.Thursday, "thursday": time.Thursday,
	"jumat": time.Friday, "friday": time.Friday,
	"sabtu": time.Saturday, "saturday": time.Saturday,
}

// relativeDays are words for today and the next days.
var relativeDays = map[string]int{
	"hari ini": 0, "today": 0, "nanti": 0, "ini": 0,
	"besok": 1, "tomorrow": 1, "besuk": 1,
	"kemarin": -1, "yesterday": -1,
	"lusa": 2,
}

// fillerWords carry no meaning for the time.
var fillerWords = map[string]bool{"jam": true, "pukul": true, "pkl": true, "at": true, "tanggal": true,
	"tgl": true, "pada": true, "wib": true, "on": true}

// dayParts shift a bare hour: "jam 3 sore" is 15.00.
var dayParts = map[string]bool{"pagi": true, "siang": true, "sore": true, "malam": true,
	"am": true, "pm": true}

// ParseWhen reads a local date and time; the second result is the locale
// key of what is wrong with the text, if anything. The time found may be
// in the past: the caller decides what is too early.
func ParseWhen(s string, now time.Time, loc *time.Location) (time.Time, string) {
	now = now.In(loc)
	hour, minute, rest, key := SplitWhen(s)
	if key != "" {
		return time.Time{}, key
	}
	date, key := parseDay(rest, now, hour, minute, loc)
	if key != "" {
		return time.Time{}, key
	}
	return date, ""
}

// SplitWhen finds the time of day in typed text and returns it with the
// words left, which name the day (none when only a time was given).
func SplitWhen(s string) (hour, minute int, rest []string, key string) {
	s = strings.ToLower(strings.NewReplacer(",", " ", "(", " ", ")", " ").Replace(s))
	fields := strings.Fields(s)
	hour, minute = -1, 0
	// The time: the last "hh:mm" / "hh.mm", or an hour after "jam" or
	// before a part of the day.
	at := -1
	for i, f := range fields {
		if m := clockPattern.FindStringSubmatch(f); m != nil {
			hour, minute, at = atoiOr(m[1]), atoiOr(m[2]), i
		}
	}
	if at < 0 {
		for i, f := range fields {
			if !hourPattern.MatchString(f) {
				continue
			}
			after := i+1 < len(fields) && dayParts[fields[i+1]]
			before := i > 0 && (fields[i-1] == "jam" || fields[i-1] == "pukul" || fields[i-1] == "pkl" || fields[i-1] == "at")
			if after || before {
				hour, at = atoiOr(f), i
			}
		}
	}
	if at < 0 {
		return 0, 0, nil, "broadcast.when_format"
	}
	if hour > 23 || minute > 59 {
		return 0, 0, nil, "broadcast.when_invalid"
	}
	for i, f := range fields {
		if i == at || fillerWords[f] {
			continue
		}
		if dayParts[f] && i == at+1 {
			hour = shiftHour(hour, f)
			continue
		}
		rest = append(rest, f)
	}
	if hour < 0 || hour > 23 {
		return 0, 0, nil, "broadcast.when_invalid"
	}
	return hour, minute, rest, ""
}

// shiftHour reads "3 sore" as 15 and "12 malam" as 0.
func shiftHour(h int, part string) int {
	switch part {
	case "siang":
		if h >= 1 && h <= 5 {
			return h + 12
		}
	case "sore", "pm":
		if h >= 1 && h <= 11 {
			return h + 12
		}
	case "malam":
		switch {
		case h == 12:
			return 0
		case h >= 6 && h <= 11:
			return h + 12
		}
	case "am":
		if h == 12 {
			return 0
		}
	}
	return h
}

// parseDay reads the date part (already without the time) and returns the
// moment at hour:minute on that day.
func parseDay(words []string, now time.Time, hour, minute int, loc *time.Location) (time.Time, string) {
	at := func(y int, m time.Month, d int) (time.Time, string) {
		t := time.Date(y, m, d, hour, minute, 0, 0, loc)
		if t.Day() != d || t.Month() != m {
			return time.Time{}, "broadcast.when_invalid" // 31-02 does not exist
		}
		return t, ""
	}
	today := func(days int) (time.Time, string) {
		d := now.AddDate(0, 0, days)
		return at(d.Year(), d.Month(), d.Day())
	}
	// A weekday before a date ("jumat 12 juni") only repeats it.
	if len(words) > 1 {
		if _, ok := weekdayNames[words[0]]; ok {
			words = words[1:]
		}
	}
	joined := strings.Join(words, " ")
	if joined == "" {
		t, key := today(0)
		if key == "" && !t.After(now) {
			return today(1)
		}
		return t, key
	}
	if days, ok := relativeDays[joined]; ok {
		return today(days)
	}
	if wd, ok := weekdayNames[joined]; ok {
		days := (int(wd) - int(now.Weekday()) + 7) % 7
		t, key := today(days)
		if key == "" && !t.After(now) {
			return today(days + 7)
		}
		return t, key
	}
	if len(words) == 1 {
		if m := ymdPattern.FindStringSubmatch(words[0]); m != nil {
			return at(atoiOr(m[1]), time.Month(atoiOr(m[2])), atoiOr(m[3]))
		}
		if m := dmyPattern.FindStringSubmatch(words[0]); m != nil {
			return dateWithYear(now, atoiOr(m[1]), atoiOr(m[2]), m[3], at)
		}
	}
	if len(words) == 2 || len(words) == 3 {
		month, ok := MonthNames[words[1]]
		if ok && hourPattern.MatchString(words[0]) {
			year := ""
			if len(words) == 3 {
				year = words[2]
			}
			return dateWithYear(now, atoiOr(words[0]), int(month), year, at)
		}
	}
	return time.Time{}, "broadcast.when_format"
}

// dateWithYear completes a day and month with the year written, or with
// the next year when the date has passed this year. Today's date with a
// time already passed stays today (too early, the caller says), not a
// year ahead: staff who write it mean today.
func dateWithYear(now time.Time, day, month int, year string, at func(int, time.Month, int) (time.Time, string)) (time.Time, string) {
	if month < 1 || month > 12 || day < 1 {
		return time.Time{}, "broadcast.when_invalid"
	}
	switch len(year) {
	case 4:
		return at(atoiOr(year), time.Month(month), day)
	case 2:
		return at(2000+atoiOr(year), time.Month(month), day)
	case 0:
		t, key := at(now.Year(), time.Month(month), day)
		if key == "" && !t.After(now) && t.YearDay() != now.YearDay() {
			return at(now.Year()+1, time.Month(month), day)
		}
		return t, key
	}
	return time.Time{}, "broadcast.when_format"
}

func atoiOr(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// FormatTime writes a moment the way people read it, in local
// time: "Jumat, 12 Juni 2026, 08.00 WIB".
func FormatTime(lang string, loc *time.Location, t time.Time) string {
	t = t.In(loc)
	days := strings.Split(locales.T(lang, "broadcast.weekdays"), ",")
	months := strings.Split(locales.T(lang, "broadcast.months"), ",")
	if len(days) != 7 || len(months) != 12 {
		return t.Format("02-01-2006 15:04 MST")
	}
	return locales.T(lang, "broadcast.datetime", days[t.Weekday()], t.Day(), months[t.Month()-1], t.Year(),
		t.Hour(), t.Minute(), t.Format("MST"))
}
