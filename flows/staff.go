package flows

import (
	"strconv"

	"klabot/locales"
)

// Helpers shared by the staff flows (trainings, broadcasts, reminders).

// StaffOnlySteps makes every step give nothing to someone who is not staff,
// even mid-way: rights can be taken away between two messages.
func StaffOnlySteps(steps map[string]*Step) {
	for _, s := range steps {
		prompt, handle := s.Prompt, s.Handle
		s.Prompt = func(c *Ctx) Reply {
			if !c.Staff {
				return Reply{}
			}
			return prompt(c)
		}
		s.Handle = func(c *Ctx, in Input, choice string) Next {
			if !c.Staff {
				return Menu()
			}
			return handle(c, in, choice)
		}
	}
}

// Fresh moves to step and forgets the way back, so that "kembali" cannot
// lead to a finished action (a saved draft, a sent message or broadcast)
// and repeat it.
func Fresh(c *Ctx, step string) Next {
	c.Restart(step)
	return Stay()
}

// AuditActor names the person of this turn in the audit log.
func (c *Ctx) AuditActor() string { return "user:" + strconv.FormatInt(c.User.ID, 10) }

// StaffT is text for staff: alerts and digests go to every staff contact,
// so they are in the office's language.
func StaffT(key string, args ...any) string { return locales.T(locales.Default, key, args...) }
