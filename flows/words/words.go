// Package words holds the plain words for reports that the chat and the
// staff operations share: categories, statuses, numbers of children, kinds
// of evidence and place names.
package words

import (
	"strings"

	"klabot/flows/wilayah"
	"klabot/locales"
	"klabot/store"
)

// Category is what a report is about, with the KLA cluster and indicator
// it counts towards in the regency's recaps.
type Category struct {
	Key   string
	Label string // locale key; also the option label, so at most 20 characters
	Group string // "" for the first list, else the group it sits under
	// KLA cluster (roman numeral) and indicator number; "" when none fits.
	Cluster, Indicator string
}

// Category groups: the first list shows these and the ungrouped categories,
// so no list has more than seven choices.
const (
	GroupWork    = "work"    // child labour and its worst forms
	GroupExploit = "exploit" // exploitation and trafficking
)

// CategoryGroups are the groups of categories, with their question.
var CategoryGroups = []struct{ Key, Label, Question string }{
	{GroupWork, "report.group.work", "report.group.work_question"},
	{GroupExploit, "report.group.exploit", "report.group.exploit_question"},
}

// Categories: child labour and its worst forms count towards Klaster V
// indicator 21, child marriage towards Klaster II indicator 7, dropping out
// towards Klaster IV (indicator 17, twelve years of school); violence,
// neglect and trafficking towards Klaster V indicator 20; sexual
// exploitation and pornography towards Klaster V indicator 22.
var Categories = []Category{
	{"bpta_tambang", "report.cat.bpta_tambang", GroupWork, "V", "21"},
	{"bpta_sawit", "report.cat.bpta_sawit", GroupWork, "V", "21"},
	{"bpta_kayu", "report.cat.bpta_kayu", GroupWork, "V", "21"},
	{"bpta_jalanan", "report.cat.bpta_jalanan", GroupWork, "V", "21"},
	{"bpta_prt", "report.cat.bpta_prt", GroupWork, "V", "21"},
	{"bpta_lain", "report.cat.bpta_lain", GroupWork, "V", "21"},
	{"pekerja_anak", "report.cat.pekerja_anak", GroupWork, "V", "21"},
	{"eksploitasi_ekonomi", "report.cat.eksploitasi_ekonomi", GroupExploit, "V", "21"},
	{"eksploitasi_seksual", "report.cat.eksploitasi_seksual", GroupExploit, "V", "22"},
	{"perdagangan", "report.cat.perdagangan", GroupExploit, "V", "20"},
	{"kekerasan", "report.cat.kekerasan", "", "V", "20"},
	{"penelantaran", "report.cat.penelantaran", "", "V", "20"},
	{"perkawinan_anak", "report.cat.perkawinan_anak", "", "II", "7"},
	{"putus_sekolah", "report.cat.putus_sekolah", "", "IV", "17"},
	{"lainnya", "report.cat.lainnya", "", "", ""},
}

// CategoryByKey finds a category.
func CategoryByKey(key string) (Category, bool) {
	for _, c := range Categories {
		if c.Key == key {
			return c, true
		}
	}
	return Category{}, false
}

// CategoryName is how a category reads in a summary: "Anak bekerja:
// Tambang" for a grouped one.
func CategoryName(lang, key string) string {
	c, ok := CategoryByKey(key)
	if !ok {
		return key
	}
	for _, g := range CategoryGroups {
		if g.Key == c.Group {
			return locales.T(lang, g.Label) + ": " + locales.T(lang, c.Label)
		}
	}
	return locales.T(lang, c.Label)
}

// Choice is a stored value and the locale key of its label.
type Choice struct{ Key, Label string }

func labelOf(table []Choice, key string) (string, bool) {
	for _, c := range table {
		if c.Key == key {
			return c.Label, true
		}
	}
	return "", false
}

// ChildrenOptions are the answers to "how many children".
var ChildrenOptions = []Choice{
	{"1", "report.children.1"},
	{"2", "report.children.2"},
	{"3", "report.children.3"},
	{"4", "report.children.4"},
	{"5", "report.children.5"},
	{"0", "report.children.unknown"},
}

// ChildrenText is how a number of children reads.
func ChildrenText(lang, v string) string {
	if label, ok := labelOf(ChildrenOptions, v); ok {
		return locales.T(lang, label)
	}
	return locales.T(lang, "report.children_n", v)
}

// StatusLabels are the plain words for each status, and the message that
// tells the reporter their report reached it.
var StatusLabels = []struct{ Status, Label, Push string }{
	{store.StatusNew, "report.status.baru", ""},
	{store.StatusAccepted, "report.status.diterima", "report.push.diterima"},
	{store.StatusVerified, "report.status.diverifikasi", "report.push.diverifikasi"},
	{store.StatusReferred, "report.status.ditindaklanjuti", "report.push.ditindaklanjuti"},
	{store.StatusDone, "report.status.selesai", "report.push.selesai"},
	{store.StatusRejected, "report.status.ditolak", "report.push.ditolak"},
	{store.StatusNotOurs, "report.status.bukan_wewenang", "report.push.bukan_wewenang"},
}

// StatusLabel is a status in plain words, translated by t.
func StatusLabel(t func(string, ...any) string, status string) string {
	for _, s := range StatusLabels {
		if s.Status == status {
			return t(s.Label)
		}
	}
	return status
}

// ReportStatusName is what a report's status is called wherever it is
// shown at this moment (the reporter's list and card, the update pushed to
// them, the staff card): an accepted report with a volunteer on it is with
// the volunteer.
func ReportStatusName(t func(string, ...any) string, r store.Report) string {
	if r.Status == store.StatusAccepted && r.AssignedTo != 0 {
		return t("report.status.ditugaskan")
	}
	return StatusLabel(t, r.Status)
}

// MediaKinds name the kinds of evidence.
var MediaKinds = []Choice{
	{"photo", "triage.kind.photo"},
	{"voice", "triage.kind.voice"},
	{"video", "triage.kind.video"},
	{"document", "triage.kind.document"},
}

// MediaKindName is a kind of evidence in plain words.
func MediaKindName(lang, kind string) string {
	if label, ok := labelOf(MediaKinds, kind); ok {
		return locales.T(lang, label)
	}
	return kind
}

// PlaceName is "Desa, Kecamatan" for the codes of a place, or "".
func PlaceName(kecCode, desaCode string) string {
	if d, ok := wilayah.DesaByCode(desaCode); ok {
		return d.Name + ", " + d.KecName
	}
	if k, ok := wilayah.KecamatanByCode(kecCode); ok {
		return k.Name
	}
	return ""
}

// ShortText cuts s to n characters, with an ellipsis.
func ShortText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n])) + "…"
}

// Roles a person can say they have. Being a Satgas PA volunteer with rights
// over reports takes an invite from staff; this is only what they told us.
var Roles = []Choice{
	{"warga", "role.resident"},
	{"forum_anak", "role.forum_anak"},
	{"satgas", "role.satgas"},
	{"peserta", "role.trainee"},
	{"lainnya", "role.other"},
}

// ExportWord names a stored code in an export: a role by its label, any
// other known code by its word, else as it is.
func ExportWord(lang, code string) string {
	if label, ok := labelOf(Roles, code); ok {
		return locales.T(lang, label)
	}
	if key, ok := exportWords[code]; ok {
		return locales.T(lang, key)
	}
	return code
}

// exportWords are the codes stored in English that exports show.
var exportWords = map[string]string{
	store.RegRegistered: "export.word.registered", store.RegWaitlisted: "export.word.waitlisted",
	store.RegCancelled: "export.word.cancelled", store.BroadcastScheduled: "export.word.scheduled",
	store.BroadcastSending: "export.word.sending", store.BroadcastPaused: "export.word.paused",
	store.BroadcastDone: "export.word.done", store.BroadcastMissed: "export.word.missed",
	"yes": "export.word.yes", "no": "export.word.no",
	store.ToAll: "export.word.all", store.ToRole: "export.word.role", store.ToKec: "export.word.kec",
	store.ToDesa: "export.word.desa", store.ToTraining: "export.word.training", store.ToChannel: "export.word.channel",
	// The keys of the programmes' questions, as a registration's answers hold them.
	"extreme_poor": "export.word.q_extreme_poor", "child_dropout_risk": "export.word.q_child_dropout_risk",
	"female_head": "export.word.q_female_head", "guardian_ok": "export.word.q_guardian_ok",
	"out_of_school": "export.word.q_out_of_school", "transmigrant_family": "export.word.q_transmigrant_family",
	"satgas_member": "export.word.q_satgas_member",
}

// ContactName is how staff read where a person writes from: the channel,
// and for WhatsApp the number to call when there is one (a Telegram chat
// id or a WhatsApp LID means nothing to a person).
func ContactName(lang string, c store.Contact) string {
	switch c.Channel {
	case "telegram":
		return locales.T(lang, "contact.telegram")
	case "whatsapp":
		if c.Address != "" && strings.Trim(c.Address, "0123456789") == "" {
			return locales.T(lang, "contact.whatsapp_number", "+"+c.Address)
		}
		return locales.T(lang, "contact.whatsapp")
	case "console":
		return locales.T(lang, "contact.console")
	}
	return c.Channel
}

// AdultAge is the age from which a person is no longer a child (UU
// 35/2014): younger reporters and trainees are asked for less.
const AdultAge = 18
