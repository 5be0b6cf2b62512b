package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

const exitStatusHelp = `
EXIT STATUS
  0    success
  1    the solver did not converge (converged pairs are still written), or a run-time/GPU failure
  2    bad usage or bad input (the message names the file and line or byte); nothing is written
  130  interrupted (Ctrl-C); no partial output file is left behind`

// newRootCmd builds the command tree; stdin is what "-" reads.
func newRootCmd(stdin io.Reader) *cobra.Command {
	root := &cobra.Command{
		Use:   "spectral",
		Short: "Spectral coordinates of point clouds (Gaussian-kernel graph Laplacian eigenvectors)",
		Long: `spectral computes the eigenvectors of a graph Laplacian built from a Gaussian kernel
on a 2D or 3D point cloud (CSV/TXT/XYZ or PLY), for thousands to millions of points.

  spectral generate spiral -o spiral.csv      make the KeOps tutorial's spiral (10,000 points)
  spectral info spiral.csv                    what is in a cloud and what a sigma would cost
  spectral embed --sigma 0.05 spiral.csv      7 smallest eigenpairs -> eigvecs.csv
  spectral plot eigvecs.csv                   PNG of the cloud coloured by each eigenvector
` + exitStatusHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErrorf("%v (see '%s --help')", err, c.CommandPath())
	})
	root.AddCommand(
		newVersionCmd(),
		newGenerateCmd(),
		newInfoCmd(),
		newEmbedCmd(),
		newClusterCmd(),
		newPlotCmd(),
	)
	// Developer commands (devcheck) exist only in binaries built with their build tag.
	for _, newCmd := range devCommands {
		root.AddCommand(newCmd())
	}
	// Unknown commands and wrong argument counts are usage errors (exit 2), like bad flags.
	root.Args = cobra.NoArgs
	root.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
	usageArgs(root)
	return root
}

// usageArgs makes the argument validators of c and its subcommands return usage errors.
func usageArgs(c *cobra.Command) {
	if v := c.Args; v != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := v(cmd, args); err != nil {
				return usageErrorf("%v (see '%s --help')", err, cmd.CommandPath())
			}
			return nil
		}
	}
	for _, s := range c.Commands() {
		usageArgs(s)
	}
}

// run executes the CLI and maps the outcome to an exit status, in this one place.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd(stdin)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	code := exitCode(err)
	fmt.Fprintf(stderr, "spectral: %v\n", err)
	return code
}
