package config

import "errors"

// InputError is bad input: a flag, a config file, a key file, a catalog,
// a data dir — the user's to fix. The command line exits with status 2.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// BadInput marks err as the user's to fix; nil stays nil.
func BadInput(err error) error {
	if err == nil {
		return nil
	}
	return &InputError{Err: err}
}

// IsBadInput reports whether err (or an error it wraps) is bad input.
func IsBadInput(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}
