package message_test

import (
	"strings"
	"testing"

	"klabot/bot/message"
)

// Long texts are cut where a reader expects a break: between paragraphs,
// else lines, else sentences, else words; never inside a word.
func TestSplitTextKeepsWordsWhole(t *testing.T) {
	para := "Anak-anak bekerja di kebun sawit setiap pagi sebelum sekolah. Mereka membawa karung berat."
	for _, tc := range []struct {
		name, text string
		limit      int
		want       []string
	}{
		{"short", "Halo.", 10, []string{"Halo."}},
		{"paragraphs", para + "\n\n" + para, len(para) + 10, []string{para, para}},
		{"lines", "Baris satu.\nBaris dua.\nBaris tiga.", 25, []string{"Baris satu.\nBaris dua.", "Baris tiga."}},
		{"sentences", para, 80, []string{
			"Anak-anak bekerja di kebun sawit setiap pagi sebelum sekolah.", "Mereka membawa karung berat."}},
		{"words", "Anak-anak bekerja di kebun sawit setiap pagi", 15, []string{
			"Anak-anak", "bekerja di", "kebun sawit", "setiap pagi"}},
		{"a word longer than the limit", "Kabupaten Bengkayang", 6, []string{"Kabupa", "ten", "Bengka", "yang"}},
	} {
		got := message.SplitText(tc.text, tc.limit)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
		for _, p := range got {
			if n := len([]rune(p)); n > tc.limit {
				t.Errorf("%s: piece of %d characters, limit %d", tc.name, n, tc.limit)
			}
		}
	}

	// A long report: every word arrives whole, in order.
	long := strings.Repeat(para+" ", 150)
	var words []string
	for _, p := range message.SplitText(long, message.MaxText) {
		words = append(words, strings.Fields(p)...)
	}
	if strings.Join(words, " ") != strings.Join(strings.Fields(long), " ") {
		t.Error("a word was cut or lost")
	}
}
