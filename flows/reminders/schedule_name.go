package reminders

import (
	"fmt"
	"strconv"
	"strings"

	"klabot/locales"
)

// ScheduleName says a reminder's schedule in words: a preset's name as
// the chat offers it, a daily, weekly or monthly time in the same manner,
// or, when no words fit, the spec itself.
func ScheduleName(lang, spec string) string {
	spec = strings.Join(strings.Fields(spec), " ")
	for _, p := range specPresets {
		if p.spec == spec {
			return locales.T(lang, p.label)
		}
	}
	f := strings.Fields(spec)
	if len(f) != 5 || f[3] != "*" {
		return spec
	}
	m, errM := strconv.Atoi(f[0])
	h, errH := strconv.Atoi(f[1])
	if errM != nil || errH != nil || m < 0 || m > 59 || h < 0 || h > 23 {
		return spec
	}
	sep := "."
	if lang == "en" {
		sep = ":"
	}
	at := fmt.Sprintf("%02d%s%02d", h, sep, m)
	dom, dow := f[2], f[4]
	switch {
	case dom == "*" && dow == "*":
		return locales.T(lang, "reminders.every_day", at)
	case dom == "*":
		d, err := strconv.Atoi(dow)
		days := strings.Split(locales.T(lang, "broadcast.weekdays"), ",")
		if err != nil || d < 0 || d > 7 || len(days) != 7 {
			return spec
		}
		return locales.T(lang, "reminders.every_weekday", days[d%7], at)
	case dow == "*":
		d, err := strconv.Atoi(dom)
		if err != nil || d < 1 || d > 31 {
			return spec
		}
		return locales.T(lang, "reminders.every_month", d, at)
	}
	return spec
}
