package ops

import (
	"fmt"
	"strconv"
	"time"

	"klabot/flows/exportdata"
	"klabot/flows/out"
	"klabot/store"
)

// SessionList is what Sessions found.
type SessionList struct {
	Result
	// Trainings are soonest first, each with its seats taken (Registered),
	// Capacity and people waiting (Waitlisted).
	Trainings []store.Training
}

// Sessions lists the sessions staff work with (staff only): those that
// end after since, cancelled ones included.
func Sessions(tx *store.Tx, a Actor, since time.Time) (SessionList, error) {
	if res, ok := staffOnly(a); !ok {
		return SessionList{Result: res}, nil
	}
	ts, err := tx.TrainingsEndingAfter(since)
	return SessionList{Trainings: ts}, err
}

// SessionView is one session with its people, for staff.
type SessionView struct {
	Result
	Training store.Training
	// Seated hold a seat, in the order they registered; AttendedAt says
	// who came. Waiting are in line, first first (Position).
	Seated, Waiting []store.Registration
	// Attended counts the seated who came.
	Attended int
}

// Session is a session with its registrations, waitlist and attendance
// (staff only).
func Session(tx *store.Tx, a Actor, id int64) (SessionView, error) {
	t, res, err := trainingFor(tx, a, id)
	if err != nil || res.Outcome != Done {
		return SessionView{Result: res}, err
	}
	regs, err := tx.Registrations(t.ID)
	if err != nil {
		return SessionView{}, err
	}
	v := SessionView{Training: t}
	for _, r := range regs {
		switch {
		case r.Status == store.RegWaitlisted:
			v.Waiting = append(v.Waiting, r)
		default:
			v.Seated = append(v.Seated, r)
			if !r.AttendedAt.IsZero() {
				v.Attended++
			}
		}
	}
	return v, nil
}

// Export is a session's registrations asked for as a file.
type Export struct {
	Result
	Training store.Training
	// Name is the file's name; Rows how many registrations it holds; File
	// asks for it to be made (bot/export), with its audit row, once the
	// transaction is committed.
	Name string
	Rows int
	File *out.FileRequest
}

// ExportRegistrations asks for a session's registrations and waitlist as a
// CSV file under dir/exports (staff only). Each export is a new file; it
// is made after the commit, so a transaction that is undone leaves none.
func ExportRegistrations(tx *store.Tx, a Actor, id int64, dir string, now time.Time) (Export, error) {
	t, res, err := trainingFor(tx, a, id)
	if err != nil || res.Outcome != Done {
		return Export{Result: res}, err
	}
	if dir == "" {
		return Export{Result: Result{Outcome: Refused, Why: WhyNoExports}, Training: t}, nil
	}
	regs, err := tx.Registrations(t.ID)
	if err != nil {
		return Export{}, err
	}
	return Export{Training: t, Name: fmt.Sprintf("pelatihan-%d-%s.csv", t.ID, now.Format("20060102-150405")), Rows: len(regs),
		File: &out.FileRequest{Kind: exportdata.FileTrainingList, Args: map[string]string{
			exportdata.ArgTraining: strconv.FormatInt(t.ID, 10), exportdata.ArgActor: a.AuditName(),
			exportdata.ArgAt: now.Format(time.RFC3339Nano)}}}, nil
}
