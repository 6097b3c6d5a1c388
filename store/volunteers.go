package store

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"
)

// RoleSatgas is the role an invite gives: a Satgas PA volunteer.
const RoleSatgas = "satgas"

// Errors of invite codes.
var (
	ErrInviteUnknown = errors.New("invite code unknown")
	ErrInviteUsed    = errors.New("invite code already used")
	ErrInviteExpired = errors.New("invite code expired")
)

// Volunteer is a Satgas PA volunteer who joined with an invite code.
type Volunteer struct {
	UserID    int64
	Name      string
	KecCode   string
	InvitedBy int64
	Since     time.Time
}

// Invite is a one-time code that makes whoever redeems it a volunteer.
type Invite struct {
	Code      string
	Role      string
	KecCode   string
	CreatedBy int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedBy    int64
	UsedAt    time.Time
}

// Volunteer tells whether a person is a volunteer, and where.
func (tx *Tx) Volunteer(userID int64) (Volunteer, bool, error) {
	var v Volunteer
	var invitedBy sql.NullInt64
	var since string
	err := tx.queryRow(`SELECT v.user_id, u.name, v.kec_code, v.invited_by, v.since FROM volunteers v
		JOIN users u ON u.id = v.user_id WHERE v.user_id = ?`, userID).Scan(&v.UserID, &v.Name, &v.KecCode, &invitedBy, &since)
	if errors.Is(err, sql.ErrNoRows) {
		return Volunteer{}, false, nil
	}
	if err != nil {
		return Volunteer{}, false, fmt.Errorf("load volunteer: %w", err)
	}
	v.InvitedBy, v.Since = invitedBy.Int64, ParseTime(since)
	return v, true, nil
}

// Volunteers lists the volunteers of a kecamatan ("" for all), by name.
func (tx *Tx) Volunteers(kecCode string) ([]Volunteer, error) {
	rows, err := tx.query(`SELECT v.user_id, u.name, v.kec_code, COALESCE(v.invited_by, 0), v.since FROM volunteers v
		JOIN users u ON u.id = v.user_id WHERE ? = '' OR v.kec_code = ? ORDER BY u.name, v.user_id`, kecCode, kecCode)
	if err != nil {
		return nil, fmt.Errorf("list volunteers: %w", err)
	}
	return scanAll(rows, "scan volunteer", func(row rowScanner) (Volunteer, error) {
		var v Volunteer
		var since string
		err := row.Scan(&v.UserID, &v.Name, &v.KecCode, &v.InvitedBy, &since)
		v.Since = ParseTime(since)
		return v, err
	})
}

// CreateInvite makes a one-time invite code valid for ttl.
func (tx *Tx) CreateInvite(role, kecCode string, createdBy int64, random io.Reader, now time.Time, ttl time.Duration) (Invite, error) {
	for try := 0; try < maxCodeTries; try++ {
		code, err := newCode(InviteCodePrefix, random)
		if err != nil {
			return Invite{}, fmt.Errorf("create invite: %w", err)
		}
		res, err := tx.exec(`INSERT INTO invites(code, role, kec_code, created_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(code) DO NOTHING`,
			code, role, kecCode, createdBy, FormatTime(now), FormatTime(now.Add(ttl)))
		if err != nil {
			return Invite{}, fmt.Errorf("create invite: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return Invite{Code: code, Role: role, KecCode: kecCode, CreatedBy: createdBy,
				CreatedAt: now, ExpiresAt: now.Add(ttl)}, nil
		}
	}
	return Invite{}, fmt.Errorf("create invite: no free code after %d tries", maxCodeTries)
}

// RedeemInvite uses an invite code: the person becomes a volunteer of the
// invite's kecamatan (moving there if they already were one elsewhere).
func (tx *Tx) RedeemInvite(code string, userID int64, now time.Time) (Invite, error) {
	var inv Invite
	var usedBy sql.NullInt64
	var createdBy sql.NullInt64
	var created, expires, used string
	err := tx.queryRow(`SELECT code, role, kec_code, created_by, created_at, expires_at, used_by, COALESCE(used_at, '')
		FROM invites WHERE code = ?`, code).Scan(&inv.Code, &inv.Role, &inv.KecCode, &createdBy, &created, &expires, &usedBy, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return Invite{}, ErrInviteUnknown
	}
	if err != nil {
		return Invite{}, fmt.Errorf("load invite: %w", err)
	}
	inv.CreatedBy, inv.UsedBy = createdBy.Int64, usedBy.Int64
	inv.CreatedAt, inv.ExpiresAt, inv.UsedAt = ParseTime(created), ParseTime(expires), ParseTime(used)
	switch {
	case usedBy.Valid:
		return inv, ErrInviteUsed
	case !now.Before(inv.ExpiresAt):
		return inv, ErrInviteExpired
	}
	if _, err := tx.exec(`UPDATE invites SET used_by = ?, used_at = ? WHERE code = ?`, userID, FormatTime(now), code); err != nil {
		return inv, fmt.Errorf("use invite: %w", err)
	}
	var invitedBy any
	if inv.CreatedBy != 0 {
		invitedBy = inv.CreatedBy
	}
	if _, err := tx.exec(`INSERT INTO volunteers(user_id, kec_code, invited_by, since) VALUES (?, ?, ?, ?)
		ON CONFLICT(user_id) DO UPDATE SET kec_code = excluded.kec_code, invited_by = excluded.invited_by`,
		userID, inv.KecCode, invitedBy, FormatTime(now)); err != nil {
		return inv, fmt.Errorf("add volunteer: %w", err)
	}
	inv.UsedBy, inv.UsedAt = userID, now
	return inv, nil
}

// RemoveVolunteer ends a person's work as a Satgas PA volunteer: from now
// on they see no report at all (messages about their cases still waiting
// to go are dropped), and the open reports assigned to them go back to
// staff unassigned, each with a line in its history. It returns
// those reports (as they are now). ErrNotFound if the person is not a
// volunteer. They can join again only with a new invite. The role the
// invite gave them goes too (they become "lainnya"), so reminders and
// broadcasts for Satgas PA no longer reach them.
func (tx *Tx) RemoveVolunteer(userID, actorID int64, now time.Time) ([]Report, error) {
	res, err := tx.exec(`DELETE FROM volunteers WHERE user_id = ?`, userID)
	if err != nil {
		return nil, fmt.Errorf("remove volunteer: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, ErrNotFound
	}
	if _, err := tx.exec(`UPDATE users SET role = 'lainnya' WHERE id = ? AND role = ?`, userID, RoleSatgas); err != nil {
		return nil, fmt.Errorf("remove volunteer's role: %w", err)
	}
	all, err := tx.ListReports(ReportFilter{AssignedTo: userID, Limit: -1})
	if err != nil {
		return nil, err
	}
	var open []Report
	for _, r := range all {
		if err := tx.dropQueuedAbout(userID, r.Code); err != nil {
			return nil, err
		}
		if r.ClosedAt.IsZero() {
			open = append(open, r)
		}
	}
	for i, r := range open {
		if _, err := tx.exec(`UPDATE reports SET assigned_to = NULL, updated_at = ? WHERE id = ?`, FormatTime(now), r.ID); err != nil {
			return nil, fmt.Errorf("unassign report: %w", err)
		}
		if err := tx.AddReportEvent(ReportEvent{ReportID: r.ID, At: now, ActorID: actorID, Role: RoleStaff,
			Kind: EventUnassign, AssigneeID: userID}); err != nil {
			return nil, err
		}
		open[i].AssignedTo = 0
	}
	return open, nil
}

// JoinedEver tells whether a person ever joined as a volunteer (redeemed
// an invite code), even if they are one no longer.
func (tx *Tx) JoinedEver(userID int64) (bool, error) {
	var n int
	if err := tx.queryRow(`SELECT COUNT(*) FROM invites WHERE used_by = ?`, userID).Scan(&n); err != nil {
		return false, fmt.Errorf("look up invites used: %w", err)
	}
	return n > 0, nil
}
