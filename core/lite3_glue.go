package core

import (
	"errors"

	"github.com/plasmite-go/plasmite/core/lite3"
)

// lite3Err maps a codec error to a core error: malformed documents are
// Corrupt, everything else (bad JSON, limits) is Usage.
func lite3Err(err error) error {
	if err == nil {
		return nil
	}
	var le *lite3.Error
	if errors.As(err, &le) {
		k := Usage
		if le.Corrupt {
			k = Corrupt
		}
		return &Error{Kind: k, Message: le.Msg}
	}
	return &Error{Kind: Usage, Message: err.Error(), Err: err}
}
