//go:build !unix

package kernel

// mapEverything does nothing where caches are never mapped.
func mapEverything() (restore func()) { return func() {} }
