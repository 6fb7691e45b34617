// Command qrtill is a terminal point-of-sale till taking Alipay and WeChat
// Pay by QR code. This package only parses flags and configuration and
// wires the services together; the work is done in pos, storage, payments
// and tui.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns the process exit status:
// 0 on success, 2 for bad input (a usage error), 1 for anything else.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "qrtill: %s\n", sentence(err))
	var ue *usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

// usageError is bad input from the user: a flag, a config file, a key
// file, a catalog, a data dir. It exits with status 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// badInput marks err as the user's to fix.
func badInput(err error) error {
	if err == nil {
		return nil
	}
	return &usageError{err: err}
}

// sentence makes an error message read as one sentence.
func sentence(err error) string {
	s := err.Error()
	if s == "" {
		return "unknown error."
	}
	if last := s[len(s)-1]; last != '.' && last != '?' && last != '!' {
		s += "."
	}
	return s
}
