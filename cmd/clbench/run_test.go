package main

import (
	"os"
	"os/exec"
	"path/filepath"
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

// make test-real and smoke-real use the CLBENCH_DATA the user exported
// (they used ../shared/datasets whatever it said), DATA=... above it,
// and ../shared/datasets when neither is set. make -n only prints the
// commands.
func TestMakefileDataFolder(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	def, _ := filepath.Abs(filepath.Join("..", "..", "..", "shared", "datasets"))
	for _, tc := range []struct {
		name, env string
		args      []string
		want      string
	}{
		{"exported", "/elsewhere/data", nil, "CLBENCH_DATA=/elsewhere/data "},
		{"DATA wins", "/elsewhere/data", []string{"DATA=/given"}, "CLBENCH_DATA=/given "},
		{"neither", "", nil, "CLBENCH_DATA=" + def + " "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, target := range []string{"smoke-real", "test-real"} {
				cmd := exec.Command("make", append([]string{"-n", "-C", filepath.Join("..", ".."), target}, tc.args...)...)
				cmd.Env = append(os.Environ(), "CLBENCH_DATA="+tc.env)
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("make -n %s: %v\n%s", target, err, out)
				}
				if !strings.Contains(string(out), tc.want) {
					t.Errorf("make %s with CLBENCH_DATA=%q: output lacks %q:\n%s", target, tc.env, tc.want, out)
				}
			}
		})
	}
}
