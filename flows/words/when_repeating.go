package words

import (
	"slices"
	"strconv"
	"strings"
)

// RecurringSpec reads a repeating time the way staff write it: "tiap
// Jumat jam 16.30", "setiap hari pukul 7 pagi", "tiap Senin dan Kamis
// 08.00", "tiap tanggal 1 jam 8", "every Monday at 8:00". It returns the
// cron spec ("30 16 * * 5") and true, or false when the words are not
// plainly one of those: a time of day is needed, and "tiap minggu" (every
// week, or every Sunday?) is left to a clearer answer.
func RecurringSpec(text string) (string, bool) {
	hour, minute, rest, key := SplitWhen(strings.ReplaceAll(text, "'", ""))
	if key != "" {
		return "", false
	}
	var weekdays []int
	var days []int
	daily, weekly := false, false
	for i, w := range rest {
		after := i > 0 && repeatWords[rest[i-1]]
		switch {
		case (w == "minggu" || w == "pekan" || w == "week") && after:
			weekly = true // "tiap minggu": every week, on a day still to be named
		case w == "hari" || w == "harian" || w == "daily" || w == "day" || dayParts[w] && after:
			daily = true // "tiap hari", "tiap pagi"
		case repeatWords[w], listWords[w], dayParts[w]:
		case w == "bulan" || w == "bulanan" || w == "month" || w == "monthly":
		default:
			if d, ok := weekdayNames[w]; ok {
				weekdays = append(weekdays, int(d))
				continue
			}
			n, err := strconv.Atoi(w)
			if err != nil || n < 1 || n > 31 {
				return "", false
			}
			days = append(days, n)
		}
	}
	at := strconv.Itoa(minute) + " " + strconv.Itoa(hour) + " "
	switch {
	case len(days) > 0 && len(weekdays) > 0:
		return "", false // cron would send on either: not what anyone means
	case len(days) > 0:
		return at + list(days) + " * *", true
	case len(weekdays) > 0:
		return at + "* * " + list(weekdays), true
	case daily && !weekly:
		return at + "* * *", true
	}
	return "", false
}

// repeatWords say "every"; listWords join a list.
var (
	repeatWords = map[string]bool{"tiap": true, "setiap": true, "every": true, "each": true}
	listWords   = map[string]bool{"dan": true, "and": true, "&": true, "serta": true, "sama": true, "of": true, "the": true}
)

// list is numbers in order without repeats, comma-separated.
func list(ns []int) string {
	slices.Sort(ns)
	ns = slices.Compact(ns)
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

// IsRecurring tells whether RecurringSpec reads text.
func IsRecurring(text string) bool { _, ok := RecurringSpec(text); return ok }
