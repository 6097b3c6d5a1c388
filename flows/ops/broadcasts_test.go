package ops_test

import (
	"testing"

	"klabot/flows/ops"
	"klabot/store"
)

func TestBroadcastOperations(t *testing.T) {
	w := newWorld(t, false)
	var id int64
	w.do(func(tx *store.Tx) {
		made, err := ops.CreateBroadcast(tx, w.villager, store.Broadcast{Text: "x", Audience: store.BroadcastAudience{Kind: store.ToAll}}, "", w.now)
		if err != nil || made.Outcome != ops.NotAllowed {
			t.Errorf("a villager broadcasts: %v %v", made.Outcome, err)
		}
		made, err = ops.CreateBroadcast(tx, w.staff, store.Broadcast{Text: "  ", Audience: store.BroadcastAudience{Kind: store.ToAll}}, "", w.now)
		if err != nil || made.Outcome != ops.Refused {
			t.Errorf("an empty broadcast: %v %v", made.Outcome, err)
		}
		made, err = ops.CreateBroadcast(tx, w.staff, store.Broadcast{Text: "Rapat", Audience: store.BroadcastAudience{Kind: store.ToAll}}, "semua", w.now)
		if err != nil || made.Outcome != ops.Done || made.Broadcast.CreatedBy != w.staff.UserID {
			t.Fatalf("staff broadcast: %v %v", made.Outcome, err)
		}
		id = made.Broadcast.ID
		if _, err := tx.StartBroadcast(id, w.now); err != nil {
			t.Fatal(err)
		}
	})
	steps := []struct {
		actor  ops.Actor
		action string
		want   ops.Outcome
		state  string
	}{
		{w.villager, ops.BroadcastPause, ops.NotAllowed, ""},
		{w.staff, ops.BroadcastPause, ops.Done, store.BroadcastPaused},
		{w.staff, ops.BroadcastPause, ops.AlreadyDone, store.BroadcastPaused}, // the chat and the web at once
		{w.staff, ops.BroadcastResume, ops.Done, store.BroadcastSending},
		{w.staff, ops.BroadcastCancel, ops.Done, store.BroadcastCancelled},
		{w.staff, ops.BroadcastCancel, ops.AlreadyDone, store.BroadcastCancelled},
		{w.staff, ops.BroadcastResume, ops.Refused, store.BroadcastCancelled},
	}
	for _, s := range steps {
		w.do(func(tx *store.Tx) {
			ch, err := ops.ChangeBroadcast(tx, s.actor, id, s.action, w.now)
			if err != nil || ch.Outcome != s.want || s.state != "" && ch.State != s.state {
				t.Errorf("%s: %v in state %s (err %v), want %v in %s", s.action, ch.Outcome, ch.State, err, s.want, s.state)
			}
		})
	}
	w.do(func(tx *store.Tx) {
		if ch, err := ops.ChangeBroadcast(tx, w.staff, id+100, ops.BroadcastPause, w.now); err != nil || ch.Outcome != ops.NotFound {
			t.Errorf("unknown broadcast: %v %v", ch.Outcome, err)
		}
	})
	for action, want := range map[string]int{"broadcast_create": 1, "broadcast_pause": 1, "broadcast_resume": 1, "broadcast_cancel": 1} {
		if got := len(w.audit(action)); got != want {
			t.Errorf("%d audit rows of %s, want %d", got, action, want)
		}
	}
}
