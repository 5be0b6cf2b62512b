//go:build !devcheck

package main

import (
	"strings"
	"testing"
)

// TestNoDevCommandsInUserBinary: without -tags devcheck the binary has only the commands
// --help lists; `devcheck` is an unknown command (exit 2).
func TestNoDevCommandsInUserBinary(t *testing.T) {
	if len(devCommands) != 0 {
		t.Fatalf("user binary has %d developer commands", len(devCommands))
	}
	r := spectral(t, nil, "devcheck")
	if r.code != 2 || !strings.Contains(r.stderr, "unknown command") {
		t.Fatalf("devcheck in a user binary: exit %d, stderr %q", r.code, r.stderr)
	}
	help := mustRun(t, nil, "--help").stdout
	if strings.Contains(help, "devcheck") {
		t.Fatalf("--help lists devcheck:\n%s", help)
	}
}
