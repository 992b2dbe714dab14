package main

import (
	"strings"
	"testing"
)

// --fail-fast starts no run after the first failure and counts the rest
// as not started. The suite is l2 (whose strength 1e39 makes the loss
// NaN on task 2, see TestDivergingRunsFailAndOthersComplete) then
// finetune, two seeds each: 4 runs, the first fails, so 1 of 1 run made
// failed and the other 3 were not started.
func TestFailFastCountsRunsNotStarted(t *testing.T) {
	code, _, stderr := clbench(t, quickRun(t.TempDir(), "--strategy", "l2,finetune",
		"--param", "l2.lambda=1e39", "--seeds", "2", "--fail-fast")...)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr: %s", code, stderr)
	}
	if want := "1 of 1 runs failed; 3 not started"; !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
}
