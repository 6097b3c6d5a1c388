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
	if len(f) == 1 && descriptors[f[0]] != "" {
		f = strings.Fields(descriptors[f[0]])
	}
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
		days := strings.Split(locales.T(lang, "broadcast.weekdays"), ",")
		names, ok := listed(lang, dow, 0, 7, func(d int) string { return days[d%7] })
		if !ok || len(days) != 7 {
			return spec
		}
		return locales.T(lang, "reminders.every_weekday", names, at)
	case dow == "*":
		names, ok := listed(lang, dom, 1, 31, strconv.Itoa)
		if !ok {
			return spec
		}
		return locales.T(lang, "reminders.every_month", names, at)
	}
	return spec
}

// descriptors are the cron shorthands staff may type, as five fields.
var descriptors = map[string]string{"@daily": "0 0 * * *", "@midnight": "0 0 * * *",
	"@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *"}

// listed names a cron field's comma-separated numbers ("1,4") in words:
// "Senin dan Kamis"; false when it holds anything else (a range, a step).
func listed(lang, field string, lo, hi int, name func(int) string) (string, bool) {
	var names []string
	for _, part := range strings.Split(field, ",") {
		n, err := strconv.Atoi(part)
		if err != nil || n < lo || n > hi {
			return "", false
		}
		names = append(names, name(n))
	}
	if len(names) == 1 {
		return names[0], true
	}
	return strings.Join(names[:len(names)-1], ", ") + " " + locales.T(lang, "reminders.and") + " " + names[len(names)-1], true
}
