package embed

import (
	"fmt"
	"regexp"
)

// FieldError is a bad value of a field of Options or ClusterOptions. It names the field
// as Go does ("Options.Sigma") so that each front end can word it in its own terms: the
// CLI names its flags instead (cmd/spectral/errors.go), and the package never words an
// error as a command line. The message may name other fields as well.
type FieldError struct {
	Field  string // the bad field, e.g. "Options.Sigma" or "ClusterOptions.Clusters"
	format string // the message: "{}" stands for Field, "{Options.K}" for another field
	args   []any
	err    error // what it wraps: ErrBadInput, ErrDevice or the cause
}

// fieldRef is a field's place in a FieldError's format.
var fieldRef = regexp.MustCompile(`\{((?:Cluster)?Options\.[A-Za-z]+)?\}`)

// fieldError is bad input in field, worded by format and a (see FieldError).
func fieldError(field, format string, a ...any) *FieldError {
	return &FieldError{Field: field, format: format, args: a, err: ErrBadInput}
}

// fieldErrorOf is fieldError wrapping err instead of ErrBadInput.
func fieldErrorOf(err error, field, format string, a ...any) *FieldError {
	return &FieldError{Field: field, format: format, args: a, err: err}
}

// Text words the message with name(f) for each field f it names; the arguments are
// formatted after the names are in place, so a value such as a file name is never read
// as a field.
func (e *FieldError) Text(name func(field string) string) string {
	f := fieldRef.ReplaceAllStringFunc(e.format, func(ref string) string {
		field := ref[1 : len(ref)-1]
		if field == "" {
			field = e.Field
		}
		return name(field)
	})
	return fmt.Sprintf(f, e.args...)
}

// fieldName is a field's name in a text: "Options.Sigma", "ClusterOptions.NInit".
var fieldName = regexp.MustCompile(`\b(?:Cluster)?Options\.[A-Z][A-Za-z]*\b`)

// NameFields words a text of this package that names fields as Go does, such as a
// warning (Result.Warnings, Options.Warn: "a larger Options.Sigma connects them"), with
// name(field) for each. Unlike FieldError.Text it cannot tell a field from a value that
// spells one.
func NameFields(text string, name func(field string) string) string {
	return fieldName.ReplaceAllStringFunc(text, name)
}

// Error names the fields as Go does: "Options.Sigma -1: must be a positive number or auto".
func (e *FieldError) Error() string { return e.Text(func(f string) string { return f }) }

// Unwrap is ErrBadInput for a bad value (ErrDevice for an unusable --device gpu).
func (e *FieldError) Unwrap() error { return e.err }
