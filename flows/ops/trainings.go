package ops

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"klabot/flows/out"
	"klabot/flows/wilayah"
	"klabot/flows/words"
	"klabot/locales"
	"klabot/store"
)

// Staff manage training sessions: create, change, move and cancel them,
// message the people in one, export its registrations and mark who came.
// Whoever a change concerns is told, in their own language; times are
// written in now's location, which is also the office's for reminders.

// Limits of a session.
const (
	MinTitleRunes  = 3
	MaxTitleRunes  = 100
	MinPlaceRunes  = 2
	MaxPlaceRunes  = 120
	MaxDescription = 500
	MaxCapacity    = 1000
	MaxDuration    = 31 * 24 * time.Hour
	MaxAhead       = 2 * 365 * 24 * time.Hour
	// MinMessageRunes is the shortest message to a session's people.
	MinMessageRunes = 2
)

// Parts of a session, as TrainingChange.Field names what is wrong; they are
// also the columns of the CSV import.
const (
	FieldProgram     = "program"
	FieldTitle       = "title"
	FieldDescription = "description"
	FieldKecamatan   = "kecamatan"
	FieldPlace       = "place"
	FieldStart       = "starts_at"
	FieldEnd         = "ends_at"
	FieldCapacity    = "capacity"
)

// Reasons (locales keys) an operation on trainings gives with Refused.
const (
	WhyProgram       = "training.csv_bad_program"
	WhyTitle         = "training.title_invalid"
	WhyDescription   = "training.desc_too_long"
	WhyKecamatan     = "training.csv_bad_kec"
	WhyPlace         = "training.place_invalid"
	WhyStartPast     = "training.date_past"
	WhyStartFar      = "training.date_far"
	WhyEndBefore     = "training.end_before_start"
	WhyEndFar        = "training.end_too_far"
	WhyCapacity      = "training.capacity_range"
	WhyCapacityBelow = "training.capacity_below"
	// WhyTrainingClosed: the session has started or was cancelled, so it
	// can no longer be changed (nor registrations in it).
	WhyTrainingClosed = "training.closed"
	WhyMessageEmpty   = "training.message_invalid"
	// WhyNotSeated: the person holds no seat in the session.
	WhyNotSeated = "training.code_not_registered"
	// WhyNoExports: there is no folder to write an export to.
	WhyNoExports = "training.export_unavailable"
	// WhyTrainingExists: a session of this programme and title starts at
	// that time already (an import made twice).
	WhyTrainingExists = "training.csv_exists"
)

// TrainingSubject is how a session is named in the audit log.
func TrainingSubject(id int64) string { return "training:" + strconv.FormatInt(id, 10) }

func userSubject(id int64) string { return "user:" + strconv.FormatInt(id, 10) }

func staffOnly(a Actor) (Result, bool) {
	if a.Staff {
		return Result{}, true
	}
	return Result{Outcome: NotAllowed, Why: WhyStaffOnly}, false
}

// CheckTraining tells what is wrong with a session's parts, or "" when
// nothing is: the field and the reason. Texts are expected trimmed.
func CheckTraining(t store.Training, now time.Time) (field, why string) {
	title, place := []rune(t.Title), []rune(t.Place)
	switch _, program := words.ProgramByKey(t.Program); {
	case !program:
		return FieldProgram, WhyProgram
	case len(title) < MinTitleRunes || len(title) > MaxTitleRunes:
		return FieldTitle, WhyTitle
	case len([]rune(t.Description)) > MaxDescription:
		return FieldDescription, WhyDescription
	}
	if _, ok := wilayah.KecamatanByCode(t.KecCode); !ok {
		return FieldKecamatan, WhyKecamatan
	}
	switch {
	case len(place) < MinPlaceRunes || len(place) > MaxPlaceRunes:
		return FieldPlace, WhyPlace
	case !t.StartsAt.After(now):
		return FieldStart, WhyStartPast
	case t.StartsAt.After(now.Add(MaxAhead)):
		return FieldStart, WhyStartFar
	case !t.EndsAt.After(t.StartsAt):
		return FieldEnd, WhyEndBefore
	case t.EndsAt.Sub(t.StartsAt) > MaxDuration:
		return FieldEnd, WhyEndFar
	case t.Capacity < 1 || t.Capacity > MaxCapacity:
		return FieldCapacity, WhyCapacity
	}
	return "", ""
}

// Changeable tells whether a session can still be changed, moved or
// cancelled, and people can still register or cancel: it is scheduled and
// has not started.
func Changeable(t store.Training, now time.Time) bool {
	return t.Status == store.TrainingScheduled && now.Before(t.StartsAt)
}

// TrainingChange is what an operation on a session did.
type TrainingChange struct {
	Result
	// Training is the session as it is now (for AlreadyDone too).
	Training store.Training
	// Field is the part a Refused check is about ("" otherwise).
	Field string
	// Promoted got a seat from the waitlist, and were told.
	Promoted []store.Registration
	// Told is how many others were told (of a move, a cancellation, a
	// message).
	Told int
}

func refusedField(field, why string) TrainingChange {
	return TrainingChange{Result: Result{Outcome: Refused, Why: why}, Field: field}
}

// CreateTraining makes a new session (staff only) with a fresh attendance
// code drawn from random. The same session made again (same programme,
// title and start) is AlreadyDone.
func CreateTraining(tx *store.Tx, a Actor, t store.Training, random io.Reader, now time.Time) (TrainingChange, error) {
	return createTraining(tx, a, t, random, now, "training_create")
}

func createTraining(tx *store.Tx, a Actor, t store.Training, random io.Reader, now time.Time, action string) (TrainingChange, error) {
	if res, ok := staffOnly(a); !ok {
		return TrainingChange{Result: res}, nil
	}
	if field, why := CheckTraining(t, now); why != "" {
		return refusedField(field, why), nil
	}
	exists, err := tx.TrainingExists(t.Program, t.Title, t.StartsAt)
	if err != nil || exists {
		return TrainingChange{Result: Result{Outcome: AlreadyDone, Why: WhyTrainingExists}}, err
	}
	if t.AttendanceCode, err = uniqueAttendanceCode(tx, random); err != nil {
		return TrainingChange{}, err
	}
	t.CreatedBy = a.UserID
	if t, err = tx.CreateTraining(t, now); err != nil {
		return TrainingChange{}, err
	}
	return TrainingChange{Training: t}, audit(tx, a, now, action, TrainingSubject(t.ID), t.Title)
}

// Import is what ImportTrainings did.
type Import struct {
	Result
	Trainings []store.Training
	// Problems are the sessions that could not be made, by their index in
	// the list; then none was.
	Problems map[int]TrainingChange
}

// ImportTrainings makes every session of a list, or none of them when one
// cannot be made (a check fails, or it exists already: the list was
// imported before); then Outcome is Refused and Problems says why. The
// caller rolls tx back on error.
func ImportTrainings(tx *store.Tx, a Actor, ts []store.Training, random io.Reader, now time.Time) (Import, error) {
	if res, ok := staffOnly(a); !ok {
		return Import{Result: res}, nil
	}
	im := Import{Problems: map[int]TrainingChange{}}
	for i, t := range ts {
		if field, why := CheckTraining(t, now); why != "" {
			im.Problems[i] = refusedField(field, why)
			continue
		}
		exists, err := tx.TrainingExists(t.Program, t.Title, t.StartsAt)
		if err != nil {
			return Import{}, err
		}
		if exists {
			im.Problems[i] = TrainingChange{Result: Result{Outcome: AlreadyDone, Why: WhyTrainingExists}}
		}
	}
	if len(im.Problems) > 0 {
		im.Outcome = Refused
		return im, nil
	}
	for _, t := range ts {
		ch, err := createTraining(tx, a, t, random, now, "training_import")
		if err != nil {
			return Import{}, err
		}
		if ch.Outcome != Done { // the list named one session twice
			return Import{}, fmt.Errorf("import training %q: %v", t.Title, ch.Outcome)
		}
		im.Trainings = append(im.Trainings, ch.Training)
	}
	return im, nil
}

// uniqueAttendanceCode draws codes until one is free; with 31^6 codes a
// second draw is already rare.
func uniqueAttendanceCode(tx *store.Tx, random io.Reader) (string, error) {
	for range 20 {
		code, err := NewAttendanceCode(random)
		if err != nil {
			return "", err
		}
		taken, err := tx.AttendanceCodeTaken(code)
		if err != nil {
			return "", err
		}
		if !taken {
			return code, nil
		}
	}
	return "", errors.New("no free attendance code found")
}

// trainingFor loads a session for staff.
func trainingFor(tx *store.Tx, a Actor, id int64) (store.Training, Result, error) {
	if res, ok := staffOnly(a); !ok {
		return store.Training{}, res, nil
	}
	t, err := tx.Training(id)
	if errors.Is(err, store.ErrTrainingNotFound) {
		return t, Result{Outcome: NotFound}, nil
	}
	return t, Result{}, err
}

// UpdateTraining saves a session's title, description, place, times and
// capacity (staff only; its programme stays: registrations answered its
// questions). Everyone registered or waiting is told of a new time or
// place; new seats go to the people waiting, who are told. Saving it
// unchanged is AlreadyDone.
func UpdateTraining(tx *store.Tx, a Actor, t store.Training, now time.Time) (TrainingChange, error) {
	cur, res, err := trainingFor(tx, a, t.ID)
	if err != nil || res.Outcome != Done {
		return TrainingChange{Result: res}, err
	}
	if !Changeable(cur, now) {
		return TrainingChange{Result: Result{Outcome: Refused, Why: WhyTrainingClosed}, Training: cur}, nil
	}
	t.Program = cur.Program
	if field, why := CheckTraining(t, now); why != "" {
		return refusedField(field, why), nil
	}
	if t.Capacity < cur.Registered {
		return refusedField(FieldCapacity, WhyCapacityBelow), nil
	}
	moved := !t.StartsAt.Equal(cur.StartsAt) || !t.EndsAt.Equal(cur.EndsAt) || t.Place != cur.Place || t.KecCode != cur.KecCode
	if !moved && t.Title == cur.Title && t.Description == cur.Description && t.Capacity == cur.Capacity {
		return TrainingChange{Result: Result{Outcome: AlreadyDone}, Training: cur}, nil
	}
	regs, err := tx.Registrations(cur.ID)
	if err != nil {
		return TrainingChange{}, err
	}
	promoted, err := tx.UpdateTraining(t, now)
	if err != nil {
		return TrainingChange{}, err
	}
	if err := tx.SyncTrainingReminders(t.ID, now.Location(), now); err != nil {
		return TrainingChange{}, err
	}
	ch := TrainingChange{Promoted: promoted}
	if ch.Training, err = tx.Training(t.ID); err != nil {
		return ch, err
	}
	if err := ch.tellPromoted(tx, ch.Training, promoted, now.Location()); err != nil {
		return ch, err
	}
	if moved {
		skip := map[int64]bool{}
		for _, p := range promoted {
			skip[p.UserID] = true // their message has the new time and place already
		}
		nt := ch.Training
		err := ch.tellEach(tx, regs, skip, store.PriorityAlert, func(lang string) string {
			return locales.T(lang, "training.session_moved_notice", nt.Title, words.When(lang, now.Location(), nt.StartsAt, nt.EndsAt),
				words.TrainingPlace(lang, nt))
		})
		if err != nil {
			return ch, err
		}
		ch.Told = len(regs)
	}
	return ch, audit(tx, a, now, "training_update", TrainingSubject(t.ID), ch.Training.Title)
}

// CancelTraining cancels a session that has not started (staff only);
// everyone registered or waiting is told.
func CancelTraining(tx *store.Tx, a Actor, id int64, now time.Time) (TrainingChange, error) {
	t, res, err := trainingFor(tx, a, id)
	if err != nil || res.Outcome != Done {
		return TrainingChange{Result: res}, err
	}
	if t.Status == store.TrainingCancelled {
		return TrainingChange{Result: Result{Outcome: AlreadyDone}, Training: t}, nil
	}
	if !Changeable(t, now) {
		return TrainingChange{Result: Result{Outcome: Refused, Why: WhyTrainingClosed}, Training: t}, nil
	}
	regs, err := tx.Registrations(t.ID)
	if err != nil {
		return TrainingChange{}, err
	}
	if err := tx.CancelTraining(t.ID, now); err != nil {
		return TrainingChange{}, err
	}
	if err := tx.SyncTrainingReminders(t.ID, now.Location(), now); err != nil {
		return TrainingChange{}, err
	}
	ch := TrainingChange{Told: len(regs)}
	if ch.Training, err = tx.Training(t.ID); err != nil {
		return ch, err
	}
	err = ch.tellEach(tx, regs, nil, store.PriorityAlert, func(lang string) string {
		return locales.T(lang, "training.session_cancelled_notice", t.Title, words.When(lang, now.Location(), t.StartsAt, t.EndsAt))
	})
	if err != nil {
		return ch, err
	}
	return ch, audit(tx, a, now, "training_cancel", TrainingSubject(t.ID), t.Title)
}

// messageRepeat is how long the same message to the same session from the
// same person counts as a second press, not a new message.
const messageRepeat = time.Hour

// MessageText is a staff message as the people of a session receive it.
func MessageText(lang string, t store.Training, text string) string {
	return locales.T(lang, "training.staff_message", t.Title, text)
}

// MessageTraining sends a message to everyone registered or waiting in a
// session (staff only). The same message sent again within an hour is
// AlreadyDone.
func MessageTraining(tx *store.Tx, a Actor, id int64, text string, now time.Time) (TrainingChange, error) {
	t, res, err := trainingFor(tx, a, id)
	if err != nil || res.Outcome != Done {
		return TrainingChange{Result: res}, err
	}
	text = strings.TrimSpace(text)
	if len([]rune(text)) < MinMessageRunes {
		return TrainingChange{Result: Result{Outcome: Refused, Why: WhyMessageEmpty}, Training: t}, nil
	}
	regs, err := tx.Registrations(t.ID)
	if err != nil {
		return TrainingChange{}, err
	}
	detail := fmt.Sprintf("%d people, %s", len(regs), digest(text))
	at, last, found, err := tx.LastAudit(a.AuditName(), "training_message", TrainingSubject(t.ID))
	if err != nil {
		return TrainingChange{}, err
	}
	if found && strings.HasSuffix(last, ", "+digest(text)) && now.Sub(at) < messageRepeat {
		return TrainingChange{Result: Result{Outcome: AlreadyDone}, Training: t}, nil
	}
	ch := TrainingChange{Training: t, Told: len(regs)}
	err = ch.tellEach(tx, regs, nil, store.PriorityReminder, func(lang string) string { return MessageText(lang, t, text) })
	if err != nil {
		return ch, err
	}
	return ch, audit(tx, a, now, "training_message", TrainingSubject(t.ID), detail)
}

// digest names a text in the audit log without its words.
func digest(text string) string {
	sum := sha256.Sum256([]byte(text))
	return "text " + hex.EncodeToString(sum[:4])
}

// tellEach sends every registration's person a text in their language,
// except the people in skip.
func (res *Result) tellEach(tx *store.Tx, regs []store.Registration, skip map[int64]bool, priority int, text func(lang string) string) error {
	for _, r := range regs {
		if skip[r.UserID] {
			continue
		}
		u, err := tx.User(r.UserID)
		if err != nil {
			return err
		}
		res.Messages = append(res.Messages, out.Message{UserID: u.ID, Priority: priority, Reply: out.Reply{Text: text(u.Lang)}})
	}
	return nil
}

// tellPromoted tells the people who just got a seat of t from the
// waitlist, each in their own language.
// The offer carries a key to the person's registrations, where they can
// give the seat back.
func (res *Result) tellPromoted(tx *store.Tx, t store.Training, promoted []store.Registration, loc *time.Location) error {
	for _, r := range promoted {
		u, err := tx.User(r.UserID)
		if err != nil {
			return err
		}
		res.Messages = append(res.Messages, out.Message{UserID: u.ID, Priority: store.PriorityAlert, Reply: out.Reply{
			Text:    locales.T(u.Lang, "training.promoted", t.Title, words.When(u.Lang, loc, t.StartsAt, t.EndsAt), words.TrainingPlace(u.Lang, t)),
			Options: []out.Option{{Key: "/pelatihan saya", Label: locales.T(u.Lang, "training.opt_mine")}},
		}})
	}
	return nil
}

// Promoted tells people who got a seat from the waitlist of any session
// (when a seat freed because someone cancelled, or their data was erased
// or merged) and plans their reminders.
func Promoted(tx *store.Tx, promoted []store.Registration, now time.Time) (Result, error) {
	var res Result
	byTraining := map[int64][]store.Registration{}
	var order []int64
	for _, r := range promoted {
		if byTraining[r.TrainingID] == nil {
			order = append(order, r.TrainingID)
		}
		byTraining[r.TrainingID] = append(byTraining[r.TrainingID], r)
	}
	for _, id := range order {
		t, err := tx.Training(id)
		if err != nil {
			return res, err
		}
		if err := res.tellPromoted(tx, t, byTraining[id], now.Location()); err != nil {
			return res, err
		}
		if err := tx.SyncTrainingReminders(id, now.Location(), now); err != nil {
			return res, err
		}
	}
	return res, nil
}

// CancelRegistration cancels a person's seat or place in line in a session
// that has not started: their own, or anyone's for staff. A freed seat
// goes to the first in line, who is told. A registration cancelled before
// is AlreadyDone.
func CancelRegistration(tx *store.Tx, a Actor, trainingID, userID int64, now time.Time) (TrainingChange, error) {
	if userID != a.UserID && !a.Staff {
		return TrainingChange{Result: Result{Outcome: NotAllowed, Why: WhyStaffOnly}}, nil
	}
	t, err := tx.Training(trainingID)
	if errors.Is(err, store.ErrTrainingNotFound) {
		return TrainingChange{Result: Result{Outcome: NotFound}}, nil
	}
	if err != nil {
		return TrainingChange{}, err
	}
	reg, found, err := tx.Registration(trainingID, userID)
	switch {
	case err != nil:
		return TrainingChange{}, err
	case !found:
		return TrainingChange{Result: Result{Outcome: NotFound, Why: WhyNotSeated}, Training: t}, nil
	case reg.Status == store.RegCancelled:
		return TrainingChange{Result: Result{Outcome: AlreadyDone}, Training: t}, nil
	case !Changeable(t, now):
		return TrainingChange{Result: Result{Outcome: Refused, Why: WhyTrainingClosed}, Training: t}, nil
	}
	promoted, err := tx.CancelRegistration(trainingID, userID, now)
	if err != nil {
		return TrainingChange{}, err
	}
	if err := tx.SyncTrainingReminders(trainingID, now.Location(), now); err != nil {
		return TrainingChange{}, err
	}
	ch := TrainingChange{Promoted: promoted}
	if ch.Training, err = tx.Training(trainingID); err != nil {
		return ch, err
	}
	if err := ch.tellPromoted(tx, ch.Training, promoted, now.Location()); err != nil {
		return ch, err
	}
	return ch, audit(tx, a, now, "registration_cancel", TrainingSubject(trainingID), userSubject(userID))
}

// Attendance is what MarkAttendance did.
type Attendance struct {
	Result
	Registration store.Registration
}

// MarkAttendance marks a registered person present, or takes the mark
// back when present is false (staff only). Marking what is marked already
// is AlreadyDone.
func MarkAttendance(tx *store.Tx, a Actor, trainingID, userID int64, present bool, now time.Time) (Attendance, error) {
	t, res, err := trainingFor(tx, a, trainingID)
	if err != nil || res.Outcome != Done {
		return Attendance{Result: res}, err
	}
	reg, found, err := tx.Registration(t.ID, userID)
	if err != nil {
		return Attendance{}, err
	}
	if !found || reg.Status != store.RegRegistered {
		return Attendance{Result: Result{Outcome: Refused, Why: WhyNotSeated}, Registration: reg}, nil
	}
	if present != reg.AttendedAt.IsZero() {
		return Attendance{Result: Result{Outcome: AlreadyDone}, Registration: reg}, nil
	}
	if err := tx.SetAttendance(t.ID, userID, present, a.UserID, now); err != nil {
		return Attendance{}, err
	}
	action := "training_attendance_unmark"
	if present {
		action = "training_attendance_mark"
	}
	if reg, _, err = tx.Registration(t.ID, userID); err != nil {
		return Attendance{}, err
	}
	return Attendance{Registration: reg}, audit(tx, a, now, action, TrainingSubject(t.ID), userSubject(userID))
}

// Check-in: people record their own attendance with the code staff show
// on the day, from the start of the session's day (or CheckinEarly before
// it starts, if that is earlier) until CheckinLate after it ends.
const (
	CheckinEarly = 3 * time.Hour
	CheckinLate  = 3 * time.Hour
)

// Reasons (locales keys) a check-in gives with Refused, each with the
// session's title.
const (
	WhyCheckinCancelled = "training.code_cancelled"
	// WhyCheckinEarly also takes the session's time.
	WhyCheckinEarly      = "training.code_too_early"
	WhyCheckinLate       = "training.code_too_late"
	WhyCheckinWaitlisted = "training.code_waitlisted"
)

// CheckIn is what CheckInByCode did.
type CheckIn struct {
	Result
	Training     store.Training
	Registration store.Registration
}

// CheckinOpens is when people may start checking in to t: the start of its
// day in loc, or CheckinEarly before it starts if that is earlier.
func CheckinOpens(t store.Training, loc *time.Location) time.Time {
	s := t.StartsAt.In(loc)
	midnight := time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, loc)
	if early := t.StartsAt.Add(-CheckinEarly); early.Before(midnight) {
		return early
	}
	return midnight
}

// CheckInByCode records the actor's own attendance from a session's
// attendance code (already normalised). An unknown code is NotFound; a
// second check-in is AlreadyDone, with the time of the first.
func CheckInByCode(tx *store.Tx, a Actor, code string, now time.Time) (CheckIn, error) {
	t, err := tx.TrainingByCode(code)
	if errors.Is(err, store.ErrTrainingNotFound) {
		return CheckIn{Result: Result{Outcome: NotFound}}, nil
	}
	if err != nil {
		return CheckIn{}, err
	}
	ci := CheckIn{Training: t}
	refuse := func(why string) (CheckIn, error) { ci.Outcome, ci.Why = Refused, why; return ci, nil }
	switch {
	case t.Status == store.TrainingCancelled:
		return refuse(WhyCheckinCancelled)
	case now.Before(CheckinOpens(t, now.Location())):
		return refuse(WhyCheckinEarly)
	case now.After(t.EndsAt.Add(CheckinLate)):
		return refuse(WhyCheckinLate)
	}
	reg, found, err := tx.Registration(t.ID, a.UserID)
	if err != nil {
		return ci, err
	}
	ci.Registration = reg
	switch {
	case !found || reg.Status == store.RegCancelled:
		return refuse(WhyNotSeated)
	case reg.Status == store.RegWaitlisted:
		return refuse(WhyCheckinWaitlisted)
	case !reg.AttendedAt.IsZero():
		ci.Outcome = AlreadyDone
		return ci, nil
	}
	if err := tx.SetAttendance(t.ID, a.UserID, true, 0, now); err != nil {
		return ci, err
	}
	if ci.Registration, _, err = tx.Registration(t.ID, a.UserID); err != nil {
		return ci, err
	}
	return ci, audit(tx, a, now, "training_checkin", TrainingSubject(t.ID), "")
}
