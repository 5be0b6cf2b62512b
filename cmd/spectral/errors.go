package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spectral-dev/spectral/pkg/eigsh"
	"github.com/spectral-dev/spectral/pkg/embed"
	"github.com/spectral-dev/spectral/pkg/figure"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
)

// exitCode is the process's exit status; the values are documented in exitStatusHelp and
// docs/CLI.md, and are set here only.
type exitCode int

const (
	exitOK          exitCode = 0
	exitFailure     exitCode = 1   // no convergence (converged pairs written), a GPU or run-time failure
	exitBadInput    exitCode = 2   // bad usage, bad values, bad input, unusable paths; nothing written
	exitInterrupted exitCode = 130 // SIGINT or SIGTERM; no partial output left behind
)

// usageError is bad usage: a wrong flag value or argument count (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, a ...any) error {
	return &usageError{msg: fmt.Sprintf(format, a...)}
}

// exitCodeOf maps an error to the exit status documented in exitStatusHelp.
func exitCodeOf(err error) exitCode {
	var ue *usageError
	var ie *cloudio.InputError
	var pe *cloudio.PathError
	var nc *eigsh.NoConvergence
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.Is(err, embed.ErrDevice):
		return exitFailure
	case errors.As(err, &ue), errors.As(err, &ie), errors.As(err, &pe), errors.Is(err, embed.ErrBadInput), errors.Is(err, figure.ErrBadInput):
		return exitBadInput
	case errors.As(err, &nc):
		return exitFailure
	}
	return exitFailure
}
