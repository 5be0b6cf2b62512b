package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

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

// flagOf names the flag that sets each field of embed.Options and embed.ClusterOptions:
// pkg/embed's errors name fields (embed.FieldError) and withFlagNames words them with
// these. Fields without a flag keep their Go name (TestFlagOfCoversOptions).
var flagOf = map[string]string{
	"Options.Sigma":              "--sigma",
	"Options.Cutoff":             "--cutoff",
	"Options.K":                  "-k",
	"Options.Laplacian":          "--laplacian",
	"Options.DropFirst":          "--drop-first",
	"Options.Device":             "--device",
	"Options.Threads":            "--threads",
	"Options.CacheMemory":        "--cache-memory",
	"Options.Solver":             "--solver",
	"Options.Tol":                "--tol",
	"Options.NCV":                "--ncv",
	"Options.MaxIter":            "--maxiter",
	"Options.Seed":               "--seed",
	"Options.Landmarks":          "--landmarks",
	"Options.LandmarkSampling":   "--landmark-sampling",
	"Options.Strict":             "--strict",
	"Options.Affinity":           "--affinity",
	"Options.Neighbors":          "--neighbors",
	"Options.ScaleNeighbor":      "--scale-neighbor",
	"Options.Component":          "--component",
	"ClusterOptions.Clusters":    "--clusters",
	"ClusterOptions.MaxClusters": "--max-clusters",
	"ClusterOptions.Method":      "--method",
	"ClusterOptions.NInit":       "--n-init",
	"ClusterOptions.Seed":        "--seed",
	"ClusterOptions.Threads":     "--threads",
}

// flagName is the flag of an embed field, or the field's Go name when no flag sets it.
func flagName(field string) string {
	if f, ok := flagOf[field]; ok {
		return f
	}
	return field
}

// flagWorded is an error of pkg/embed reworded with flag names; it keeps the original
// in its chain, so exitCodeOf sees ErrBadInput or ErrDevice as before.
type flagWorded struct {
	msg string
	err error
}

func (e *flagWorded) Error() string { return e.msg }
func (e *flagWorded) Unwrap() error { return e.err }

// withFlagNames words the embed.FieldError in err's chain, and the context wrapped
// around it, with the CLI's flag names: "Options.Sigma -1: ..." -> "--sigma -1: ...";
// then any other field the message names (a warning made an error by --strict).
func withFlagNames(err error) error {
	var fe *embed.FieldError
	var done *flagWorded
	if !errors.As(err, &fe) || errors.As(err, &done) {
		return err
	}
	msg := strings.Replace(err.Error(), fe.Error(), fe.Text(flagName), 1)
	return &flagWorded{msg: embed.NameFields(msg, flagName), err: err}
}

// warningText words a warning of pkg/embed, which names fields, with flag names.
func warningText(w string) string { return embed.NameFields(w, flagName) }
