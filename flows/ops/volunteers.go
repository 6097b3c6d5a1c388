package ops

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"klabot/flows/out"
	"klabot/flows/wilayah"
	"klabot/locales"
	"klabot/store"
)

// Satgas PA volunteers join only through a one-time invite code made by
// staff, and staff can end a volunteer's work at once (someone who moved
// away, or should no longer see cases about children).

// InviteTTL is how long an invite code stays valid.
const InviteTTL = 7 * 24 * time.Hour

// Reasons (locales keys) for refusing an invite code.
const (
	WhyInviteUnknown = "invite.unknown"
	WhyInviteUsed    = "invite.used"
	WhyInviteExpired = "invite.expired"
)

// Invitation is what CreateInvite made.
type Invitation struct {
	Result
	Invite store.Invite
}

// CreateInvite makes a one-time code that makes whoever uses it a Satgas PA
// volunteer of the kecamatan kecCode (staff only). random is the source of
// the code.
func CreateInvite(tx *store.Tx, a Actor, kecCode string, random io.Reader, now time.Time) (Invitation, error) {
	if !a.Staff {
		res, err := notAllowed(tx, a)
		return Invitation{Result: res}, err
	}
	if _, ok := wilayah.KecamatanByCode(kecCode); !ok {
		return Invitation{Result: Result{Outcome: NotFound}}, nil
	}
	inv, err := tx.CreateInvite(store.RoleSatgas, kecCode, a.UserID, random, now, InviteTTL)
	if err != nil {
		return Invitation{}, err
	}
	return Invitation{Invite: inv}, audit(tx, a, now, "invite:create", kecCode, "")
}

// Joining is what Join did.
type Joining struct {
	Result
	Invite store.Invite
	// KecName is the kecamatan the volunteer joined for.
	KecName string
}

// Join makes the actor a Satgas PA volunteer with an invite code (typed in
// any of its usual forms). A wrong, used or expired code is Refused with
// the reason; the actor's own code used again while they are still a
// volunteer is AlreadyDone. Staff are told who joined.
func Join(tx *store.Tx, a Actor, text string, now time.Time) (Joining, error) {
	code, ok := store.ParseInviteCode(text)
	if !ok {
		return Joining{Result: Result{Outcome: Refused, Why: WhyInviteUnknown}}, nil
	}
	inv, err := tx.RedeemInvite(code, a.UserID, now)
	j := Joining{Invite: inv}
	if k, ok := wilayah.KecamatanByCode(inv.KecCode); ok {
		j.KecName = k.Name
	}
	switch {
	case errors.Is(err, store.ErrInviteUnknown):
		j.Outcome, j.Why = Refused, WhyInviteUnknown
		return j, nil
	case errors.Is(err, store.ErrInviteUsed):
		j.Outcome, j.Why = Refused, WhyInviteUsed
		if inv.UsedBy == a.UserID {
			if _, still, err := tx.Volunteer(a.UserID); err != nil {
				return j, err
			} else if still {
				j.Outcome, j.Why = AlreadyDone, ""
			}
		}
		return j, nil
	case errors.Is(err, store.ErrInviteExpired):
		j.Outcome, j.Why = Refused, WhyInviteExpired
		return j, nil
	case err != nil:
		return j, err
	}
	if err := audit(tx, a, now, "invite:redeem", inv.KecCode, ""); err != nil {
		return j, err
	}
	u, err := tx.User(a.UserID)
	if err != nil {
		return j, err
	}
	u.Role = store.RoleSatgas
	if err := tx.SaveUser(u); err != nil {
		return j, err
	}
	j.Messages = append(j.Messages, out.Message{ToStaff: true, Priority: store.PriorityAlert,
		Reply: out.Reply{Text: staffT("triage.volunteer_joined", j.KecName, a.UserID)}})
	return j, nil
}

// Ending is what EndVolunteer did.
type Ending struct {
	Result
	// Name is how the volunteer is named in views.
	Name string
	// Unassigned are their open reports, now back with staff unassigned.
	Unassigned []store.Report
}

// EndVolunteer ends a volunteer's work at once (staff only): they see no
// report any more, and their open reports go back to staff unassigned.
// The volunteer is told kindly. Someone who was a volunteer and no longer
// is: AlreadyDone; someone who never was: NotFound.
func EndVolunteer(tx *store.Tx, a Actor, userID int64, now time.Time) (Ending, error) {
	if !a.Staff {
		res, err := notAllowed(tx, a)
		return Ending{Result: res}, err
	}
	if _, ok, err := tx.Volunteer(userID); err != nil {
		return Ending{}, err
	} else if !ok {
		e := Ending{Result: Result{Outcome: NotFound, Why: WhyNotVolunteer}}
		if userID != 0 {
			joined, err := tx.JoinedEver(userID)
			if err != nil {
				return e, err
			}
			if joined {
				e.Result = Result{Outcome: AlreadyDone}
			}
		}
		return e, nil
	}
	name, err := PersonName(tx, userID)
	if err != nil {
		return Ending{}, err
	}
	unassigned, err := tx.RemoveVolunteer(userID, a.UserID, now)
	if err != nil {
		return Ending{}, err
	}
	e := Ending{Name: name, Unassigned: unassigned}
	var codes []string
	for _, r := range unassigned {
		codes = append(codes, r.Code)
	}
	if err := audit(tx, a, now, "volunteer:remove", fmt.Sprintf("user:%d", userID), strings.Join(codes, " ")); err != nil {
		return e, err
	}
	vol, err := tx.User(userID)
	if err != nil {
		return e, err
	}
	e.send(vol.ID, out.Reply{Text: locales.T(vol.Lang, "invite.removed")})
	return e, nil
}

// VolunteerInfo is a volunteer with the open reports assigned to them.
type VolunteerInfo struct {
	store.Volunteer
	// Name is how they are named in views; InvitedBy who invited them
	// ("" when unknown).
	Name, InvitedBy string
	Open            []store.Report
}

// VolunteerList is what Volunteers found.
type VolunteerList struct {
	Result
	Volunteers []VolunteerInfo
}

// Volunteers lists every volunteer, by name, with their open reports
// (staff only).
func Volunteers(tx *store.Tx, a Actor) (VolunteerList, error) {
	if !a.Staff {
		res, err := notAllowed(tx, a)
		return VolunteerList{Result: res}, err
	}
	vols, err := tx.Volunteers("")
	if err != nil {
		return VolunteerList{}, err
	}
	l := VolunteerList{}
	for _, v := range vols {
		info, err := volunteerInfo(tx, v)
		if err != nil {
			return l, err
		}
		l.Volunteers = append(l.Volunteers, info)
	}
	return l, nil
}

// Volunteer is one volunteer with their open reports (staff only);
// NotFound if the person is not a volunteer.
func Volunteer(tx *store.Tx, a Actor, userID int64) (VolunteerInfo, Result, error) {
	if !a.Staff {
		res, err := notAllowed(tx, a)
		return VolunteerInfo{}, res, err
	}
	v, ok, err := tx.Volunteer(userID)
	if err != nil || !ok {
		return VolunteerInfo{}, Result{Outcome: NotFound, Why: WhyNotVolunteer}, err
	}
	info, err := volunteerInfo(tx, v)
	return info, Result{}, err
}

func volunteerInfo(tx *store.Tx, v store.Volunteer) (VolunteerInfo, error) {
	info := VolunteerInfo{Volunteer: v}
	var err error
	if info.Name, err = PersonName(tx, v.UserID); err != nil {
		return info, err
	}
	if v.InvitedBy != 0 {
		if info.InvitedBy, err = PersonName(tx, v.InvitedBy); err != nil {
			return info, err
		}
	}
	info.Open, err = tx.ListReports(store.ReportFilter{AssignedTo: v.UserID, OpenOnly: true, Limit: -1})
	return info, err
}
