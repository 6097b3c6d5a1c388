// Package ops holds the staff and volunteer actions on reports, trainings,
// broadcasts, reminders and volunteers as plain functions: one place for each
// rule. The chat steps and the web dashboard both call them. Each operation
// checks the actor's rights, makes its change, writes its audit row and
// returns the messages it owes people, all inside the caller's transaction,
// and says what happened.
package ops

import (
	"strconv"

	"klabot/flows/out"
)

// Actor is who asks for an operation.
type Actor struct {
	UserID int64
	// Staff is true for a contact listed in KLABOT_STAFF. It is decided by
	// the caller from the contact, at the moment of the request.
	Staff bool
	// System names a program acting with staff's rights and no person
	// behind it (UserID 0), as the audit log shows it: "cli".
	System string
}

// CLI is the command line (klabot trainings import...): staff's rights, no
// person.
var CLI = Actor{Staff: true, System: "cli"}

// AuditName is how the actor appears in the audit log.
func (a Actor) AuditName() string {
	if a.System != "" {
		return a.System
	}
	return "user:" + strconv.FormatInt(a.UserID, 10)
}

// Outcome says what an operation did.
type Outcome int

const (
	// Done: the change was made.
	Done Outcome = iota
	// AlreadyDone: the change had been made before (a second click, or
	// someone else at the same moment); nothing changed.
	AlreadyDone
	// NotAllowed: the actor may not do this.
	NotAllowed
	// NotFound: the target does not exist (or is hidden from the actor).
	NotFound
	// Refused: the request is not possible in the target's state; Why says
	// why.
	Refused
)

func (o Outcome) String() string {
	switch o {
	case Done:
		return "done"
	case AlreadyDone:
		return "already done"
	case NotAllowed:
		return "not allowed"
	case NotFound:
		return "not found"
	case Refused:
		return "refused"
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// Result is what an operation tells its caller.
type Result struct {
	Outcome Outcome
	// Why is a locales key explaining a Refused (or NotAllowed) outcome, for
	// the caller to show in the actor's language.
	Why string
	// Messages are owed to other people (the reporter, a volunteer, the
	// staff); the caller queues them in the same transaction.
	Messages []out.Message
}
