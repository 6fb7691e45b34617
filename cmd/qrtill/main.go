// Command qrtill is a terminal point-of-sale till taking Alipay and WeChat
// Pay by QR code. This package only declares the commands and their
// flags (built from config's settings) and hands the work to app, which
// assembles a running till, and to the servers' own packages.
package main

import (
	"fmt"
	"io"
	"os"

	"qrtill/config"
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
	if config.IsBadInput(err) {
		return 2
	}
	return 1
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
