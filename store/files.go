package store

import (
	"context"
	"fmt"
	"time"
)

// FileJob is a file someone asked for in the chat (an export), to be made
// after the turn that asked for it is committed and then sent to them.
type FileJob struct {
	ID       int64
	Channel  string
	Address  string
	Priority int
	// Payload is the message that carries the file, encoded by the bot
	// package; its attachment says what to make.
	Payload  []byte
	Attempts int
}

// AddFileJob records a file to make, as part of the turn that asks for it.
func (tx *Tx) AddFileJob(j FileJob, now time.Time) error {
	_, err := tx.exec(`INSERT INTO file_jobs(channel, address, priority, payload, not_before, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, j.Channel, j.Address, j.Priority, string(j.Payload), FormatTime(now), FormatTime(now))
	if err != nil {
		return fmt.Errorf("add file job: %w", err)
	}
	tx.filesAdded = true
	return nil
}

// DueFileJobs lists up to limit files to make whose time has come, oldest
// first.
func (db *DB) DueFileJobs(ctx context.Context, now time.Time, limit int) ([]FileJob, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, channel, address, priority, payload, attempts FROM file_jobs
		WHERE state = 'pending' AND not_before <= ? ORDER BY id LIMIT ?`, FormatTime(now), limit)
	if err != nil {
		return nil, fmt.Errorf("list file jobs: %w", err)
	}
	return scanAll(rows, "scan file job", func(row rowScanner) (FileJob, error) {
		var j FileJob
		var payload string
		err := row.Scan(&j.ID, &j.Channel, &j.Address, &j.Priority, &payload, &j.Attempts)
		j.Payload = []byte(payload)
		return j, err
	})
}

// NextFileJob is when the next pending file job is due (zero: none).
func (db *DB) NextFileJob(ctx context.Context) (time.Time, error) {
	var next string
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MIN(not_before), '') FROM file_jobs WHERE state = 'pending'`).Scan(&next)
	if err != nil {
		return time.Time{}, fmt.Errorf("next file job: %w", err)
	}
	return ParseTime(next), nil
}

// FinishFileJob marks a file job done; false if it was done already (a run
// before a crash), when its message must not be queued again.
func (tx *Tx) FinishFileJob(id int64, now time.Time) (bool, error) {
	res, err := tx.exec(`UPDATE file_jobs SET state = 'done', done_at = ?, attempts = attempts + 1
		WHERE id = ? AND state = 'pending'`, FormatTime(now), id)
	if err != nil {
		return false, fmt.Errorf("finish file job: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// RetryFileJob records a failed attempt: tried again at retryAt, or given
// up (failed) when retryAt is zero.
func (tx *Tx) RetryFileJob(id int64, problem string, retryAt, now time.Time) error {
	var err error
	if retryAt.IsZero() {
		_, err = tx.exec(`UPDATE file_jobs SET state = 'failed', attempts = attempts + 1, last_error = ?, done_at = ?
			WHERE id = ? AND state = 'pending'`, problem, FormatTime(now), id)
	} else {
		_, err = tx.exec(`UPDATE file_jobs SET attempts = attempts + 1, last_error = ?, not_before = ?
			WHERE id = ? AND state = 'pending'`, problem, FormatTime(retryAt), id)
	}
	if err != nil {
		return fmt.Errorf("record file job attempt: %w", err)
	}
	return nil
}
