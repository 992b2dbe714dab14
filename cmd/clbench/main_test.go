package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clbench/clbench/results"
)

// quickRun is a run of the synthetic stream small enough for a unit
// test: the micro model, one epoch, 128 training examples per task.
func quickRun(out string, extra ...string) []string {
	args := []string{"run", "--stream", "synthetic", "--model", "micro", "--epochs", "1",
		"--max-train", "128", "--max-test", "64", "--out", out, "-q"}
	return append(args, extra...)
}

// clbench runs the command line in-process and returns its exit code
// and what it wrote to stdout and stderr.
func clbench(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	root := newRootCmd()
	var out, errb bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errb)
	if err := root.Execute(); err != nil {
		errb.WriteString(err.Error())
		code = 2
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
	}
	return code, out.String(), errb.String()
}

// readScores maps strategy/task/after-task to the score in dir.
func readScores(t *testing.T, dir string) map[string]float64 {
	t.Helper()
	set, err := results.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	scores := map[string]float64{}
	for _, c := range set.Cells {
		key := strings.Join([]string{c.Strategy, c.EvalTaskName, string(rune('0' + c.AfterTask))}, "/")
		scores[key] = c.Score
	}
	return scores
}

func TestRunWritesResultsAndTable(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := clbench(t, quickRun(dir, "--strategy", "finetune,joint")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"finetune", "joint", "ACC", "n/a"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
	set, err := results.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Runs) != 2 {
		t.Fatalf("%d runs written, want 2", len(set.Runs))
	}
	// finetune measures every cell of the 3-task stream plus the
	// untrained row: 4 x 3 = 12; joint only the untrained and last rows: 6.
	perRun := map[string]int{}
	for _, c := range set.Cells {
		perRun[c.Strategy]++
	}
	if perRun["finetune"] != 12 || perRun["joint"] != 6 {
		t.Errorf("cells per strategy = %v, want finetune 12, joint 6", perRun)
	}
}

func TestSameSeedGivesBitIdenticalScores(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if code, _, stderr := clbench(t, quickRun(a)...); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := clbench(t, quickRun(b)...); code != 0 {
		t.Fatal(stderr)
	}
	sa, sb := readScores(t, a), readScores(t, b)
	if len(sa) == 0 || len(sa) != len(sb) {
		t.Fatalf("runs measured %d and %d cells", len(sa), len(sb))
	}
	for k, v := range sa {
		if math.Float64bits(sb[k]) != math.Float64bits(v) {
			t.Errorf("%s: %v then %v", k, v, sb[k])
		}
	}
}

func TestCompleteRunsAreSkipped(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := clbench(t, quickRun(dir)...); code != 0 {
		t.Fatal(stderr)
	}
	before := snapshotDir(t, dir)
	logs := captureLogs(t, func() {
		if code, _, stderr := clbench(t, quickRun(dir, "-v")...); code != 0 {
			t.Fatal(stderr)
		}
	})
	if !strings.Contains(logs, "already complete") {
		t.Errorf("second run did not report a skip; logs:\n%s", logs)
	}
	assertSameFiles(t, dir, before)
}

// A run whose loss diverges is recorded as failed, the command exits 1,
// and results already in the folder are untouched.
func TestFailedRunKeepsEarlierResults(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := clbench(t, quickRun(dir)...); code != 0 {
		t.Fatal(stderr)
	}
	before := snapshotDir(t, dir)
	code, _, stderr := clbench(t, quickRun(dir, "--lr", "1e30")...)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr: %s", code, stderr)
	}
	set, err := results.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	failed := results.Failures(set)
	if len(failed) != 1 || !strings.Contains(failed[0].Error, "not finite") {
		t.Fatalf("failures = %+v, want one run failed with a non-finite loss", failed)
	}
	for name, data := range before {
		now, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(now, data) {
			t.Errorf("%s changed or vanished after a failed run", name)
		}
	}
}

func TestBadInputExitsTwo(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	write("train.tsv", "sentence\tlabel\ngood film\t1\nno label here\n")
	write("test.tsv", "sentence\tlabel\nfine\t1\n")
	yaml := write("s.yaml", "name: s\ntasks:\n  - name: t\n    kind: classify\n    format: tsv\n"+
		"    train: train.tsv\n    test: test.tsv\n")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"row without label", []string{"run", "--stream-file", yaml, "--out", dir}, "train.tsv:3"},
		{"unknown stream", []string{"run", "--stream", "nope", "--out", dir}, "nope"},
		{"unknown strategy", quickRun(dir, "--strategy", "nope"), "unknown strategy"},
		{"unknown parameter", quickRun(dir, "--param", "finetune.x=1"), "no parameter"},
		{"both streams", []string{"run", "--stream", "synthetic", "--stream-file", yaml}, "exactly one"},
		{"empty results folder", []string{"leaderboard", t.TempDir()}, "no runs"},
		{"bad matrix", []string{"metrics", "--matrix", write("R.csv", "0.5,x\n")}, "R.csv:1"},
		{"negative cap", quickRun(dir, "--max-train", "-5"), "--max-train -5"},
		{"infinite learning rate", quickRun(dir, "--lr", "Inf"), "learning rate must be a positive number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := clbench(t, tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
		})
	}
}

func TestMetricsCommand(t *testing.T) {
	// R for T = 2, the cell above the diagonal left empty:
	//   after task 1: 0.9, -
	//   after task 2: 0.6, 0.8
	// ACC = (0.6+0.8)/2 = 0.7; BWT = 0.6-0.9 = -0.3; forgetting =
	// 0.9-0.6 = 0.3; LA = (0.9+0.8)/2 = 0.85. FWT needs R[1][2] (empty)
	// and b, intransigence a reference: both null.
	matrix := filepath.Join(t.TempDir(), "R.csv")
	if err := os.WriteFile(matrix, []byte("0.9,\n0.6,0.8\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := clbench(t, "metrics", "--matrix", matrix, "--format", "json")
	if code != 0 {
		t.Fatal(stderr)
	}
	var got map[string]*float64
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]*float64{"acc": ptr(0.7), "bwt": ptr(-0.3), "forgetting": ptr(0.3),
		"la": ptr(0.85), "fwt": nil, "intransigence": nil}
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			t.Errorf("key %q missing", k)
		case (w == nil) != (g == nil):
			t.Errorf("%s = %v, want %v", k, deref(g), deref(w))
		case w != nil && math.Abs(*g-*w) > 1e-12:
			t.Errorf("%s = %v, want %v", k, *g, *w)
		}
	}
}

func TestList(t *testing.T) {
	for what, want := range map[string]string{
		"streams": "sentiment-ner-domain", "strategies": "finetune", "metrics": "Forgetting",
	} {
		code, stdout, _ := clbench(t, "list", what)
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("list %s: exit %d, output lacks %q", what, code, want)
		}
	}
}

func ptr(x float64) *float64 { return &x }

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func snapshotDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = data
	}
	return files
}

func assertSameFiles(t *testing.T, dir string, before map[string][]byte) {
	t.Helper()
	now := snapshotDir(t, dir)
	if len(now) != len(before) {
		t.Errorf("%d files now, %d before", len(now), len(before))
	}
	for name, data := range before {
		if !bytes.Equal(now[name], data) {
			t.Errorf("%s changed", name)
		}
	}
}

// captureLogs runs fn with the command's logs going into a buffer.
func captureLogs(t *testing.T, fn func()) string {
	t.Helper()
	var buf bytes.Buffer
	old := logOutput
	logOutput = &buf
	defer func() { logOutput = old }()
	fn()
	return buf.String()
}

// A strategy that reads a file records the file's content: editing the
// concept-graph ties file makes a new run instead of a skipped one.
func TestEditedStrategyFileIsANewRun(t *testing.T) {
	dir := t.TempDir()
	ties := filepath.Join(dir, "ties.yaml")
	run := func(text string) {
		t.Helper()
		if err := os.WriteFile(ties, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := clbench(t, quickRun(filepath.Join(dir, "out"), "--strategy", "concept-graph",
			"--param", "concept-graph.file="+ties)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	}
	run("product-sentiment: {positive: [movie-sentiment:positive]}\n")
	run("product-sentiment: {positive: [movie-sentiment:negative]}\n")
	files, _ := filepath.Glob(filepath.Join(dir, "out", "*.run.parquet"))
	if len(files) != 2 {
		t.Errorf("%d runs after editing the ties file, want 2", len(files))
	}
}

// A suite's strategy file parameter is read from the suite file's
// folder, and a run records the file by its base name: the same ties
// file gives the same run given by path on the command line or from a
// suite elsewhere (its content is recorded by its hash).
func TestStrategyFileOfASuite(t *testing.T) {
	dir := t.TempDir()
	const ties = "product-sentiment: {positive: [movie-sentiment:positive]}\n"
	if err := os.MkdirAll(filepath.Join(dir, "suites"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "suites", "ties.yaml"), []byte(ties), 0o644); err != nil {
		t.Fatal(err)
	}
	suite := filepath.Join(dir, "suites", "s.yaml")
	if err := os.WriteFile(suite, []byte("streams:\n  - name: synthetic\nstrategies:\n"+
		"  - {name: concept-graph, params: {file: ties.yaml}}\nmodel: micro\nepochs: 1\n"+
		"max_train: 128\nmax_test: 64\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if code, _, stderr := clbench(t, "run", "--suite", suite, "--out", out, "-q"); code != 0 {
		t.Fatalf("suite: exit %d: %s", code, stderr)
	}
	set, err := results.Read(out)
	if err != nil || len(set.Runs) != 1 {
		t.Fatalf("%v, %d runs", err, len(set.Runs))
	}
	if cfg := set.Runs[0].StrategyConfig; !strings.Contains(cfg, `"file":"ties.yaml"`) {
		t.Errorf("strategy config %s: want the file by its base name", cfg)
	}
	// The same file by another path on the command line: the same run.
	elsewhere := filepath.Join(dir, "elsewhere", "ties.yaml")
	if err := os.MkdirAll(filepath.Dir(elsewhere), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(elsewhere, []byte(ties), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := clbench(t, quickRun(out, "--strategy", "concept-graph",
		"--param", "concept-graph.file="+elsewhere)...)
	if code != 0 {
		t.Fatalf("command line: exit %d: %s", code, stderr)
	}
	if files, _ := filepath.Glob(filepath.Join(out, "*.run.parquet")); len(files) != 1 {
		t.Errorf("%d runs, want the suite's run found again (1)", len(files))
	}
}
