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

// usageError is bad usage: a wrong flag value or argument count (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, a ...any) error {
	return &usageError{msg: fmt.Sprintf(format, a...)}
}

// exitCode maps an error to the exit status documented in exitStatusHelp.
func exitCode(err error) int {
	var ue *usageError
	var ie *cloudio.InputError
	var nc *eigsh.NoConvergence
	switch {
	case errors.Is(err, context.Canceled):
		return 130
	case errors.As(err, &ue), errors.As(err, &ie), errors.Is(err, embed.ErrBadInput), errors.Is(err, figure.ErrBadInput):
		return 2
	case errors.As(err, &nc):
		return 1
	}
	return 1
}
