package ops

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"klabot/store"
)

// Broadcasts: staff make them (now or for later) and pause, resume or
// cancel them; the broadcaster sends them. The night rule and the parsing
// of times stay with the callers, which ask the person first.

// Reasons (locales keys) for refusing a broadcast change.
const (
	WhyBroadcastStaffOnly = "triage.staff_only"
	WhyBroadcastEmpty     = "broadcast.ask_text"
	WhyBroadcastPast      = "broadcast.when_past"
	// WhyBroadcastState: the broadcast is not in a state that allows it
	// (cancelling one that is done...).
	WhyBroadcastState = "broadcast.cannot"
)

// BroadcastMade is what CreateBroadcast did.
type BroadcastMade struct {
	Result
	Broadcast store.Broadcast
}

// BroadcastSubject is how a broadcast is named in the audit log.
func BroadcastSubject(id int64) string { return "broadcast:" + strconv.FormatInt(id, 10) }

// CreateBroadcast stores a confirmed broadcast from the actor, due at
// b.ScheduledAt (zero or past: now). describe is the audience in words
// for the audit log.
func CreateBroadcast(tx *store.Tx, a Actor, b store.Broadcast, describe string, now time.Time) (BroadcastMade, error) {
	if !a.Staff {
		return BroadcastMade{Result: Result{Outcome: NotAllowed, Why: WhyBroadcastStaffOnly}}, nil
	}
	if strings.TrimSpace(b.Text) == "" && b.PhotoRef == "" {
		return BroadcastMade{Result: Result{Outcome: Refused, Why: WhyBroadcastEmpty}}, nil
	}
	if b.ScheduledAt.IsZero() || b.ScheduledAt.Before(now) {
		b.ScheduledAt = now
	}
	b.CreatedBy = a.UserID
	made, err := tx.CreateBroadcast(b, now)
	if err != nil {
		return BroadcastMade{}, err
	}
	if b.PhotoPath != "" {
		if err := tx.SetBroadcastPhoto(made.ID, b.PhotoPath); err != nil {
			return BroadcastMade{}, err
		}
		made.PhotoPath = b.PhotoPath
	}
	return BroadcastMade{Broadcast: made}, tx.Audit(now, a.AuditName(), "broadcast_create", BroadcastSubject(made.ID), describe)
}

// Broadcast controls.
const (
	BroadcastPause  = "pause"
	BroadcastResume = "resume"
	BroadcastCancel = "cancel"
)

// BroadcastChange is what ChangeBroadcast did.
type BroadcastChange struct {
	Result
	// State is the broadcast's state after the change (or as it is, when
	// nothing changed).
	State string
}

// ChangeBroadcast pauses, resumes or cancels a broadcast (staff only). A
// broadcast already in the asked state is AlreadyDone: the same key
// pressed in the chat and on the web at once applies once.
func ChangeBroadcast(tx *store.Tx, a Actor, id int64, action string, now time.Time) (BroadcastChange, error) {
	if !a.Staff {
		return BroadcastChange{Result: Result{Outcome: NotAllowed, Why: WhyBroadcastStaffOnly}}, nil
	}
	b, err := tx.Broadcast(id)
	if errors.Is(err, store.ErrNotFound) {
		return BroadcastChange{Result: Result{Outcome: NotFound}}, nil
	}
	if err != nil {
		return BroadcastChange{}, err
	}
	want := map[string]string{BroadcastPause: store.BroadcastPaused, BroadcastResume: store.BroadcastSending,
		BroadcastCancel: store.BroadcastCancelled}[action]
	if want == "" {
		return BroadcastChange{Result: Result{Outcome: Refused, Why: WhyBroadcastState}, State: b.State}, nil
	}
	if b.State == want {
		return BroadcastChange{Result: Result{Outcome: AlreadyDone}, State: b.State}, nil
	}
	switch action {
	case BroadcastPause:
		err = tx.PauseBroadcast(id)
	case BroadcastResume:
		err = tx.ResumeBroadcast(id)
	case BroadcastCancel:
		err = tx.CancelBroadcast(id, now)
	}
	if errors.Is(err, store.ErrBroadcastState) {
		return BroadcastChange{Result: Result{Outcome: Refused, Why: WhyBroadcastState}, State: b.State}, nil
	}
	if err != nil {
		return BroadcastChange{}, err
	}
	after, err := tx.Broadcast(id)
	if err != nil {
		return BroadcastChange{}, err
	}
	return BroadcastChange{State: after.State}, tx.Audit(now, a.AuditName(), "broadcast_"+action, BroadcastSubject(id), "")
}
