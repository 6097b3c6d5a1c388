package exportdata

import (
	"strconv"
	"time"

	"klabot/flows/wilayah"
	"klabot/flows/words"
	"klabot/locales"
	"klabot/store"
)

// Files the chat asks for (out.FileRequest.Kind), made by bot/export once
// the asking turn is committed.
const (
	FileRecapBook    = "recap_xlsx"   // a month's recap workbook
	FileRecapChart   = "recap_png"    // its chart
	FileTrainingList = "training_csv" // a session's registrations
)

// Arguments of a file request.
const (
	ArgMonth    = "month"    // the recap's month, "2006-01"
	ArgAt       = "at"       // when it was asked (RFC 3339): the recap is as of then
	ArgLang     = "lang"     // the language of its words
	ArgActor    = "actor"    // who asked, for the audit row ("user:12")
	ArgTraining = "training" // a training's id
)

// TrainingListHeader are the columns of a session's registrations file.
var TrainingListHeader = []string{"no", "status", "urutan_tunggu", "nama_lengkap", "umur", "desa", "kecamatan", "telepon",
	"prioritas", "jawaban", "daftar_pada", "hadir_pada"}

// TrainingList is a session's registrations, as staff get them in the
// chat.
func TrainingList(regs []store.Registration, loc *time.Location) [][]string {
	var rows [][]string
	word := func(code string) string { return words.ExportWord(locales.Default, code) }
	for i, r := range regs {
		d, _ := wilayah.DesaByCode(r.DesaCode)
		position := ""
		if r.Status == store.RegWaitlisted {
			position = strconv.Itoa(r.Position)
		}
		rows = append(rows, []string{strconv.Itoa(i + 1), word(r.Status), position, r.FullName, strconv.Itoa(r.Age),
			d.Name, d.KecName, DisplayPhone(r.Phone), strconv.Itoa(r.Priority), AnswerList(r.Answers, word),
			Stamp(r.CreatedAt, loc), Stamp(r.AttendedAt, loc)})
	}
	return rows
}
