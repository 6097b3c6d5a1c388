package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"
)

// Training statuses.
const (
	TrainingScheduled = "scheduled"
	TrainingCancelled = "cancelled"
)

// Registration statuses.
const (
	RegRegistered = "registered"
	RegWaitlisted = "waitlisted"
	RegCancelled  = "cancelled"
)

var (
	// ErrTrainingNotFound: no training with that id or attendance code.
	ErrTrainingNotFound = errors.New("training not found")
	// ErrRegistrationClosed: the training was cancelled or has started.
	ErrRegistrationClosed = errors.New("registration closed")
	// ErrAlreadyRegistered: the person is registered or waiting already.
	ErrAlreadyRegistered = errors.New("already registered")
	// ErrNotRegistered: the person holds no (such) registration.
	ErrNotRegistered = errors.New("not registered")
	// ErrCapacityTooSmall: fewer seats than people already registered.
	ErrCapacityTooSmall = errors.New("capacity below the number registered")
)

// Training is one session people can register for.
type Training struct {
	ID             int64
	Program        string
	Title          string
	Description    string
	KecCode        string
	Place          string
	StartsAt       time.Time
	EndsAt         time.Time
	Capacity       int
	AttendanceCode string
	Status         string
	CreatedBy      int64 // 0: imported, no person
	CreatedAt      time.Time
	UpdatedAt      time.Time

	// Registered and Waitlisted are counted when the training is read.
	Registered int
	Waitlisted int
}

// SeatsLeft is how many more people can register before the waitlist.
func (t Training) SeatsLeft() int { return max(0, t.Capacity-t.Registered) }

// Registration is one person's place (or place in line) in a training.
type Registration struct {
	ID         int64
	TrainingID int64
	UserID     int64
	Status     string
	FullName   string
	Age        int
	DesaCode   string
	Phone      string
	Answers    map[string]string
	Priority   int
	CreatedAt  time.Time
	QueuedAt   time.Time
	AttendedAt time.Time
	MarkedBy   int64 // staff who marked attendance; 0 for a self check-in

	// Position is the place on the waitlist (1 = next), for waitlisted rows.
	Position int
}

// UserRegistration is a registration with its training, for a person's own lists.
type UserRegistration struct {
	Registration
	Training Training
}

const trainingColumns = `t.id, t.program, t.title, t.description, t.kec_code, t.place, t.starts_at, t.ends_at,
	t.capacity, t.attendance_code, t.status, COALESCE(t.created_by, 0), t.created_at, t.updated_at,
	(SELECT count(*) FROM registrations c WHERE c.training_id = t.id AND c.status = 'registered'),
	(SELECT count(*) FROM registrations c WHERE c.training_id = t.id AND c.status = 'waitlisted')`

func scanTraining(row interface{ Scan(...any) error }) (Training, error) {
	var t Training
	var starts, ends, created, updated string
	err := row.Scan(&t.ID, &t.Program, &t.Title, &t.Description, &t.KecCode, &t.Place, &starts, &ends,
		&t.Capacity, &t.AttendanceCode, &t.Status, &t.CreatedBy, &created, &updated, &t.Registered, &t.Waitlisted)
	t.StartsAt, t.EndsAt, t.CreatedAt, t.UpdatedAt = ParseTime(starts), ParseTime(ends), ParseTime(created), ParseTime(updated)
	return t, err
}

const registrationColumns = `r.id, r.training_id, r.user_id, r.status, r.full_name, r.age, r.desa_code, r.phone,
	r.answers, r.priority, r.created_at, r.queued_at, COALESCE(r.attended_at, ''), COALESCE(r.marked_by, 0)`

// registrationScanner reads the registrationColumns of one row.
type registrationScanner struct {
	r                                  Registration
	answers, created, queued, attended string
}

func (s *registrationScanner) dest() []any {
	r := &s.r
	return []any{&r.ID, &r.TrainingID, &r.UserID, &r.Status, &r.FullName, &r.Age, &r.DesaCode, &r.Phone,
		&s.answers, &r.Priority, &s.created, &s.queued, &s.attended, &r.MarkedBy}
}

func (s *registrationScanner) done() Registration {
	r := s.r
	r.CreatedAt, r.QueuedAt, r.AttendedAt = ParseTime(s.created), ParseTime(s.queued), ParseTime(s.attended)
	r.Answers = map[string]string{}
	_ = json.Unmarshal([]byte(s.answers), &r.Answers) // written by us; a broken value only loses the answers
	return r
}

// CreateTraining stores a new training and returns it with its id. The
// attendance code must be unique (see AttendanceCodeTaken).
func (tx *Tx) CreateTraining(t Training, now time.Time) (Training, error) {
	res, err := tx.exec(`INSERT INTO trainings(program, title, description, kec_code, place, starts_at, ends_at,
		capacity, attendance_code, status, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?, ?)`,
		t.Program, t.Title, t.Description, t.KecCode, t.Place, FormatTime(t.StartsAt), FormatTime(t.EndsAt),
		t.Capacity, t.AttendanceCode, nullID(t.CreatedBy), FormatTime(now), FormatTime(now))
	if err != nil {
		return Training{}, fmt.Errorf("create training: %w", err)
	}
	id, _ := res.LastInsertId()
	return tx.Training(id)
}

// UpdateTraining saves a training's title, description, place, times and
// capacity (not its programme: registrations answered its questions). When
// the capacity grows, people waiting get the new seats: they are returned
// so that they can be told.
func (tx *Tx) UpdateTraining(t Training, now time.Time) ([]Registration, error) {
	cur, err := tx.Training(t.ID)
	if err != nil {
		return nil, err
	}
	if t.Capacity < cur.Registered {
		return nil, ErrCapacityTooSmall
	}
	_, err = tx.exec(`UPDATE trainings SET title = ?, description = ?, kec_code = ?, place = ?, starts_at = ?,
		ends_at = ?, capacity = ?, updated_at = ? WHERE id = ?`,
		t.Title, t.Description, t.KecCode, t.Place, FormatTime(t.StartsAt), FormatTime(t.EndsAt), t.Capacity,
		FormatTime(now), t.ID)
	if err != nil {
		return nil, fmt.Errorf("update training %d: %w", t.ID, err)
	}
	return tx.PromoteWaitlist(t.ID, now)
}

// CancelTraining marks a training cancelled. Its registrations stay as they
// were, so the people in them can be told and the history kept.
func (tx *Tx) CancelTraining(id int64, now time.Time) error {
	res, err := tx.exec(`UPDATE trainings SET status = 'cancelled', updated_at = ? WHERE id = ?`, FormatTime(now), id)
	if err != nil {
		return fmt.Errorf("cancel training %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrTrainingNotFound
	}
	return nil
}

// Training loads a training by id, with its counts.
func (tx *Tx) Training(id int64) (Training, error) {
	t, err := scanTraining(tx.queryRow(`SELECT `+trainingColumns+` FROM trainings t WHERE t.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Training{}, ErrTrainingNotFound
	}
	if err != nil {
		return Training{}, fmt.Errorf("load training %d: %w", id, err)
	}
	return t, nil
}

// TrainingByCode finds the training an attendance code belongs to.
func (tx *Tx) TrainingByCode(code string) (Training, error) {
	t, err := scanTraining(tx.queryRow(`SELECT `+trainingColumns+` FROM trainings t WHERE t.attendance_code = ?`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return Training{}, ErrTrainingNotFound
	}
	if err != nil {
		return Training{}, fmt.Errorf("find training by code: %w", err)
	}
	return t, nil
}

// AttendanceCodeTaken tells whether any training (even a past one) uses code.
func (tx *Tx) AttendanceCodeTaken(code string) (bool, error) {
	var n int
	if err := tx.queryRow(`SELECT count(*) FROM trainings WHERE attendance_code = ?`, code).Scan(&n); err != nil {
		return false, fmt.Errorf("check attendance code: %w", err)
	}
	return n > 0, nil
}

// TrainingExists tells whether a scheduled training of this programme and
// title starts at this time already: importing the same file twice must
// not make every session twice.
func (tx *Tx) TrainingExists(program, title string, startsAt time.Time) (bool, error) {
	var n int
	err := tx.queryRow(`SELECT count(*) FROM trainings WHERE program = ? AND title = ? AND starts_at = ? AND status = 'scheduled'`,
		program, title, FormatTime(startsAt)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check training exists: %w", err)
	}
	return n > 0, nil
}

// UpcomingTrainings lists scheduled trainings that have not started yet,
// soonest first; program and kecCode filter when not empty.
func (tx *Tx) UpcomingTrainings(now time.Time, program, kecCode string) ([]Training, error) {
	return tx.trainings(`WHERE t.status = 'scheduled' AND t.starts_at > ?
		AND (? = '' OR t.program = ?) AND (? = '' OR t.kec_code = ?) ORDER BY t.starts_at, t.id`,
		FormatTime(now), program, program, kecCode, kecCode)
}

// TrainingsEndingAfter lists every training (cancelled ones too) that ends
// after since, soonest first: what staff still work on.
func (tx *Tx) TrainingsEndingAfter(since time.Time) ([]Training, error) {
	return tx.trainings(`WHERE t.ends_at > ? ORDER BY t.starts_at, t.id`, FormatTime(since))
}

func (tx *Tx) trainings(where string, args ...any) ([]Training, error) {
	rows, err := tx.query(`SELECT `+trainingColumns+` FROM trainings t `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list trainings: %w", err)
	}
	return scanAll(rows, "scan training", scanTraining)
}

// Register gives a person a seat, or a place on the waitlist when the
// training is full, and returns the registration with its status (and
// position when waiting).
//
// The seat count and the insert happen in this one write transaction, and
// klabot's write transactions take SQLite's write lock when they begin
// (_txlock=immediate), so no other registration can slip in between: the
// count is right however many people register at once, from however many
// processes.
func (tx *Tx) Register(r Registration, now time.Time) (Registration, error) {
	t, err := tx.Training(r.TrainingID)
	if err != nil {
		return Registration{}, err
	}
	if t.Status != TrainingScheduled || !now.Before(t.StartsAt) {
		return Registration{}, ErrRegistrationClosed
	}
	existing, found, err := tx.Registration(r.TrainingID, r.UserID)
	if err != nil {
		return Registration{}, err
	}
	if found && existing.Status != RegCancelled {
		return existing, ErrAlreadyRegistered
	}
	r.Status = RegWaitlisted
	if t.Registered < t.Capacity {
		r.Status = RegRegistered
	}
	answers, err := json.Marshal(nonNil(r.Answers))
	if err != nil {
		return Registration{}, fmt.Errorf("encode answers: %w", err)
	}
	at := FormatTime(now)
	if found {
		// Registering again after cancelling: the same row, at the back of the line.
		_, err = tx.exec(`UPDATE registrations SET status = ?, full_name = ?, age = ?, desa_code = ?, phone = ?,
			answers = ?, priority = ?, queued_at = ?, updated_at = ?, cancelled_at = NULL, attended_at = NULL,
			marked_by = NULL WHERE id = ?`,
			r.Status, r.FullName, r.Age, r.DesaCode, r.Phone, string(answers), r.Priority, at, at, existing.ID)
	} else {
		_, err = tx.exec(`INSERT INTO registrations(training_id, user_id, status, full_name, age, desa_code, phone,
			answers, priority, created_at, queued_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.TrainingID, r.UserID, r.Status, r.FullName, r.Age, r.DesaCode, r.Phone, string(answers), r.Priority, at, at, at)
	}
	if err != nil {
		return Registration{}, fmt.Errorf("save registration: %w", err)
	}
	saved, _, err := tx.Registration(r.TrainingID, r.UserID)
	return saved, err
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// Registration loads a person's registration for a training (any status);
// found is false when they never registered.
func (tx *Tx) Registration(trainingID, userID int64) (r Registration, found bool, err error) {
	var s registrationScanner
	err = tx.queryRow(`SELECT `+registrationColumns+` FROM registrations r WHERE r.training_id = ? AND r.user_id = ?`,
		trainingID, userID).Scan(s.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return Registration{}, false, nil
	}
	if err != nil {
		return Registration{}, false, fmt.Errorf("load registration: %w", err)
	}
	r = s.done()
	if r.Status == RegWaitlisted {
		if r.Position, err = tx.waitlistPosition(r); err != nil {
			return Registration{}, false, err
		}
	}
	return r, true, nil
}

// waitlistOrder is who gets a freed seat first: the highest priority (the
// most vulnerable households), then whoever asked first.
const waitlistOrder = `r.priority DESC, r.queued_at, r.id`

func (tx *Tx) waitlistPosition(r Registration) (int, error) {
	var ahead int
	err := tx.queryRow(`SELECT count(*) FROM registrations r WHERE r.training_id = ? AND r.status = 'waitlisted'
		AND (r.priority > ? OR r.priority = ? AND (r.queued_at < ? OR r.queued_at = ? AND r.id < ?))`,
		r.TrainingID, r.Priority, r.Priority, FormatTime(r.QueuedAt), FormatTime(r.QueuedAt), r.ID).Scan(&ahead)
	if err != nil {
		return 0, fmt.Errorf("waitlist position: %w", err)
	}
	return ahead + 1, nil
}

// Registrations lists a training's registered people (in the order they
// registered), then its waitlist (in the order seats go to them), without
// cancelled ones.
func (tx *Tx) Registrations(trainingID int64) ([]Registration, error) {
	rows, err := tx.query(`SELECT `+registrationColumns+` FROM registrations r
		WHERE r.training_id = ? AND r.status <> 'cancelled'
		ORDER BY r.status = 'waitlisted', CASE WHEN r.status = 'waitlisted' THEN -r.priority ELSE 0 END,
		CASE WHEN r.status = 'waitlisted' THEN r.queued_at ELSE r.created_at END, r.id`, trainingID)
	if err != nil {
		return nil, fmt.Errorf("list registrations: %w", err)
	}
	defer rows.Close()
	var out []Registration
	waiting := 0
	for rows.Next() {
		var s registrationScanner
		if err := rows.Scan(s.dest()...); err != nil {
			return nil, fmt.Errorf("scan registration: %w", err)
		}
		r := s.done()
		if r.Status == RegWaitlisted {
			waiting++
			r.Position = waiting
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CancelRegistration cancels a person's registration or place in line. A
// freed seat goes to the first people waiting, who are returned so that
// they can be told.
func (tx *Tx) CancelRegistration(trainingID, userID int64, now time.Time) (promoted []Registration, err error) {
	res, err := tx.exec(`UPDATE registrations SET status = 'cancelled', cancelled_at = ?, updated_at = ?
		WHERE training_id = ? AND user_id = ? AND status <> 'cancelled'`, FormatTime(now), FormatTime(now), trainingID, userID)
	if err != nil {
		return nil, fmt.Errorf("cancel registration: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, ErrNotRegistered
	}
	return tx.PromoteWaitlist(trainingID, now)
}

// PromoteWaitlist gives free seats to the people waiting, first in line
// first, as long as the training has not started, and returns them.
func (tx *Tx) PromoteWaitlist(trainingID int64, now time.Time) ([]Registration, error) {
	t, err := tx.Training(trainingID)
	if err != nil {
		return nil, err
	}
	if t.Status != TrainingScheduled || !now.Before(t.StartsAt) || t.SeatsLeft() == 0 || t.Waitlisted == 0 {
		return nil, nil
	}
	users, err := tx.ids(`SELECT r.user_id FROM registrations r WHERE r.training_id = ? AND r.status = 'waitlisted'
		ORDER BY `+waitlistOrder+` LIMIT ?`, trainingID, t.SeatsLeft())
	if err != nil {
		return nil, fmt.Errorf("list waitlist: %w", err)
	}
	var promoted []Registration
	for _, id := range users {
		if _, err := tx.exec(`UPDATE registrations SET status = 'registered', updated_at = ?
			WHERE training_id = ? AND user_id = ?`, FormatTime(now), trainingID, id); err != nil {
			return nil, fmt.Errorf("promote from waitlist: %w", err)
		}
		r, _, err := tx.Registration(trainingID, id)
		if err != nil {
			return nil, err
		}
		promoted = append(promoted, r)
	}
	return promoted, nil
}

// SetAttendance records (or, with attended false, removes) a registered
// person's attendance. markedBy is the staff member, or 0 for a person
// checking in themselves.
func (tx *Tx) SetAttendance(trainingID, userID int64, attended bool, markedBy int64, now time.Time) error {
	var at any
	if attended {
		at = FormatTime(now)
	} else {
		markedBy = 0
	}
	res, err := tx.exec(`UPDATE registrations SET attended_at = ?, marked_by = ?, updated_at = ?
		WHERE training_id = ? AND user_id = ? AND status = 'registered'`,
		at, nullID(markedBy), FormatTime(now), trainingID, userID)
	if err != nil {
		return fmt.Errorf("record attendance: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotRegistered
	}
	return nil
}

// UserRegistrations lists a person's registrations that are not cancelled,
// with their trainings, by start time.
func (tx *Tx) UserRegistrations(userID int64) ([]UserRegistration, error) {
	rows, err := tx.query(`SELECT `+registrationColumns+`, `+trainingColumns+`
		FROM registrations r JOIN trainings t ON t.id = r.training_id
		WHERE r.user_id = ? AND r.status <> 'cancelled' ORDER BY t.starts_at, t.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list registrations of user: %w", err)
	}
	var out []UserRegistration
	for rows.Next() {
		var s registrationScanner
		var t Training
		var starts, ends, created, updated string
		dest := append(s.dest(), &t.ID, &t.Program, &t.Title, &t.Description, &t.KecCode, &t.Place, &starts, &ends,
			&t.Capacity, &t.AttendanceCode, &t.Status, &t.CreatedBy, &created, &updated, &t.Registered, &t.Waitlisted)
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan registration of user: %w", err)
		}
		t.StartsAt, t.EndsAt, t.CreatedAt, t.UpdatedAt = ParseTime(starts), ParseTime(ends), ParseTime(created), ParseTime(updated)
		out = append(out, UserRegistration{Registration: s.done(), Training: t})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list registrations of user: %w", err)
	}
	for i := range out {
		if out[i].Status == RegWaitlisted {
			if out[i].Position, err = tx.waitlistPosition(out[i].Registration); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// LastRegistration is the person's most recent registration (any status),
// so that they need not type their details again.
func (tx *Tx) LastRegistration(userID int64) (Registration, bool, error) {
	var s registrationScanner
	err := tx.queryRow(`SELECT `+registrationColumns+` FROM registrations r WHERE r.user_id = ?
		ORDER BY r.updated_at DESC, r.id DESC LIMIT 1`, userID).Scan(s.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return Registration{}, false, nil
	}
	if err != nil {
		return Registration{}, false, fmt.Errorf("load last registration: %w", err)
	}
	return s.done(), true, nil
}

var phoneAddress = regexp.MustCompile(`^62[0-9]{7,13}$`)

// KnownPhone is a phone number the person already gave us (in a
// registration) or writes from (a WhatsApp contact), in 62... form, or "".
func (tx *Tx) KnownPhone(userID int64) (string, error) {
	var phone string
	err := tx.queryRow(`SELECT phone FROM registrations WHERE user_id = ? AND phone <> ''
		ORDER BY updated_at DESC, id DESC LIMIT 1`, userID).Scan(&phone)
	if err == nil {
		return phone, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("find known phone: %w", err)
	}
	rows, err := tx.query(`SELECT address FROM contacts WHERE user_id = ? AND channel = 'whatsapp'
		ORDER BY last_inbound_at DESC`, userID)
	if err != nil {
		return "", fmt.Errorf("find whatsapp number: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var address string
		if err := rows.Scan(&address); err != nil {
			return "", fmt.Errorf("scan whatsapp number: %w", err)
		}
		if phoneAddress.MatchString(address) {
			return address, nil
		}
	}
	return "", rows.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
