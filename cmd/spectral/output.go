package main

import (
	"encoding/json"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/spectral-dev/spectral/pkg/embed"
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

// writeSummary writes a command's JSON summary (indented) to path, atomically or to stdout;
// an empty path writes nothing.
func writeSummary(cmd *cobra.Command, path string, summary any) error {
	if path == "" {
		return nil
	}
	return writeOutput(cmd, path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(summary)
	})
}

// defaultOutputName names a command's CSV output after its input, next to it, as plot
// names its figure: embed and extend write cloud.ply -> cloud.eigvecs.csv, cluster
// cloud.ply -> cloud.labels.csv; standard input -> eigvecs.csv, labels.csv.
func defaultOutputName(input, what string) string {
	if input == "-" {
		return what + ".csv"
	}
	return strings.TrimSuffix(input, filepath.Ext(input)) + "." + what + ".csv"
}

// summaryOf is res's JSON summary (embed, cluster) with its warnings worded with flags.
func summaryOf(res *embed.Result) embed.Summary {
	sum := res.Summary()
	sum.Warnings = append([]string{}, sum.Warnings...)
	for i, w := range sum.Warnings {
		sum.Warnings[i] = warningText(w)
	}
	return sum
}

// coordTable is the table of an output file: the cloud's coordinate columns (named as in
// the input), then cols named names.
func coordTable(c *cloudio.Cloud, names []string, cols [][]float64) *cloudio.Table {
	t := &cloudio.Table{Names: append(append([]string{}, c.Names...), names...)}
	for d := 0; d < c.Dim; d++ {
		col := make([]float64, c.N())
		for i := range col {
			col[i] = c.Points[i*c.Dim+d]
		}
		t.Columns = append(t.Columns, col)
	}
	t.Columns = append(t.Columns, cols...)
	return t
}
