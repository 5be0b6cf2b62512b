package main

import (
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	r := mustRun(t, nil, "version")
	if !strings.HasPrefix(r.stdout, "spectral ") || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("version printed %q", r.stdout)
	}
	if r := spectral(t, nil, "version", "extra"); r.code != 2 {
		t.Errorf("version extra: exit %d, want 2", r.code)
	}
}
