package store

import (
	"context"
	"fmt"
	"strings"
)

// Figures for the dashboard's /metrics and /healthz, read from the tables
// themselves so they survive restarts.

// OutboxFigure is how many outbox rows share a channel, priority and state.
type OutboxFigure struct {
	Channel  string
	Priority int
	State    string
	N        int
}

// OutboxFigures counts the outbox by channel, priority and state.
func (db *DB) OutboxFigures(ctx context.Context) ([]OutboxFigure, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT channel, priority, state, count(*) FROM outbox
		GROUP BY channel, priority, state ORDER BY channel, priority, state`)
	if err != nil {
		return nil, fmt.Errorf("count outbox: %w", err)
	}
	return scanAll(rows, "scan outbox count", func(row rowScanner) (OutboxFigure, error) {
		var f OutboxFigure
		err := row.Scan(&f.Channel, &f.Priority, &f.State, &f.N)
		return f, err
	})
}

// SendErrorKind sorts a delivery error into a few kinds.
func SendErrorKind(msg string) string {
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "403") || strings.Contains(m, "blocked") || strings.Contains(m, "forbidden"):
		return "blocked"
	case strings.Contains(m, "429") || strings.Contains(m, "too many") || strings.Contains(m, "retry after"):
		return "rate_limited"
	case strings.Contains(m, "timeout") || strings.Contains(m, "connection") || strings.Contains(m, "dial") ||
		strings.Contains(m, "eof") || strings.Contains(m, "network"):
		return "network"
	case strings.Contains(m, "500") || strings.Contains(m, "502") || strings.Contains(m, "503") || strings.Contains(m, "server"):
		return "server"
	}
	return "other"
}

// SendErrors counts outbox rows that met an error (retried or failed) by
// channel and kind of error.
func (db *DB) SendErrors(ctx context.Context) (map[[2]string]int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT channel, last_error, count(*) FROM outbox
		WHERE last_error != '' GROUP BY channel, last_error`)
	if err != nil {
		return nil, fmt.Errorf("count send errors: %w", err)
	}
	defer rows.Close()
	out := map[[2]string]int{}
	for rows.Next() {
		var ch, msg string
		var n int
		if err := rows.Scan(&ch, &msg, &n); err != nil {
			return nil, fmt.Errorf("scan send errors: %w", err)
		}
		out[[2]string{ch, SendErrorKind(msg)}] += n
	}
	return out, rows.Err()
}

// LastSendError is the latest error met sending on a channel, or "".
func (db *DB) LastSendError(ctx context.Context, channel string) (string, error) {
	var msg string
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE((SELECT last_error FROM outbox
		WHERE channel = ? AND last_error != '' ORDER BY id DESC LIMIT 1), '')`, channel).Scan(&msg)
	if err != nil {
		return "", fmt.Errorf("read last send error: %w", err)
	}
	return msg, nil
}

// InboundCount is how many inbound messages the dedupe log holds (a
// week's worth: older ids are pruned).
func (db *DB) InboundCount(ctx context.Context) (map[string]int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT channel, count(*) FROM inbound GROUP BY channel`)
	if err != nil {
		return nil, fmt.Errorf("count inbound: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var ch string
		var n int
		if err := rows.Scan(&ch, &n); err != nil {
			return nil, fmt.Errorf("scan inbound count: %w", err)
		}
		out[ch] = n
	}
	return out, rows.Err()
}

// Ping tells whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("database does not answer: %w", err)
	}
	return nil
}
