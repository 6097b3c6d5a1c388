package store_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"klabot/store"
)

// people seeds the kinds of people broadcasts must tell apart and returns
// their ids by name.
//
//	ani    telegram, warga, registered in training A (desa 61.07.04.2001)
//	budi   telegram, says satgas, opted out ("berhenti")
//	cici   telegram, forum_anak, blocked the bot
//	dedi   telegram (older) and whatsapp (newer), warga, waitlisted in training B (desa 61.07.06.2005)
//	eka    telegram, never agreed to the data notice
//	fajar  telegram, warga, a Satgas PA volunteer invited for kecamatan 61.07.06;
//	       his latest registration names a desa of 61.07.04, which his invite overrides
//	gita   console, forum_anak
func people(t *testing.T, db *store.DB, now time.Time) (ids map[string]int64, trainingA, trainingB int64) {
	t.Helper()
	ids = map[string]int64{}
	err := db.Tx(context.Background(), func(tx *store.Tx) error {
		add := func(name, channel, address, role string, consent bool, at time.Time) store.User {
			u, _, err := tx.UserByContact(store.Contact{Channel: channel, Address: address}, "id", at)
			if err != nil {
				t.Fatal(err)
			}
			u.Role = role
			if consent {
				u.ConsentAt = at
			}
			if err := tx.SaveUser(u); err != nil {
				t.Fatal(err)
			}
			ids[name] = u.ID
			return u
		}
		add("ani", "telegram", "1", "warga", true, now)
		budi := add("budi", "telegram", "2", "satgas", true, now)
		budi.OptedOutAt = now
		if err := tx.SaveUser(budi); err != nil {
			return err
		}
		add("cici", "telegram", "3", "forum_anak", true, now)
		if err := tx.MarkUnreachable(store.Contact{Channel: "telegram", Address: "3"}, now); err != nil {
			return err
		}
		add("dedi", "telegram", "4", "warga", true, now.Add(-time.Hour))
		wa, _, err := tx.UserByContact(store.Contact{Channel: "whatsapp", Address: "6281200000004"}, "id", now)
		if err != nil {
			return err
		}
		if _, err := tx.MergeUsers(ids["dedi"], wa.ID, now); err != nil {
			return err
		}
		add("eka", "telegram", "5", "warga", false, now)
		add("fajar", "telegram", "6", "warga", true, now)
		add("gita", "console", "local", "forum_anak", true, now)

		a, err := tx.CreateTraining(store.Training{Program: "wikapa", Title: "Usaha Kue", KecCode: "61.07.04",
			StartsAt: now.Add(48 * time.Hour), EndsAt: now.Add(50 * time.Hour), Capacity: 1, AttendanceCode: "KUE234"}, now)
		if err != nil {
			return err
		}
		b, err := tx.CreateTraining(store.Training{Program: "remaja", Title: "Bootcamp", KecCode: "61.07.06",
			StartsAt: now.Add(72 * time.Hour), EndsAt: now.Add(74 * time.Hour), Capacity: 1, AttendanceCode: "REM345"}, now)
		if err != nil {
			return err
		}
		trainingA, trainingB = a.ID, b.ID
		for _, r := range []store.Registration{
			{TrainingID: a.ID, UserID: ids["ani"], FullName: "Ani", Age: 30, DesaCode: "61.07.04.2001"},
			{TrainingID: b.ID, UserID: ids["fajar"], FullName: "Fajar", Age: 40, DesaCode: "61.07.06.2005"},
			{TrainingID: b.ID, UserID: ids["dedi"], FullName: "Dedi", Age: 35, DesaCode: "61.07.06.2005"},
			{TrainingID: a.ID, UserID: ids["fajar"], FullName: "Fajar", Age: 40, DesaCode: "61.07.04.2001"},
		} {
			if _, err := tx.Register(r, now); err != nil {
				return err
			}
		}
		inv, err := tx.CreateInvite(store.RoleSatgas, "61.07.06", ids["ani"], rand.NewChaCha8([32]byte{}), now, time.Hour)
		if err != nil {
			return err
		}
		_, err = tx.RedeemInvite(inv.Code, ids["fajar"], now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids, trainingA, trainingB
}

func TestBroadcastAudiences(t *testing.T) {
	db, _ := openTemp(t)
	now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	ids, trainingA, trainingB := people(t, db, now)
	name := map[int64]string{}
	for n, id := range ids {
		name[id] = n
	}
	tests := []struct {
		audience store.BroadcastAudience
		reach    []string // name@channel
		left     [3]int   // opted out, unreachable, no consent
	}{
		{store.BroadcastAudience{Kind: store.ToAll},
			[]string{"ani@telegram", "dedi@whatsapp", "fajar@telegram", "gita@console"}, [3]int{1, 1, 1}},
		{store.BroadcastAudience{Kind: store.ToRole, Value: "warga"},
			[]string{"ani@telegram", "dedi@whatsapp", "fajar@telegram"}, [3]int{0, 0, 1}},
		// Satgas PA: who said so (budi, opted out) and the volunteers (fajar).
		{store.BroadcastAudience{Kind: store.ToRole, Value: "satgas"}, []string{"fajar@telegram"}, [3]int{1, 0, 0}},
		{store.BroadcastAudience{Kind: store.ToRole, Value: "forum_anak"}, []string{"gita@console"}, [3]int{0, 1, 0}},
		// Fajar's invite puts him in 61.07.06 whatever he registered with.
		{store.BroadcastAudience{Kind: store.ToKec, Value: "61.07.04"}, []string{"ani@telegram"}, [3]int{}},
		{store.BroadcastAudience{Kind: store.ToKec, Value: "61.07.06"}, []string{"dedi@whatsapp", "fajar@telegram"}, [3]int{}},
		{store.BroadcastAudience{Kind: store.ToKec, Value: "61.07.0"}, nil, [3]int{}},
		// A desa is the one of a person's latest registration.
		{store.BroadcastAudience{Kind: store.ToDesa, Value: "61.07.04.2001"}, []string{"ani@telegram", "fajar@telegram"}, [3]int{}},
		{store.BroadcastAudience{Kind: store.ToDesa, Value: "61.07.06.2005"}, []string{"dedi@whatsapp"}, [3]int{}},
		// Registered and waitlisted alike (training B has one seat).
		{store.BroadcastAudience{Kind: store.ToTraining, Value: strconv.FormatInt(trainingB, 10)},
			[]string{"dedi@whatsapp", "fajar@telegram"}, [3]int{}},
		{store.BroadcastAudience{Kind: store.ToTraining, Value: strconv.FormatInt(trainingA, 10)},
			[]string{"ani@telegram", "fajar@telegram"}, [3]int{}},
		// On one channel, people are reached there even if they wrote
		// elsewhere since (dedi).
		{store.BroadcastAudience{Kind: store.ToChannel, Value: "telegram"},
			[]string{"ani@telegram", "dedi@telegram", "fajar@telegram"}, [3]int{1, 1, 1}},
		{store.BroadcastAudience{Kind: store.ToChannel, Value: "whatsapp"}, []string{"dedi@whatsapp"}, [3]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.audience.Kind+"="+tt.audience.Value, func(t *testing.T) {
			err := db.Tx(context.Background(), func(tx *store.Tx) error {
				members, count, err := tx.BroadcastAudienceMembers(tt.audience)
				if err != nil {
					return err
				}
				var got []string
				for _, m := range members {
					got = append(got, name[m.UserID]+"@"+m.Contact.Channel)
				}
				slices.Sort(got)
				if !slices.Equal(got, tt.reach) {
					t.Errorf("reaches %v, want %v", got, tt.reach)
				}
				if count.Reach != len(tt.reach) || [3]int{count.OptedOut, count.Unreachable, count.NoConsent} != tt.left {
					t.Errorf("count %+v, want reach %d and left out %v", count, len(tt.reach), tt.left)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
	if err := db.Tx(context.Background(), func(tx *store.Tx) error {
		_, _, err := tx.BroadcastAudienceMembers(store.BroadcastAudience{Kind: "everyone; DROP TABLE users"})
		if err == nil {
			t.Error("an unknown audience kind was accepted")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// The whole life of a broadcast in the store: fixed audience, fed into the
// outbox once per person, held while paused, outcomes copied back,
// cancelled, and the counts staff see at each step.
func TestBroadcastLifecycle(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	ids, _, _ := people(t, db, now)
	var bc store.Broadcast
	tx := func(fn func(tx *store.Tx) error) {
		t.Helper()
		if err := db.Tx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	progress := func() store.BroadcastProgress {
		t.Helper()
		var p store.BroadcastProgress
		tx(func(tx *store.Tx) error {
			if err := tx.SyncRecipients(bc.ID); err != nil {
				return err
			}
			var err error
			p, err = tx.ProgressOf(bc.ID)
			return err
		})
		return p
	}
	tx(func(tx *store.Tx) error {
		var err error
		bc, err = tx.CreateBroadcast(store.Broadcast{CreatedBy: ids["ani"], Text: "Rapat Forum Anak",
			Audience: store.BroadcastAudience{Kind: store.ToAll}, ScheduledAt: now.Add(time.Hour)}, now)
		return err
	})
	if due, err := db.NextBroadcastDue(ctx); err != nil || !due.Equal(now.Add(time.Hour)) {
		t.Fatalf("next due %v (%v), want %v", due, err, now.Add(time.Hour))
	}
	tx(func(tx *store.Tx) error {
		var err error
		bc, err = tx.StartBroadcast(bc.ID, now.Add(time.Hour))
		return err
	})
	if bc.State != store.BroadcastSending || bc.Skipped.OptedOut != 1 || bc.Skipped.Unreachable != 1 || bc.Skipped.NoConsent != 1 ||
		bc.StatusChannel != "telegram" || bc.StatusAddress != "1" {
		t.Fatalf("started broadcast %+v", bc)
	}
	tx(func(tx *store.Tx) error {
		if _, err := tx.StartBroadcast(bc.ID, now); !errors.Is(err, store.ErrBroadcastState) {
			t.Errorf("started twice: %v", err)
		}
		return nil
	})
	if p := progress(); p.Total != 4 || p.Waiting != 4 {
		t.Fatalf("progress %+v, want 4 waiting", p)
	}

	// Feed two, then the same two again (as a second feeder would): each
	// person has one outbox row.
	var fed []store.BroadcastRecipient
	for range 2 {
		tx(func(tx *store.Tx) error {
			waiting, err := tx.WaitingRecipients(bc.ID, nil, 2)
			if err != nil {
				return err
			}
			if fed == nil {
				fed = waiting
			}
			for _, r := range fed {
				if err := tx.QueueRecipient(bc.ID, r, store.OutboxMessage{Priority: store.PriorityBroadcast, Payload: []byte(`{}`)}, now); err != nil {
					return err
				}
			}
			return nil
		})
	}
	pending, err := db.PendingOutbox(ctx, "telegram", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].Priority != store.PriorityBroadcast {
		t.Fatalf("pending telegram rows %+v, want ani's one", pending)
	}
	if p := progress(); p.Waiting != 2 || p.Queued != 2 {
		t.Fatalf("progress %+v, want 2 waiting and 2 queued", p)
	}
	// Only the rows of some channels can be asked for.
	tx(func(tx *store.Tx) error {
		w, err := tx.WaitingRecipients(bc.ID, []string{"console"}, 10)
		if err != nil || len(w) != 1 || w[0].Contact.Channel != "console" {
			t.Errorf("waiting on console %+v (%v)", w, err)
		}
		return nil
	})
	if other, err := db.WaitingElsewhere(ctx, bc.ID, "telegram"); err != nil || !other {
		t.Errorf("waiting elsewhere than telegram: %v (%v), want true", other, err)
	}

	// Paused: the queued rows are held, the sender sees nothing and
	// cannot load a held row; resumed: they are pending again.
	tx(func(tx *store.Tx) error { return tx.PauseBroadcast(bc.ID) })
	if pending, _ := db.PendingOutbox(ctx, "telegram", 100); len(pending) != 0 {
		t.Errorf("paused broadcast still pending: %+v", pending)
	}
	if _, err := db.OutboxPayload(ctx, pending[0].ID); !errors.Is(err, store.ErrNotPending) {
		t.Errorf("payload of a held row: %v, want ErrNotPending", err)
	}
	tx(func(tx *store.Tx) error {
		if err := tx.PauseBroadcast(bc.ID); !errors.Is(err, store.ErrBroadcastState) {
			t.Errorf("paused twice: %v", err)
		}
		return tx.ResumeBroadcast(bc.ID)
	})
	if pending, _ := db.PendingOutbox(ctx, "telegram", 100); len(pending) != 1 {
		t.Errorf("resumed broadcast pending rows %+v, want 1", pending)
	}

	// One is sent (its platform id kept), one fails because the person
	// blocked the bot.
	var ani, dedi int64
	for _, r := range fed {
		id := outboxOf(t, db, bc.ID, r.UserID)
		if r.UserID == ids["ani"] {
			ani = id
		} else {
			dedi = id
		}
	}
	err = db.RecordDeliveries(ctx, []store.Delivery{
		{ID: ani, Address: "1", Sent: true, Ref: "77"},
		{ID: dedi, Address: "6281200000004", Failed: true, Error: "blocked",
			Unreachable: &store.Contact{Channel: "whatsapp", Address: "6281200000004"}},
	}, now.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if p := progress(); p.Sent != 1 || p.Failed != 1 || p.Blocked != 1 || p.Queued != 0 || p.Waiting != 2 {
		t.Fatalf("progress %+v, want 1 sent, 1 failed (blocked), 2 waiting", p)
	}
	tx(func(tx *store.Tx) error {
		state, ref, err := tx.OutboxState(ani)
		if err != nil || state != "sent" || ref != "77" {
			t.Errorf("sent row: %s %q (%v)", state, ref, err)
		}
		if done, err := tx.FinishBroadcast(bc.ID, now); err != nil || done {
			t.Errorf("finished with people waiting: %v %v", done, err)
		}
		return nil
	})

	// Cancelled: nobody waiting gets it; the outcomes stay.
	tx(func(tx *store.Tx) error { return tx.CancelBroadcast(bc.ID, now.Add(3*time.Hour)) })
	if p := progress(); p.Sent != 1 || p.Failed != 1 || p.Cancelled != 2 || p.Pending() != 0 {
		t.Errorf("after cancel %+v", p)
	}
	tx(func(tx *store.Tx) error {
		if err := tx.ResumeBroadcast(bc.ID); !errors.Is(err, store.ErrBroadcastState) {
			t.Errorf("resumed a cancelled broadcast: %v", err)
		}
		if err := tx.CancelBroadcast(bc.ID, now); !errors.Is(err, store.ErrBroadcastState) {
			t.Errorf("cancelled twice: %v", err)
		}
		return nil
	})
	results, err := db.BroadcastResults(ctx, bc.ID)
	if err != nil {
		t.Fatal(err)
	}
	states := map[int64]string{}
	for _, r := range results {
		states[r.UserID] = r.State
		if r.UserID == ids["ani"] && !r.SentAt.Equal(now.Add(2*time.Hour)) {
			t.Errorf("ani's message sent at %v", r.SentAt)
		}
	}
	if states[ids["ani"]] != "sent" || states[ids["dedi"]] != "failed" || states[ids["fajar"]] != "cancelled" ||
		states[ids["gita"]] != "cancelled" || len(states) != 4 {
		t.Errorf("results %v", states)
	}
}

func outboxOf(t *testing.T, db *store.DB, broadcastID, userID int64) int64 {
	t.Helper()
	results, err := db.BroadcastResults(context.Background(), broadcastID)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	err = db.Tx(context.Background(), func(tx *store.Tx) error {
		for _, r := range results {
			if r.UserID != userID {
				continue
			}
			pending, err := db.PendingOutbox(context.Background(), r.Contact.Channel, 100)
			for _, m := range pending {
				if m.Address == r.Contact.Address {
					id = m.ID
				}
			}
			return err
		}
		return nil
	})
	if err != nil || id == 0 {
		t.Fatalf("no outbox row for user %d: %v", userID, err)
	}
	return id
}

func TestScheduledBroadcastMissedOrCancelled(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	people(t, db, now)
	err := db.Tx(ctx, func(tx *store.Tx) error {
		a, err := tx.CreateBroadcast(store.Broadcast{Text: "a", Audience: store.BroadcastAudience{Kind: store.ToAll}, ScheduledAt: now}, now)
		if err != nil {
			return err
		}
		b, err := tx.CreateBroadcast(store.Broadcast{Text: "b", Audience: store.BroadcastAudience{Kind: store.ToAll}, ScheduledAt: now}, now)
		if err != nil {
			return err
		}
		if err := tx.MissBroadcast(a.ID, now); err != nil {
			return err
		}
		if err := tx.CancelBroadcast(b.ID, now); err != nil {
			return err
		}
		for _, id := range []int64{a.ID, b.ID} {
			if _, err := tx.StartBroadcast(id, now); !errors.Is(err, store.ErrBroadcastState) {
				t.Errorf("broadcast %d started after it was missed or cancelled: %v", id, err)
			}
		}
		list, err := tx.RecentBroadcasts(10)
		if err != nil || len(list) != 2 || list[0].State != store.BroadcastCancelled || list[1].State != store.BroadcastMissed {
			t.Errorf("recent %+v (%v)", list, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if due, err := db.NextBroadcastDue(ctx); err != nil || !due.IsZero() {
		t.Errorf("next due %v (%v), want none", due, err)
	}
}
