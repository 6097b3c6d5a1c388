package ops

import (
	"klabot/flows/words"
	"klabot/store"
)

// RoleForumAnak is the role of people who said they are in the Forum Anak.
const RoleForumAnak = "forum_anak"

// IsChild tells whether u said they are a child: a Forum Anak member, or
// someone who gave an age under 18 when they last registered for a
// training. Children are spoken to as "kamu", offered anonymity first
// when they report, and asked for less about themselves.
func IsChild(tx *store.Tx, u store.User) (bool, error) {
	if u.Role == RoleForumAnak {
		return true, nil
	}
	last, found, err := tx.LastRegistration(u.ID)
	if err != nil {
		return false, err
	}
	return found && last.Age > 0 && last.Age < words.AdultAge, nil
}
