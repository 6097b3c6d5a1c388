package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"klabot/store"
)

var trainingNow = time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)

func newTraining(t *testing.T, db *store.DB, capacity int, code string) store.Training {
	t.Helper()
	var tr store.Training
	err := db.Tx(context.Background(), func(tx *store.Tx) error {
		var err error
		tr, err = tx.CreateTraining(store.Training{
			Program: "wikapa", Title: "Usaha kue", KecCode: "61.07.04", Place: "Aula",
			StartsAt: trainingNow.Add(72 * time.Hour), EndsAt: trainingNow.Add(78 * time.Hour),
			Capacity: capacity, AttendanceCode: code,
		}, trainingNow)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// person creates a user reachable on the console at address.
func person(t *testing.T, tx *store.Tx, address string) int64 {
	t.Helper()
	u, _, err := tx.UserByContact(store.Contact{Channel: "console", Address: address}, "id", trainingNow)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func register(tx *store.Tx, trainingID, userID int64, priority int) (store.Registration, error) {
	return tx.Register(store.Registration{TrainingID: trainingID, UserID: userID, FullName: "Orang", Age: 30,
		Priority: priority, Answers: map[string]string{"extreme_poor": "yes"}}, trainingNow)
}

func TestRegisterWaitlistAndPromotion(t *testing.T) {
	db, _ := openTemp(t)
	tr := newTraining(t, db, 2, "AAA111")
	err := db.Tx(context.Background(), func(tx *store.Tx) error {
		ani, budi, cici, dedi := person(t, tx, "ani"), person(t, tx, "budi"), person(t, tx, "cici"), person(t, tx, "dedi")
		for _, id := range []int64{ani, budi} {
			if r, err := register(tx, tr.ID, id, 0); err != nil || r.Status != store.RegRegistered {
				t.Fatalf("register %d: %+v %v", id, r, err)
			}
		}
		r, err := register(tx, tr.ID, cici, 0)
		if err != nil || r.Status != store.RegWaitlisted || r.Position != 1 {
			t.Fatalf("third person: %+v %v, want waitlisted at 1", r, err)
		}
		// Dedi's household has a higher priority: Dedi goes ahead of Cici.
		r, err = register(tx, tr.ID, dedi, 2)
		if err != nil || r.Status != store.RegWaitlisted || r.Position != 1 {
			t.Fatalf("priority person: %+v %v, want waitlisted at 1", r, err)
		}
		if r, _, _ := tx.Registration(tr.ID, cici); r.Position != 2 {
			t.Errorf("cici position %d, want 2", r.Position)
		}
		if _, err := register(tx, tr.ID, ani, 0); !errors.Is(err, store.ErrAlreadyRegistered) {
			t.Errorf("double registration: %v", err)
		}
		promoted, err := tx.CancelRegistration(tr.ID, ani, trainingNow)
		if err != nil || len(promoted) != 1 || promoted[0].UserID != dedi || promoted[0].Status != store.RegRegistered {
			t.Fatalf("cancel: promoted %+v, %v; want dedi", promoted, err)
		}
		// The line moves up: Cici, second in line, is now next.
		if r, _, _ := tx.Registration(tr.ID, cici); r.Status != store.RegWaitlisted || r.Position != 1 {
			t.Errorf("cici after a promotion: %s at %d, want waitlisted at 1", r.Status, r.Position)
		}
		if mine, _ := tx.UserRegistrations(cici); len(mine) != 1 || mine[0].Position != 1 {
			t.Errorf("cici's own list: %+v, want her at 1 in line", mine)
		}
		if _, err := tx.CancelRegistration(tr.ID, ani, trainingNow); !errors.Is(err, store.ErrNotRegistered) {
			t.Errorf("cancel twice: %v", err)
		}
		// Cancelling a place in line frees no seat.
		if promoted, err := tx.CancelRegistration(tr.ID, cici, trainingNow); err != nil || len(promoted) != 0 {
			t.Errorf("cancel waitlisted: %v %v", promoted, err)
		}
		// Ani registers again: the training is full, so she waits.
		if r, err := register(tx, tr.ID, ani, 0); err != nil || r.Status != store.RegWaitlisted {
			t.Errorf("register again: %+v %v", r, err)
		}
		got, err := tx.Training(tr.ID)
		if err != nil || got.Registered != 2 || got.Waitlisted != 1 || got.SeatsLeft() != 0 {
			t.Errorf("counts: %+v %v", got, err)
		}
		regs, _ := tx.Registrations(tr.ID)
		if len(regs) != 3 || regs[0].UserID != budi || regs[1].UserID != dedi || regs[2].UserID != ani || regs[2].Position != 1 {
			t.Errorf("registrations order: %+v", regs)
		}
		if regs[0].Answers["extreme_poor"] != "yes" {
			t.Errorf("answers lost: %v", regs[0].Answers)
		}
		// More seats go to the people waiting.
		got.Capacity = 4
		promoted, err = tx.UpdateTraining(got, trainingNow)
		if err != nil || len(promoted) != 1 || promoted[0].UserID != ani {
			t.Errorf("capacity up: promoted %+v %v", promoted, err)
		}
		got.Capacity = 2
		if _, err := tx.UpdateTraining(got, trainingNow); !errors.Is(err, store.ErrCapacityTooSmall) {
			t.Errorf("capacity below registered: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRegistrationClosedAttendanceAndPhone(t *testing.T) {
	db, _ := openTemp(t)
	tr := newTraining(t, db, 5, "BBB222")
	db.Tx(context.Background(), func(tx *store.Tx) error {
		ani := person(t, tx, "ani")
		if phone, _ := tx.KnownPhone(ani); phone != "" {
			t.Errorf("known phone before any: %q", phone)
		}
		r := store.Registration{TrainingID: tr.ID, UserID: ani, FullName: "Ani", Age: 30, Phone: "6281234567890"}
		if _, err := tx.Register(r, trainingNow); err != nil {
			t.Fatal(err)
		}
		if phone, _ := tx.KnownPhone(ani); phone != "6281234567890" {
			t.Errorf("known phone %q", phone)
		}
		if last, ok, _ := tx.LastRegistration(ani); !ok || last.FullName != "Ani" {
			t.Errorf("last registration %+v %v", last, ok)
		}
		staff := person(t, tx, "staff")
		if err := tx.SetAttendance(tr.ID, ani, true, staff, trainingNow); err != nil {
			t.Fatal(err)
		}
		mine, _ := tx.UserRegistrations(ani)
		if len(mine) != 1 || mine[0].AttendedAt.IsZero() || mine[0].MarkedBy != staff || mine[0].Training.Title != "Usaha kue" {
			t.Errorf("user registrations %+v", mine)
		}
		if err := tx.SetAttendance(tr.ID, staff, true, 0, trainingNow); !errors.Is(err, store.ErrNotRegistered) {
			t.Errorf("attendance of someone not registered: %v", err)
		}
		if got, err := tx.TrainingByCode("BBB222"); err != nil || got.ID != tr.ID {
			t.Errorf("by code: %v %v", got.ID, err)
		}
		if _, err := tx.TrainingByCode("ZZZ999"); !errors.Is(err, store.ErrTrainingNotFound) {
			t.Errorf("unknown code: %v", err)
		}
		late := r
		late.UserID = staff
		if _, err := tx.Register(late, tr.StartsAt); !errors.Is(err, store.ErrRegistrationClosed) {
			t.Errorf("register at start time: %v", err)
		}
		if err := tx.CancelTraining(tr.ID, trainingNow); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Register(late, trainingNow); !errors.Is(err, store.ErrRegistrationClosed) {
			t.Errorf("register for a cancelled training: %v", err)
		}
		if up, _ := tx.UpcomingTrainings(trainingNow, "", ""); len(up) != 0 {
			t.Errorf("cancelled training still upcoming: %v", up)
		}
		if all, _ := tx.TrainingsEndingAfter(trainingNow); len(all) != 1 {
			t.Errorf("staff list lacks the cancelled training: %v", all)
		}
		return nil
	})
}

// 50 people register at once for 20 seats, through several connections as
// separate klabot processes would have: exactly 20 get a seat, 30 wait.
func TestConcurrentRegistrationsKeepSeatsRight(t *testing.T) {
	db, path := openTemp(t)
	tr := newTraining(t, db, 20, "CCC333")
	handles := []*store.DB{db}
	for range 4 {
		other, err := store.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { other.Close() })
		handles = append(handles, other)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	start := make(chan struct{})
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			h := handles[i%len(handles)]
			errs <- h.Tx(context.Background(), func(tx *store.Tx) error {
				u, _, err := tx.UserByContact(store.Contact{Channel: "telegram", Address: fmt.Sprint(9000 + i)}, "id", trainingNow)
				if err != nil {
					return err
				}
				_, err = register(tx, tr.ID, u.ID, 0)
				return err
			})
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	db.Tx(context.Background(), func(tx *store.Tx) error {
		got, err := tx.Training(tr.ID)
		if err != nil || got.Registered != 20 || got.Waitlisted != 30 {
			t.Errorf("registered %d, waitlisted %d (%v); want 20 and 30", got.Registered, got.Waitlisted, err)
		}
		regs, _ := tx.Registrations(tr.ID)
		for i, r := range regs[20:] {
			if r.Position != i+1 {
				t.Errorf("waitlist position %d at %d", r.Position, i+1)
			}
		}
		return nil
	})
}

// One person who registered from two channels before linking them keeps
// their best registration of each training; a second seat they held goes
// to the first on the waitlist.
func TestMergeKeepsTheBetterRegistration(t *testing.T) {
	db, _ := openTemp(t)
	seatOld := newTraining(t, db, 1, "A1")  // old has the seat, keep waits
	twoSeats := newTraining(t, db, 2, "B2") // both hold a seat, sari waits
	err := db.Tx(context.Background(), func(tx *store.Tx) error {
		keep, old, sari := person(t, tx, "keep"), person(t, tx, "old"), person(t, tx, "sari")
		for _, r := range []struct{ training, user int64 }{
			{seatOld.ID, old}, {seatOld.ID, keep}, {twoSeats.ID, keep}, {twoSeats.ID, old}, {twoSeats.ID, sari},
		} {
			if _, err := register(tx, r.training, r.user, 0); err != nil {
				return err
			}
		}
		promoted, err := tx.MergeUsers(keep, old, trainingNow)
		if err != nil {
			return err
		}
		if len(promoted) != 1 || promoted[0].UserID != sari || promoted[0].TrainingID != twoSeats.ID {
			t.Errorf("promoted %+v, want sari in the second training", promoted)
		}
		for _, want := range []struct {
			training, user int64
			status         string
		}{
			{seatOld.ID, keep, store.RegRegistered}, {twoSeats.ID, keep, store.RegRegistered}, {twoSeats.ID, sari, store.RegRegistered},
		} {
			r, found, err := tx.Registration(want.training, want.user)
			if err != nil {
				return err
			}
			if !found || r.Status != want.status {
				t.Errorf("training %d, person %d: %q (found %v), want %q", want.training, want.user, r.Status, found, want.status)
			}
		}
		for _, id := range []int64{seatOld.ID, twoSeats.ID} {
			tr, err := tx.Training(id)
			if err != nil {
				return err
			}
			if tr.Waitlisted != 0 || tr.Registered > tr.Capacity {
				t.Errorf("training %d: %d registered of %d, %d waiting", id, tr.Registered, tr.Capacity, tr.Waitlisted)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
