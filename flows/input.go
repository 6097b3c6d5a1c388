package flows

import (
	"strings"

	"klabot/flows/match"
)

// Kind says what a person sent.
type Kind string

// The kinds of input a channel can deliver.
const (
	KindText     Kind = "text"
	KindButton   Kind = "button"
	KindPhoto    Kind = "photo"
	KindVoice    Kind = "voice"
	KindVideo    Kind = "video"
	KindDocument Kind = "document"
	KindSticker  Kind = "sticker"
	KindLocation Kind = "location"
	KindContact  Kind = "contact"
	KindEdited   Kind = "edited" // a message changed after it was sent
	KindOther    Kind = "other"
)

// Media points at a file the person sent; the channel can fetch it by Ref.
type Media struct {
	Ref      string `json:"ref"`
	Mime     string `json:"mime,omitempty"`
	Size     int64  `json:"size,omitempty"`
	FileName string `json:"file_name,omitempty"`
}

// Input is one message from a person, as the flows see it.
type Input struct {
	Kind     Kind
	Text     string // typed text or media caption
	Payload  string // button data
	Media    *Media
	Lat, Lon float64
	Phone    string
	// Late: the message reached klabot long after it was sent (the
	// server was down). What the person chose then may not fit the
	// question open now.
	Late bool
}

// HasMedia tells whether the input carries a file.
func (in Input) HasMedia() bool { return in.Media != nil }

// Normalize folds text for matching, by the rule shared with place names.
func Normalize(s string) string { return match.Normalize(s) }

// NumberWords lets people answer "dua" or "two" for option 2.
var NumberWords = map[string]int{
	"satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8, "sembilan": 9, "sepuluh": 10,
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}

// OptionNumber reads "2", "2.", "2)", "no 2" or "dua" as 2; 0 if it is not a number.
func OptionNumber(norm string) int {
	norm = strings.TrimPrefix(norm, "no ")
	norm = strings.TrimPrefix(norm, "nomor ")
	if n, ok := NumberWords[norm]; ok {
		return n
	}
	if norm == "" || len(norm) > 3 {
		return 0
	}
	n := 0
	for _, r := range norm {
		if r < '0' || r > '9' {
			return 0
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// yesNoWords are the everyday ways of saying yes or no; they pick the
// option keyed "yes" or "no" whatever its label ("Ya, daftarkan", "Setuju").
var yesNoWords = map[string]string{
	"ya": "yes", "iya": "yes", "iyaa": "yes", "y": "yes", "yes": "yes", "ok": "yes", "oke": "yes", "okay": "yes",
	"boleh": "yes", "betul": "yes", "benar": "yes", "mau": "yes",
	"tidak": "no", "tdk": "no", "gak": "no", "ga": "no", "nggak": "no", "ngga": "no", "enggak": "no", "engga": "no",
	"tak": "no", "no": "no", "n": "no", "jangan": "no", "bukan": "no", "bkn": "no",
}

// yesNoKey is "yes" or "no" for such a word; "" for anything else.
func yesNoKey(norm string) string { return yesNoWords[norm] }
