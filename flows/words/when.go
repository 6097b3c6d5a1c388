package words

import (
	"strings"
	"time"

	"klabot/flows/wilayah"
	"klabot/locales"
	"klabot/store"
)

// When writes a training's time in lang and in loc: "Selasa, 1 Desember
// 2026, 09.00-12.00 WIB".
func When(lang string, loc *time.Location, start, end time.Time) string {
	start, end = start.In(loc), end.In(loc)
	zone := start.Format("MST")
	if start.Year() == end.Year() && start.YearDay() == end.YearDay() {
		return locales.T(lang, "training.when_one_day", Date(lang, start), Clock(lang, start), Clock(lang, end), zone)
	}
	return locales.T(lang, "training.when_days", Date(lang, start), Clock(lang, start),
		Date(lang, end), Clock(lang, end), zone)
}

// Date writes "Selasa, 1 Desember 2026".
func Date(lang string, t time.Time) string {
	days := strings.Split(locales.T(lang, "training.weekdays"), ",")
	months := strings.Split(locales.T(lang, "training.months"), ",")
	if len(days) != 7 || len(months) != 12 {
		return t.Format("2006-01-02")
	}
	return locales.T(lang, "training.date", days[t.Weekday()], t.Day(), months[t.Month()-1], t.Year())
}

// Clock writes "09.00" (id) or "09:00" (en).
func Clock(lang string, t time.Time) string {
	return locales.T(lang, "training.clock", t.Hour(), t.Minute())
}

// Stamp writes a date and time for tables and every export, in loc (WIB):
// "2026-12-01 09:00", which sorts as text; "" for no time.
func Stamp(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

// TrainingPlace is where a training is held: the place and its kecamatan.
func TrainingPlace(lang string, t store.Training) string {
	if k, ok := wilayah.KecamatanByCode(t.KecCode); ok {
		return locales.T(lang, "training.place_in_kec", t.Place, k.Name)
	}
	return t.Place
}

// ProgramName is a programme's full name, or its key when unknown.
func ProgramName(lang, key string) string {
	if p, ok := ProgramByKey(key); ok {
		return locales.T(lang, p.Name)
	}
	return key
}
