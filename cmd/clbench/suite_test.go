package main

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clbench/clbench/results"
)

// smallSuite is 2 strategies x 3 seeds of the synthetic stream with the
// micro model: 6 runs of about half a second each.
const smallSuite = `name: small
streams:
  - name: synthetic
strategies:
  - finetune
  - joint
seeds: 3
model: micro
epochs: 1
max_train: 128
max_test: 64
`

func writeSuite(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "suite.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// cellsByRun maps run id -> "after/eval" -> score for every run in dir,
// and checks that no run appears twice.
func cellsByRun(t *testing.T, dir string) map[string]map[string]float64 {
	t.Helper()
	set, err := results.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Warnings) > 0 {
		t.Errorf("reading %s: %v", dir, set.Warnings)
	}
	runs := map[string]map[string]float64{}
	for _, r := range set.Runs {
		if runs[r.RunID] != nil {
			t.Errorf("run %s present twice", r.RunID)
		}
		runs[r.RunID] = map[string]float64{}
	}
	for _, c := range set.Cells {
		key := strings.Join([]string{string(rune('0' + c.AfterTask)), c.EvalTaskName}, "/")
		runs[c.RunID][key] = c.Score
	}
	return runs
}

func sameRuns(t *testing.T, want, got map[string]map[string]float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d runs, want %d", len(got), len(want))
	}
	for id, cells := range want {
		g, ok := got[id]
		if !ok {
			t.Errorf("run %s missing", id)
			continue
		}
		for k, v := range cells {
			if math.Float64bits(g[k]) != math.Float64bits(v) {
				t.Errorf("run %s cell %s: %v, want %v", id, k, g[k], v)
			}
		}
	}
}

func TestShardsCoverTheSuiteOnce(t *testing.T) {
	suite := writeSuite(t, smallSuite)
	whole, sharded := t.TempDir(), t.TempDir()
	if code, _, stderr := clbench(t, "run", "--suite", suite, "--out", whole, "-q"); code != 0 {
		t.Fatal(stderr)
	}
	for _, shard := range []string{"1/3", "2/3", "3/3"} {
		if code, _, stderr := clbench(t, "run", "--suite", suite, "--shard", shard, "--out", sharded, "-q"); code != 0 {
			t.Fatalf("shard %s: %s", shard, stderr)
		}
	}
	want := cellsByRun(t, whole)
	if len(want) != 6 {
		t.Fatalf("unsharded suite wrote %d runs, want 6", len(want))
	}
	sameRuns(t, want, cellsByRun(t, sharded))
}

// TestKilledSuiteResumes starts a suite as a separate process, kills it
// with SIGKILL once its first run is written, starts it again, and finds
// every run exactly once with the scores of an uninterrupted suite.
func TestKilledSuiteResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs two processes")
	}
	bin := filepath.Join(t.TempDir(), "clbench")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building clbench: %v\n%s", err, out)
	}
	suite := writeSuite(t, smallSuite)
	whole, killed := t.TempDir(), t.TempDir()
	if out, err := exec.Command(bin, "run", "--suite", suite, "--out", whole, "-q").CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted suite: %v\n%s", err, out)
	}

	cmd := exec.Command(bin, "run", "--suite", suite, "--out", killed, "-q")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		files, _ := filepath.Glob(filepath.Join(killed, "*.run.parquet"))
		if len(files) >= 1 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no run finished within two minutes")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	done, _ := filepath.Glob(filepath.Join(killed, "*.run.parquet"))
	if len(done) >= 6 {
		t.Fatalf("the suite finished before it was killed (%d runs); the test proves nothing", len(done))
	}

	if out, err := exec.Command(bin, "run", "--suite", suite, "--out", killed, "-v").CombinedOutput(); err != nil {
		t.Fatalf("resumed suite: %v\n%s", err, out)
	} else if !strings.Contains(string(out), "already complete") {
		t.Errorf("the resumed suite skipped nothing:\n%s", out)
	}
	sameRuns(t, cellsByRun(t, whole), cellsByRun(t, killed))
	leftovers, _ := filepath.Glob(filepath.Join(killed, "*.lock"))
	tmp, _ := filepath.Glob(filepath.Join(killed, ".*"))
	if len(leftovers)+len(tmp) > 0 {
		sort.Strings(leftovers)
		t.Errorf("left behind: %v %v", leftovers, tmp)
	}
}

// A strategy configuration that makes the loss NaN (an L2 strength of
// 1e39 is +Inf in float32, and Inf times the zero distance at the start
// of task 2 is NaN) fails its runs with the reason; the other runs of
// the suite complete and the command exits 1.
func TestDivergingRunsFailAndOthersComplete(t *testing.T) {
	suite := writeSuite(t, `streams:
  - name: synthetic
strategies:
  - name: l2
    params: {lambda: "1e39"}
  - finetune
seeds: 2
model: micro
epochs: 1
max_train: 128
max_test: 64
`)
	dir := t.TempDir()
	code, stdout, stderr := clbench(t, "run", "--suite", suite, "--out", dir, "-q")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr: %s", code, stderr)
	}
	set, err := results.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	failed, ok := 0, 0
	for _, r := range set.Runs {
		switch {
		case r.Strategy == "l2" && r.Status == results.StatusFailed && strings.Contains(r.Error, "not finite"):
			failed++
		case r.Strategy == "finetune" && r.Status == results.StatusOK:
			ok++
		default:
			t.Errorf("run %s (%s): status %s, error %q", r.RunID, r.Strategy, r.Status, r.Error)
		}
	}
	if failed != 2 || ok != 2 {
		t.Errorf("%d l2 runs failed and %d finetune runs completed, want 2 and 2", failed, ok)
	}
	if strings.Contains(stdout, "l2") {
		t.Errorf("failed runs shown as scores:\n%s", stdout)
	}
}

// A suite file's strategy that cannot be made is named by the file and
// its line (lines counted in the bodies).
func TestSuiteStrategyErrorsNameTheLine(t *testing.T) {
	const head = "streams:\n  - name: synthetic\nstrategies:\n  - finetune\n" // lines 1-4
	for _, tc := range []struct{ name, body, want string }{
		{"unknown parameter", head + "  - name: ewc\n    params: {lamda: \"4\"}\n",
			`line 5: strategy "ewc" has no parameter "lamda"`},
		{"unknown strategy", head + "  - nosuch\n", `line 5: unknown strategy "nosuch"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			suite := writeSuite(t, tc.body)
			code, _, stderr := clbench(t, "run", "--suite", suite, "--out", t.TempDir())
			if code != 2 || !strings.Contains(stderr, suite+": "+tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, suite+": "+tc.want)
			}
		})
	}
}
