package main

import (
	"io"

	"github.com/spf13/cobra"

	cloudio "github.com/spectral-dev/spectral/pkg/io"
)

// writeOutput writes path atomically ("-" = the command's stdout), and removes the temporary
// file when the command's context is cancelled (Ctrl-C) before the rename.
func writeOutput(cmd *cobra.Command, path string, write func(io.Writer) error) error {
	if path == "-" {
		return write(cmd.OutOrStdout())
	}
	return cloudio.WriteFileAtomicContext(cmd.Context(), path, write)
}
