package whatsapp

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	waLog "go.mau.fi/whatsmeow/util/log"
)

// jidUser matches the user part of a WhatsApp address in whatsmeow's log
// lines ("6281234567890:12@s.whatsapp.net", "123456789.1:2@lid").
var jidUser = regexp.MustCompile(`[0-9]{5,}([.:][0-9]+)*@`)

// bareNumber matches a phone number or LID written on its own
// ("+6281234567890", "6281234567890"). Message ids mix digits with letters
// and stay; a long plain number such as a timestamp is hidden too, which
// costs little.
var bareNumber = regexp.MustCompile(`\+?\b[0-9]{8,}\b`)

// nameField matches a person's name where whatsmeow's lines carry one: a
// node's notify="…" attribute (dumped whole by "Node handling is taking
// long"), a push name in a struct or JSON dump (PushName:Ani Lestari,
// "push_name":"Ani"), a verified business name. The value runs to the
// closing quote, or to the next field, bracket or line end.
var nameField = regexp.MustCompile(`(?i)(\w*(?:notify|push_?name|verified_?name|business_?name|full_?name|first_?name))("?\s*[:=]\s*)("[^"]*"|[^,}>\]\n]*?)(\s+[A-Za-z_]+[:=]|[,}>\]\n]|$)`)

// redact hides the phone numbers, LIDs and names in a line: they identify
// the people who write to the office, and logs must never do that.
func redact(s string) string {
	var b strings.Builder
	for {
		// By hand, not ReplaceAll: a match ends at the next field's name,
		// which must be looked at again.
		m := nameField.FindStringSubmatchIndex(s)
		if m == nil {
			break
		}
		b.WriteString(s[:m[6]])
		b.WriteString("…")
		s = s[m[7]:]
	}
	b.WriteString(s)
	s = b.String()
	return bareNumber.ReplaceAllString(jidUser.ReplaceAllString(s, "…@"), "…")
}

// hide is err with the numbers in its text hidden; errors.Is and As still
// see the original.
func hide(err error) error {
	if err == nil {
		return nil
	}
	return hidden{err}
}

type hidden struct{ err error }

func (h hidden) Error() string { return redact(h.err.Error()) }
func (h hidden) Unwrap() error { return h.err }

// waLogger passes whatsmeow's log lines to slog, numbers hidden. whatsmeow
// is chatty: its info lines become debug lines here.
type waLogger struct {
	log *slog.Logger
}

// newWALogger makes a whatsmeow logger that writes to log.
func newWALogger(log *slog.Logger) waLog.Logger {
	return waLogger{log: log.With("part", "whatsmeow")}
}

func (l waLogger) Errorf(msg string, args ...any) { l.log.Error(redact(fmt.Sprintf(msg, args...))) }
func (l waLogger) Warnf(msg string, args ...any)  { l.log.Warn(redact(fmt.Sprintf(msg, args...))) }
func (l waLogger) Infof(msg string, args ...any)  { l.log.Debug(redact(fmt.Sprintf(msg, args...))) }
func (l waLogger) Debugf(msg string, args ...any) {
	if l.log.Enabled(context.Background(), slog.LevelDebug) {
		l.log.Debug(redact(fmt.Sprintf(msg, args...)))
	}
}

// Sub gives a module its logger. The raw frames whatsmeow logs as "Recv"
// and "Send" carry people's names and numbers in the clear: never logged.
func (l waLogger) Sub(module string) waLog.Logger {
	if module == "Recv" || module == "Send" {
		return waLog.Noop
	}
	return waLogger{log: l.log.With("module", module)}
}
