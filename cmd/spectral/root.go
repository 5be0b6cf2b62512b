package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	cloudio "github.com/spectral-dev/spectral/pkg/io"
)

const exitStatusHelp = `
EXIT STATUS
  0    success
  1    the solver did not converge (converged pairs are still written), or a run-time/GPU failure
  2    bad usage or bad input (the message names the file and line or byte, or the flag and
       value), an output that is the input or another output or cannot be written, or a
       pre-flight warning under --strict; checked before the work, nothing is written
  130  interrupted (Ctrl-C, SIGTERM): within a second, leaving no partial output file`

// newRootCmd builds the command tree; stdin is what "-" reads.
func newRootCmd(stdin io.Reader) *cobra.Command {
	root := &cobra.Command{
		Use:   "spectral",
		Short: "Spectral coordinates of point clouds (Gaussian-kernel graph Laplacian eigenvectors)",
		Long: `spectral computes the eigenvectors of a graph Laplacian built from a Gaussian kernel
on a 2D or 3D point cloud (CSV/TXT/XYZ, PLY, LAS or NumPy .npy), for thousands to millions of points.

  spectral generate spiral -o spiral.csv      make the KeOps tutorial's spiral (10,000 points)
  spectral info spiral.csv                    what is in a cloud and what a sigma would cost
  spectral embed --sigma 0.05 spiral.csv      7 smallest eigenpairs -> spiral.eigvecs.csv
  spectral plot spiral.eigvecs.csv            PNG of the cloud coloured by each eigenvector
  spectral cluster spiral.csv --clusters 3    spectral clustering: a label per point
  spectral embed --sigma 0.05 spiral.csv --model s.model && spectral extend s.model new.csv
                                              eigenvector values at new points (Nystrom)
` + exitStatusHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
		// --version prints what the version command prints.
		Version: versionString(),
	}
	root.SetVersionTemplate(versionLine() + "\n")
	root.SetIn(stdin)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErrorf("%v (see '%s --help')", err, c.CommandPath())
	})
	root.AddCommand(
		newVersionCmd(),
		newGenerateCmd(nil),
		newInfoCmd(nil),
		newEmbedCmd(nil),
		newClusterCmd(nil),
		newPlotCmd(nil),
		newExtendCmd(nil),
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

// interruptGrace is how long a cancelled run gets to return on its own (every stage
// checks its context between small pieces of work) before the signal watcher ends the
// process anyway: a read blocked in the kernel (a FIFO with no writer, an idle pipe) or a
// LAPACK call cannot be interrupted, and Ctrl-C must take effect within a second whatever
// runs.
const interruptGrace = 300 * time.Millisecond

// run executes the CLI and maps the outcome to an exit status, in this one place.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	done := make(chan struct{})
	defer close(done)
	go watchSignals(sigs, cancel, done, stderr)

	root := newRootCmd(stdin)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := withFlagNames(root.ExecuteContext(ctx)) // pkg/embed names fields, the user typed flags
	code := exitCodeOf(err)
	if err != nil && ctx.Err() != nil {
		// A signal came first: whatever failed after it (an input pipe closed by the same
		// Ctrl-C reads as "empty input") is a consequence of the interruption.
		code = exitInterrupted
	}
	switch code {
	case exitOK:
	case exitInterrupted:
		fmt.Fprintln(stderr, "spectral: interrupted; no output written")
	default:
		fmt.Fprintf(stderr, "spectral: %v\n", err)
	}
	return int(code)
}

// watchSignals cancels the run at the first SIGINT or SIGTERM. If the run has not
// returned interruptGrace later, or at a second signal, it removes the temporary files of
// any write in progress and exits with status 130 itself: the robust way to stop a
// goroutine that is blocked where no context reaches.
func watchSignals(sigs <-chan os.Signal, cancel func(), done <-chan struct{}, stderr io.Writer) {
	select {
	case <-done:
		return
	case <-sigs:
	}
	cancel()
	select {
	case <-done:
		return // run returns context.Canceled, which it maps to 130
	case <-sigs:
	case <-time.After(interruptGrace):
	}
	cloudio.RemoveTempFiles()
	fmt.Fprintln(stderr, "\nspectral: interrupted; no output written")
	os.Exit(int(exitInterrupted))
}
