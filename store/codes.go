package store

import (
	"fmt"
	"io"
	"strings"
)

// crockford is Crockford's base32 alphabet: digits and capitals without I,
// L, O and U, so a code read out over the phone is not misheard or misread.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// Code prefixes.
const (
	ReportCodePrefix = "LPR" // laporan
	InviteCodePrefix = "UND" // undangan
)

// newCode makes "<prefix>-XXXX-XXXX" from 40 random bits.
func newCode(prefix string, random io.Reader) (string, error) {
	var b [5]byte
	if _, err := io.ReadFull(random, b[:]); err != nil {
		return "", fmt.Errorf("read random: %w", err)
	}
	bits := uint64(b[0])<<32 | uint64(b[1])<<24 | uint64(b[2])<<16 | uint64(b[3])<<8 | uint64(b[4])
	var c [8]byte
	for i := 7; i >= 0; i-- {
		c[i] = crockford[bits&31]
		bits >>= 5
	}
	return prefix + "-" + string(c[:4]) + "-" + string(c[4:]), nil
}

// NewReportCode makes a report code, LPR-XXXX-XXXX.
func NewReportCode(random io.Reader) (string, error) { return newCode(ReportCodePrefix, random) }

// ParseReportCode reads a report code the way people type it: any case,
// with or without dashes, spaces or the LPR prefix, O for 0 and I or L for
// 1. ok is false when it cannot be a report code.
func ParseReportCode(s string) (string, bool) { return parseCode(ReportCodePrefix, s) }

// ParseInviteCode is ParseReportCode for invite codes (UND-XXXX-XXXX).
func ParseInviteCode(s string) (string, bool) { return parseCode(InviteCodePrefix, s) }

func parseCode(prefix, s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '-', r == ' ', r == '.', r == '_':
			// separators people put in, or none at all
		default:
			return "", false
		}
	}
	raw := b.String()
	if len(raw) == len(prefix)+8 && strings.HasPrefix(raw, prefix) {
		raw = raw[len(prefix):]
	}
	if len(raw) != 8 {
		return "", false
	}
	out := []byte(raw)
	for i, c := range out {
		switch c {
		case 'O':
			out[i] = '0'
		case 'I', 'L':
			out[i] = '1'
		}
		if !strings.ContainsRune(crockford, rune(out[i])) {
			return "", false
		}
	}
	return prefix + "-" + string(out[:4]) + "-" + string(out[4:]), true
}
