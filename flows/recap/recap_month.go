package recap

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"klabot/flows"
	"klabot/flows/exportdata"
	"klabot/flows/words"
)

var (
	// ErrMonth: the text is not a month.
	ErrMonth = errors.New("not a month")
	// ErrMonthFuture: a month that has not begun has no recap yet.
	ErrMonthFuture = errors.New("that month has not come yet")
)

// relativeMonths are words for this month (0), the one before (-1) and
// the next (1, which has no recap yet).
var relativeMonths = map[string]int{
	"bulan ini": 0, "this month": 0,
	"bulan lalu": -1, "bulan kemarin": -1, "last month": -1,
	"bulan depan": 1, "next month": 1,
}

// ParseMonth reads a month the way staff write it, for the recap in chat
// and on the command line: "2026-11", "11/2026", "november", "nov 2026",
// "bulan ini", "bulan lalu" (Indonesian or English names and short forms).
// A month named without a year is the latest one that has begun. It gives
// the month's start and end in loc, ErrMonth for text that is not a month
// and ErrMonthFuture for a month still to come.
func ParseMonth(s string, now time.Time, loc *time.Location) (from, to time.Time, err error) {
	this, _ := exportdata.MonthOf(now, loc)
	text := flows.Normalize(s) // "11/2026" is "11 2026", "2026-11" is "2026 11"
	if rel, ok := relativeMonths[text]; ok {
		from = this.AddDate(0, rel, 0)
	} else if from, err = monthOfWords(strings.Fields(strings.TrimPrefix(text, "bulan ")), this); err != nil {
		return time.Time{}, time.Time{}, err
	}
	if from.After(this) {
		return time.Time{}, time.Time{}, ErrMonthFuture
	}
	return from, from.AddDate(0, 1, 0), nil
}

// monthOfWords reads a month's name alone (the latest such month up to
// this one), or its name or number with a four-digit year, either first.
func monthOfWords(fields []string, this time.Time) (time.Time, error) {
	year, month := 0, time.Month(0)
	switch len(fields) {
	case 1:
		year, month = this.Year(), words.MonthNames[fields[0]]
		if month > this.Month() {
			year--
		}
	case 2:
		m, y := fields[0], fields[1]
		if len(m) == 4 {
			m, y = y, m
		}
		if len(y) == 4 {
			year, _ = strconv.Atoi(y)
		}
		month = words.MonthNames[m]
		if n, err := strconv.Atoi(m); err == nil && len(m) <= 2 {
			month = time.Month(n)
		}
	}
	if year < 1 || month < time.January || month > time.December {
		return time.Time{}, ErrMonth
	}
	return time.Date(year, month, 1, 0, 0, 0, 0, this.Location()), nil
}
