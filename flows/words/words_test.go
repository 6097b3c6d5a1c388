package words

import (
	"testing"

	"klabot/store"
)

// Staff read where a reporter writes from in words, with a WhatsApp
// number to call; internal ids never show.
func TestContactName(t *testing.T) {
	for _, tc := range []struct {
		contact store.Contact
		want    string
	}{
		{store.Contact{Channel: "telegram", Address: "5101"}, "Telegram"},
		{store.Contact{Channel: "whatsapp", Address: "6281234567890"}, "WhatsApp +6281234567890"},
		{store.Contact{Channel: "whatsapp", Address: "208888888888888@lid"}, "WhatsApp"},
		{store.Contact{Channel: "console", Address: "local"}, "konsol di kantor"},
	} {
		if got := ContactName("id", tc.contact); got != tc.want {
			t.Errorf("ContactName(%v) = %q, want %q", tc.contact, got, tc.want)
		}
	}
}

// Every programme question reads in words in the exports' answers column.
func TestProgramQuestionsHaveExportWords(t *testing.T) {
	for _, p := range Programs {
		for _, q := range p.Questions {
			if got := ExportWord("id", q.Key); got == q.Key {
				t.Errorf("question %s of %s has no export word", q.Key, p.Key)
			}
		}
	}
}
