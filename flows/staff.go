package flows

import "strconv"

// Helpers shared by the staff flows (trainings, broadcasts, reminders).

// staffOnlySteps makes every step give nothing to someone who is not staff,
// even mid-way: rights can be taken away between two messages.
func staffOnlySteps(steps map[string]*Step) {
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

// fresh moves to step and forgets the way back, so that "kembali" cannot
// lead to a finished action (a saved draft, a sent message or broadcast)
// and repeat it.
func fresh(c *Ctx, step string) Next {
	c.Restart(step)
	return Stay()
}

// actor names the staff member in the audit log.
func actor(c *Ctx) string { return "user:" + strconv.FormatInt(c.User.ID, 10) }
