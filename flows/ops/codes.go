package ops

import (
	"fmt"
	"io"
	"strings"
)

// AttendanceAlphabet leaves out letters and digits that look alike (0/O,
// 1/I/L), so a code read from a whiteboard is typed right.
const AttendanceAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// AttendanceCodeLen is the length of an attendance code.
const AttendanceCodeLen = 6

// NewAttendanceCode makes a random code such as "7KQ3MX". Every code has a
// digit, so that a typed word ("daftar") is never taken for one.
func NewAttendanceCode(random io.Reader) (string, error) {
	for {
		code, err := drawCode(random)
		if err != nil || strings.ContainsAny(code, "23456789") {
			return code, err
		}
	}
}

func drawCode(random io.Reader) (string, error) {
	code := make([]byte, 0, AttendanceCodeLen)
	var buf [16]byte
	for len(code) < AttendanceCodeLen {
		if _, err := io.ReadFull(random, buf[:]); err != nil {
			return "", fmt.Errorf("read random: %w", err)
		}
		for _, b := range buf {
			// Skip the top values so that every letter is equally likely.
			if int(b) < 256-256%len(AttendanceAlphabet) && len(code) < AttendanceCodeLen {
				code = append(code, AttendanceAlphabet[int(b)%len(AttendanceAlphabet)])
			}
		}
	}
	return string(code), nil
}
