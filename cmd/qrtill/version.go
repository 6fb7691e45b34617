package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise it comes from the module build info.
var version = ""

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print qrtill's version and the versions it was built with",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, gopay := version, "unknown"
			if info, ok := debug.ReadBuildInfo(); ok {
				if v == "" {
					v = info.Main.Version
				}
				for _, d := range info.Deps {
					if d.Path == "github.com/go-pay/gopay" {
						gopay = d.Version
					}
				}
			}
			if v == "" || v == "(devel)" {
				v = "devel"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "qrtill %s\ngo %s %s/%s\ngopay %s\n", v, runtime.Version(), runtime.GOOS, runtime.GOARCH, gopay)
			return nil
		},
	}
}
