package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/clbench/clbench/results"
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
		{[]string{"validate", dir, "--tolerance", "1e9"}, "--tolerance"}, // would pass any edit
	} {
		t.Run(strings.Join(tc.args[len(tc.args)-2:], " "), func(t *testing.T) {
			code, _, stderr := clbench(t, tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
		})
	}
}

// writeSeeds writes one run of strategy on the synthetic stream for each
// seed into dir, completed with ACC 0.8 or failed.
func writeSeeds(t *testing.T, dir, strategy, status string, seeds ...int64) {
	t.Helper()
	for _, seed := range seeds {
		r := results.Run{RunID: fmt.Sprintf("%s-%s-%d", strategy, status, seed),
			Stream: "synthetic", StreamVersion: "1", Strategy: strategy, Seed: seed,
			NumTasks: 2, Backend: "go", Status: status}
		if status == results.StatusOK {
			r.ACC, r.LA = ptr(0.8), ptr(0.9)
		} else {
			r.Error = "loss is not finite"
		}
		if err := results.WriteRun(dir, r, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// The gate fails when runs fail in NEW and none did in OLD, even when
// every NEW run of a strategy failed; stderr names them.
func TestCompareFailsOnNewFailures(t *testing.T) {
	old, new := t.TempDir(), t.TempDir()
	writeSeeds(t, old, "finetune", results.StatusOK, 1, 2, 3)
	writeSeeds(t, old, "ewc", results.StatusOK, 1, 2, 3)
	writeSeeds(t, new, "finetune", results.StatusOK, 1, 2, 3)
	writeSeeds(t, new, "ewc", results.StatusFailed, 1, 2, 3)
	code, _, stderr := clbench(t, "compare", old, new)
	for _, want := range []string{"failed: ewc on synthetic (full stream): 3 of 3 NEW run(s) failed",
		"1 stream, shots and strategy group(s) with runs that failed in NEW only"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q lacks %q", stderr, want)
		}
	}
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}

	// Failed in OLD as well: not the change's doing, and the gate passes.
	writeSeeds(t, old, "ewc", results.StatusFailed, 4)
	if code, _, stderr := clbench(t, "compare", old, new); code != 0 {
		t.Errorf("exit %d, want 0 when OLD has failed runs too; stderr %q", code, stderr)
	}
}

// The verdict names the threshold of what gates: points for a score,
// percent of the old mean for a cost.
func TestBeyondNamesTheGatingThresholds(t *testing.T) {
	o := &compareOptions{threshold: 1, costThreshold: 10}
	for _, tc := range []struct {
		gate []string
		want string
	}{
		{[]string{"acc", "forgetting"}, "1 points"},
		{[]string{"wall_seconds"}, "10%"},
		{[]string{"acc", "wall_seconds"}, "1 points (scores) or 10% (costs)"},
	} {
		if got := beyond(o, tc.gate); got != tc.want {
			t.Errorf("beyond(%v) = %q, want %q", tc.gate, got, tc.want)
		}
	}
}
