package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	xterm "golang.org/x/term"

	"qrtill/config"
	"qrtill/pos"
)

// newManagerPinCmd is `qrtill manager-pin`: it reads a new manager PIN
// twice (without echo on a terminal; from standard input otherwise: the
// PIN on the first line and, if there is one, the same again on the
// second) and prints the [manager] pin_hash line for the config. The PIN
// is never printed, stored or logged.
func newManagerPinCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "manager-pin",
		Short: "Set the manager PIN: read it twice and print the pin_hash line for the config",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pin, again, err := readPINs(cmd.InOrStdin(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if again != pin {
				return config.BadInput(errors.New("the two PINs differ; run qrtill manager-pin again"))
			}
			hash, err := pos.HashPIN(pin)
			if err != nil {
				return config.BadInput(err)
			}
			fmt.Fprintln(cmd.ErrOrStderr(), "Put this line under [manager] in the config file:")
			fmt.Fprintf(cmd.OutOrStdout(), "pin_hash = %q\n", hash)
			return nil
		},
	}
}

// readPINs reads the PIN and its repetition: from the terminal without
// echo, prompting on prompts, or as the first two lines of in (one line
// alone counts twice).
func readPINs(in io.Reader, prompts io.Writer) (pin, again string, err error) {
	if f, ok := in.(*os.File); ok && xterm.IsTerminal(int(f.Fd())) {
		if pin, err = readHidden(f, prompts, "Manager PIN: "); err == nil {
			again, err = readHidden(f, prompts, "The same PIN again: ")
		}
		return pin, again, err
	}
	lines := bufio.NewScanner(io.LimitReader(in, 1<<10))
	if !lines.Scan() {
		return "", "", config.BadInput(errors.New("no PIN on standard input; type it at a terminal, or pipe it in: echo 2580 | qrtill manager-pin"))
	}
	pin = strings.TrimSpace(lines.Text())
	again = pin
	if lines.Scan() {
		again = strings.TrimSpace(lines.Text())
	}
	return pin, again, nil
}

// readHidden prompts and reads one line from the terminal f without echo.
func readHidden(f *os.File, prompts io.Writer, prompt string) (string, error) {
	fmt.Fprint(prompts, prompt)
	b, err := xterm.ReadPassword(int(f.Fd()))
	fmt.Fprintln(prompts)
	if err != nil {
		return "", fmt.Errorf("read the PIN: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}
