package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clbench/clbench/bench"
	"github.com/clbench/clbench/metrics"
	"github.com/clbench/clbench/results"
)

// writeRuns writes, by hand, one completed run per forgetting value
// (seeds 1, 2, ...) of strategy on the synthetic stream's three tasks,
// as bench would: R = [[0.9, 0.4, 0.5], [0.9-F, 0.8, 0.5], [0.9-F,
// 0.8-F, 0.7]] (so Forgetting = (F+F)/2 = F, BWT = -F, ACC = 0.8 -
// 2F/3, LA 0.8, FWT ((0.4-0.5) + (0.5-0.5))/2 = -0.05), the untrained
// row 0.5, metrics from
// metrics.Compute, full provenance and bench.RunID ids. It trains
// nothing, so the analysis commands are tested in milliseconds.
func writeRuns(t *testing.T, dir, strategy string, forgetting ...float64) {
	t.Helper()
	for i, f := range forgetting {
		seed := int64(i + 1)
		r := metrics.Matrix{{0.9, 0.4, 0.5}, {0.9 - f, 0.8, 0.5}, {0.9 - f, 0.8 - f, 0.7}}
		b := []float64{0.5, 0.5, 0.5}
		sum := metrics.Compute(r, b, nil)
		run := results.Run{
			Stream: "synthetic", StreamVersion: "1", StreamDigest: "d1", Strategy: strategy,
			StrategyConfig: "{}", Seed: seed, NumTasks: 3, TaskNames: strings.Join(syntheticTasks, ","),
			Backend: "go:ops_sequential", Build: "go1.26 linux/amd64",
			ModelConfig: `{"name":"micro"}`, TrainConfig: `{"epochs":1}`,
			Status: results.StatusOK, ACC: sum.ACC.Ptr(), BWT: sum.BWT.Ptr(), FWT: sum.FWT.Ptr(),
			Forgetting: sum.Forgetting.Ptr(), LA: sum.LA.Ptr(),
			ClbenchVersion: "0.1.0", GitCommit: "0123456789abcdef0123", GoVersion: "go1.26",
			Host: "test (2 CPUs)", StartTime: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
			WallSeconds: 1,
		}
		run.RunID = bench.RunID(run)
		var cells []results.Cell
		for after, row := range append([][]float64{b}, r...) {
			for j, x := range row {
				cells = append(cells, results.Cell{
					RunID: run.RunID, Stream: run.Stream, StreamVersion: "1", Strategy: strategy,
					Seed: seed, Backend: run.Backend, AfterTask: int32(after),
					EvalTask: int32(j + 1), EvalTaskName: syntheticTasks[j],
					ScoreName: "accuracy", Score: x,
				})
			}
		}
		if err := results.WriteRun(dir, run, cells); err != nil {
			t.Fatal(err)
		}
	}
}

// syntheticTasks are the tasks of the built-in synthetic stream, which
// validate checks runs of it against.
var syntheticTasks = []string{"movie-sentiment", "people-places", "product-sentiment"}

// fiveSeeds has mean 0.2 and sample variance 0.00025.
var fiveSeeds = []float64{0.20, 0.22, 0.18, 0.21, 0.19}

func shifted(xs []float64, d float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x + d
	}
	return out
}

func TestCompareIdenticalSets(t *testing.T) {
	old, new := t.TempDir(), t.TempDir()
	writeRuns(t, old, "finetune", fiveSeeds...)
	writeRuns(t, new, "finetune", fiveSeeds...)
	code, stdout, stderr := clbench(t, "compare", old, new)
	if code != 0 {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, stderr)
	}
	// Every metric with a value: ACC, BWT, FWT, Forgetting, LA (no
	// cumulative run, so no intransigence), each "~".
	rows := 0
	for _, line := range strings.Split(stdout, "\n") {
		if strings.Contains(line, "finetune") {
			rows++
			if !strings.Contains(line, " ~ ") {
				t.Errorf("row without ~: %s", line)
			}
		}
	}
	if rows != 5 || strings.Contains(stdout, "REGRESSION") {
		t.Errorf("%d rows, want 5, none a regression:\n%s", rows, stdout)
	}
}

// Forgetting up 10 points on 5 seeds a side: t = 0.1/0.01 = 10 on 8
// degrees of freedom (see results' TestCompareDecisions), p < 0.001.
func TestCompareForgettingRoseTenPoints(t *testing.T) {
	old, new := t.TempDir(), t.TempDir()
	writeRuns(t, old, "finetune", fiveSeeds...)
	writeRuns(t, new, "finetune", shifted(fiveSeeds, 0.1)...)
	code, stdout, stderr := clbench(t, "compare", old, new)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	want := "regression: finetune on synthetic (full stream): forgetting +10.0 points"
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr does not name the forgetting regression:\n%s", stderr)
	}
	if !strings.Contains(stdout, "REGRESSION") {
		t.Errorf("table shows no regression:\n%s", stdout)
	}

	// Gating on LA only (unchanged), the same sets pass; forgetting is
	// still reported as worse.
	code, stdout, stderr = clbench(t, "compare", old, new, "--metric", "la")
	if code != 0 || !strings.Contains(stdout, "worse") {
		t.Errorf("--metric la: exit %d, want 0 with forgetting worse; stdout:\n%s\nstderr:\n%s",
			code, stdout, stderr)
	}

	// A 20-point threshold lets the 10-point change through.
	if code, _, stderr := clbench(t, "compare", old, new, "--threshold", "20"); code != 0 {
		t.Errorf("--threshold 20: exit %d, want 0; stderr:\n%s", code, stderr)
	}
}

func TestCompareTwoSeedsWarns(t *testing.T) {
	old, new := t.TempDir(), t.TempDir()
	writeRuns(t, old, "finetune", 0.2, 0.21)
	writeRuns(t, new, "finetune", 0.3, 0.31)
	code, stdout, stderr := clbench(t, "compare", old, new)
	if code != 0 {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "nothing can be significant") {
		t.Errorf("no warning on stderr:\n%s", stderr)
	}
	if !strings.Contains(stdout, "no change can be significant") {
		t.Errorf("no footnote in the table:\n%s", stdout)
	}
}

func TestCompareJSONAndFlags(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	writeRuns(t, a, "finetune", fiveSeeds...)
	writeRuns(t, b, "ewc", fiveSeeds...)
	writeRuns(t, c, "finetune", fiveSeeds...)
	writeRuns(t, c, "ewc", fiveSeeds...)

	// Two OLD folders, merged.
	code, stdout, stderr := clbench(t, "compare", "--old", a, "--old", b, "--new", c,
		"--format", "json")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	var out struct {
		Test        string `json:"test"`
		Regressions int    `json:"regressions"`
		Changes     []struct {
			Strategy string `json:"strategy"`
			Verdict  string `json:"verdict"`
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if out.Test != "welch-t" || out.Regressions != 0 || len(out.Changes) != 10 {
		t.Errorf("test %q, %d regressions, %d changes; want welch-t, 0, 10", out.Test,
			out.Regressions, len(out.Changes))
	}
}

func TestCompareBadInput(t *testing.T) {
	a, other := t.TempDir(), t.TempDir()
	writeRuns(t, a, "finetune", fiveSeeds...)
	writeRuns(t, other, "ewc", fiveSeeds...)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"one argument", []string{"compare", a}, "give OLD and NEW"},
		{"missing folder", []string{"compare", a, filepath.Join(a, "nope")}, "NEW"},
		{"empty folder", []string{"compare", a, t.TempDir()}, "no runs"},
		{"nothing in common", []string{"compare", a, other}, "in common"},
		{"unknown metric", []string{"compare", a, a, "--metric", "speed"}, "unknown metric"},
		// An empty --metric (an unset variable in a CI job) must not turn
		// the gate off.
		{"empty metric", []string{"compare", a, a, "--metric", ""}, "--metric is empty"},
		{"bad alpha", []string{"compare", a, a, "--alpha", "1.5"}, "alpha"},
		{"bad format", []string{"compare", a, a, "--format", "xml"}, "format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := clbench(t, tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
		})
	}
}

func TestValidateAcceptsAValidSet(t *testing.T) {
	dir := t.TempDir()
	writeRuns(t, dir, "finetune", fiveSeeds[:3]...)
	writeRuns(t, dir, "cumulative", 0.01, 0.02, 0.03)
	code, stdout, stderr := clbench(t, "validate", dir)
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, want 0 and no problems; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "valid: 6 runs checked: 0 errors, 0 warnings") {
		t.Errorf("stderr: %s", stderr)
	}
}

// tamper copies the set in dir into a new folder with one run's
// metrics edited, as someone editing a file by hand would.
func tamper(t *testing.T, dir string, edit func(*results.Run)) (string, string) {
	t.Helper()
	set, err := results.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	victim := set.Runs[1].RunID
	for _, r := range set.Runs {
		var cells []results.Cell
		for _, c := range set.Cells {
			if c.RunID == r.RunID {
				cells = append(cells, c)
			}
		}
		if r.RunID == victim {
			edit(&r)
		}
		if err := results.WriteRun(out, r, cells); err != nil {
			t.Fatal(err)
		}
	}
	return out, victim
}

func TestValidateRejectsATamperedFile(t *testing.T) {
	dir := t.TempDir()
	writeRuns(t, dir, "finetune", fiveSeeds[:3]...)
	writeRuns(t, dir, "cumulative", 0.01, 0.02, 0.03)
	for _, tc := range []struct {
		metric string
		edit   func(*results.Run)
	}{
		{"forgetting", func(r *results.Run) { *r.Forgetting -= 0.05 }},
		{"bwt", func(r *results.Run) { *r.BWT = 0 }},
		{"acc", func(r *results.Run) { *r.ACC += 1e-6 }},
	} {
		t.Run(tc.metric, func(t *testing.T) {
			bad, victim := tamper(t, dir, tc.edit)
			code, stdout, stderr := clbench(t, "validate", bad)
			if code != 1 {
				t.Fatalf("exit %d, want 1; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			want := "run " + victim + ": " + tc.metric + ": stored"
			if !strings.Contains(stdout, want) || strings.Count(stdout, "error") != 1 {
				t.Errorf("want one error with %q; got:\n%s", want, stdout)
			}
		})
	}
}

// A file that is not Parquet is an error naming it (exit 1: the other
// files are still checked); a path that does not exist is bad input
// (exit 2).
func TestValidateUnreadableInput(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "x.run.parquet")
	if err := os.WriteFile(junk, []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := clbench(t, "validate", dir); code != 1 ||
		!strings.Contains(stdout, "error: "+junk+": not a readable Parquet file") {
		t.Errorf("%s: exit %d, want 1 and an error naming %s; stdout %s; stderr %s", dir, code,
			junk, stdout, stderr)
	}
	missing := filepath.Join(dir, "missing")
	if code, _, stderr := clbench(t, "validate", missing); code != 2 {
		t.Errorf("%s: exit %d, want 2; stderr %s", missing, code, stderr)
	}
}

// A run that clbench itself wrote passes validation: provenance, run
// id, cells and metrics as bench records them.
func TestValidateAcceptsRealRun(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := clbench(t, quickRun(dir, "--strategy", "finetune,joint")...); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, stderr := clbench(t, "validate", dir, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	var out struct {
		Runs   int `json:"runs"`
		Errors int `json:"errors"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || out.Runs != 2 || out.Errors != 0 {
		t.Errorf("%+v, %v; want 2 runs and no errors:\n%s", out, err, stdout)
	}
}

func TestLeaderboardReport(t *testing.T) {
	res := t.TempDir()
	writeRuns(t, res, "finetune", fiveSeeds[:3]...)
	writeRuns(t, res, "cumulative", 0.01, 0.02, 0.03)

	// Two reports of the same results, in two folders, are the same bytes.
	var reports [2]map[string]string
	for i := range reports {
		dir := t.TempDir()
		report := filepath.Join(dir, "LEADERBOARD.md")
		code, _, stderr := clbench(t, "leaderboard", res, "--report", report, "-q")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		reports[i] = readTree(t, dir)
	}
	if len(reports[0]) != 3 {
		t.Fatalf("report files %v, want LEADERBOARD.md and 2 figures", keys(reports[0]))
	}
	for name, data := range reports[0] {
		other := reports[1][name]
		if name == "LEADERBOARD.md" {
			// The command quotes the report's own path; the rest is equal.
			data = data[strings.Index(data, "\n```\n\n"):]
			other = other[strings.Index(other, "\n```\n\n"):]
		}
		if data != other {
			t.Errorf("%s differs between two reports", name)
		}
	}
	md := reports[0]["LEADERBOARD.md"]
	for _, want := range []string{"clbench leaderboard --report ",
		"Generated by clbench " + bench.Version,
		"](leaderboard/img/synthetic-1-full-matrix.svg)", "1 movie-sentiment → 2 people-places"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestLeaderboardAmplification(t *testing.T) {
	dir := t.TempDir()
	writeRuns(t, dir, "finetune", 0.2, 0.3)
	code, stdout, stderr := clbench(t, "leaderboard", dir, "--amplification", "--format", "csv")
	if code != 0 || !strings.HasPrefix(stdout, "stream,stream_version,board,strategy,shots") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if code, _, _ := clbench(t, "leaderboard", dir, "--images", "x"); code != 2 {
		t.Errorf("--images without --report: exit %d, want 2", code)
	}
}

// Forgetting 0.2 ± 0.01 (five seeds) for finetune and 10 points less for
// replay: the baseline table says replay forgets less, significantly;
// csv prints the comparison's rows alone.
func TestLeaderboardBaseline(t *testing.T) {
	dir := t.TempDir()
	writeRuns(t, dir, "finetune", fiveSeeds...)
	writeRuns(t, dir, "replay", shifted(fiveSeeds, -0.1)...)
	code, stdout, stderr := clbench(t, "leaderboard", dir, "--baseline", "finetune")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	_, against, ok := strings.Cut(stdout, "Against finetune")
	if !ok || !strings.Contains(against, "-10.0 (p<0.001)") ||
		!strings.Contains(against, "Forgetting better") {
		t.Errorf("no significant -10.0 forgetting against finetune in:\n%s", stdout)
	}
	code, stdout, _ = clbench(t, "leaderboard", dir, "--baseline", "finetune", "--format", "csv")
	if code != 0 || !strings.HasPrefix(stdout, "stream,shots,strategy,metric") ||
		strings.Contains(stdout, "rank,") {
		t.Errorf("csv: exit %d, stdout %q", code, stdout)
	}
	if code, _, stderr := clbench(t, "leaderboard", dir, "--baseline", "lwf"); code != 2 ||
		!strings.Contains(stderr, "no board of these results has lwf runs") {
		t.Errorf("unknown baseline: exit %d, stderr %q; want 2 and a message", code, stderr)
	}
}

// readTree returns every file below dir by its slash path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
