package main

import "github.com/spf13/cobra"

// devCommands are the developer commands compiled into this binary: none by default;
// devcheck.go adds itself when built with `-tags devcheck` (scripts/gpu-check.sh does).
var devCommands []func() *cobra.Command
