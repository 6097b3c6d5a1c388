package bot

import (
	"errors"
)

// classify reads any error as a SendError; an unknown error is treated as
// temporary, because losing a message is worse than trying once more.
func classify(err error) *SendError {
	var se *SendError
	if errors.As(err, &se) {
		return se
	}
	return &SendError{Temporary: true, Err: err}
}
