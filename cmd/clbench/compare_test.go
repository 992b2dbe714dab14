package main

import (
	"strings"
	"testing"
)

// A setting that is not a number in its range is a usage error (exit 2)
// naming its flag, before any result is read. NaN fails every comparison
// and Inf makes a threshold that nothing can pass, so each once slipped
// through.
func TestCompareAndValidateRejectBadSettings(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"compare", dir, dir, "--cost-threshold", "Inf"}, "--cost-threshold"},
		{[]string{"compare", dir, dir, "--cost-threshold", "NaN"}, "--cost-threshold"},
		{[]string{"compare", dir, dir, "--threshold", "NaN"}, "--threshold"},
		{[]string{"compare", dir, dir, "--threshold", "+Inf"}, "--threshold"},
		{[]string{"compare", dir, dir, "--threshold", "-1"}, "--threshold"},
		{[]string{"compare", dir, dir, "--alpha", "NaN"}, "--alpha"},
		{[]string{"compare", dir, dir, "--alpha", "1"}, "--alpha"},
		{[]string{"validate", dir, "--tolerance", "NaN"}, "--tolerance"},
		{[]string{"validate", dir, "--tolerance", "Inf"}, "--tolerance"},
		{[]string{"validate", dir, "--tolerance", "-1e-9"}, "--tolerance"},
	} {
		t.Run(strings.Join(tc.args[len(tc.args)-2:], " "), func(t *testing.T) {
			code, _, stderr := clbench(t, tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
		})
	}
}
