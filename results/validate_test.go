package results

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/parquet-go/parquet-go"

	"github.com/clbench/clbench/metrics"
)

// submitted is one run of a test submission with its cells.
type submitted struct {
	run   Run
	cells []Cell
}

// testRunID stands in for bench.RunID: an id from the run's content.
func testRunID(r Run) string {
	id := fmt.Sprintf("%s-%s-%d-%d", r.Stream, r.Strategy, r.Seed, r.Shots)
	if r.StrategyConfig != "{}" { // {"lambda":"2"} -> -lambda2
		id += "-" + strings.Map(func(c rune) rune {
			if unicode.IsLetter(c) || unicode.IsDigit(c) {
				return c
			}
			return -1
		}, r.StrategyConfig)
	}
	return id
}

var validateOpts = ValidateOptions{
	Streams:     map[string]string{"synthetic": "1", "sentiment-ner-domain": "3"},
	StreamTasks: map[string]string{"synthetic": "sentiment,ner"},
	RunID:       testRunID,
}

// submission is a valid submission: finetune and cumulative on the
// 2-task synthetic stream, seeds 1 to 3, every cell measured, the
// metrics stored as bench stores them (metrics.Compute without a
// reference: intransigence null).
func submission() []submitted {
	var out []submitted
	for _, strategy := range []string{"cumulative", "finetune"} {
		for seed := int64(1); seed <= 3; seed++ {
			d := 0.05 * float64(seed)
			r := metrics.Matrix{{0.9, 0.4}, {0.6 + d, 0.8}}
			if strategy == "cumulative" {
				r = metrics.Matrix{{0.9, 0.4}, {0.85, 0.8 + d}}
			}
			b := []float64{0.5, 0.45}
			s := metrics.Compute(r, b, nil)
			run := Run{
				Stream: "synthetic", StreamVersion: "1", StreamDigest: "abc",
				Strategy: strategy, StrategyConfig: "{}", Seed: seed, NumTasks: 2,
				TaskNames: "sentiment,ner", Backend: "go", Build: "go1.26 linux/amd64",
				ModelConfig: `{"name":"micro"}`, TrainConfig: `{"epochs":1}`, Status: StatusOK,
				ACC: s.ACC.Ptr(), BWT: s.BWT.Ptr(), FWT: s.FWT.Ptr(),
				Forgetting: s.Forgetting.Ptr(), LA: s.LA.Ptr(),
				ClbenchVersion: "0.1.0", GitCommit: "0123456789abcdef", GoVersion: "go1.26",
				Host: "test (2 CPUs)", StartTime: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
			}
			run.RunID = testRunID(run)
			var cells []Cell
			add := func(after int, row []float64) {
				for j, x := range row {
					cells = append(cells, Cell{
						RunID: run.RunID, Stream: run.Stream, StreamVersion: run.StreamVersion,
						Strategy: strategy, Seed: seed, Backend: "go", AfterTask: int32(after),
						EvalTask: int32(j + 1), EvalTaskName: []string{"sentiment", "ner"}[j],
						ScoreName: "accuracy", Score: x,
					})
				}
			}
			add(0, b)
			for i, row := range r {
				add(i+1, row)
			}
			out = append(out, submitted{run, cells})
		}
	}
	return out
}

func writeSubmission(t *testing.T, runs []submitted) string {
	t.Helper()
	dir := t.TempDir()
	for _, s := range runs {
		if err := WriteRun(dir, s.run, s.cells); err != nil {
			// WriteRun refuses what it would never write (a NaN metric);
			// a tampered submission is written around it.
			if err := writeAtomic(CellsPath(dir, s.run.RunID), s.cells); err != nil {
				t.Fatal(err)
			}
			if err := writeAtomic(RunPath(dir, s.run.RunID), []Run{s.run}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// finetune2 is the index of finetune's seed 2 in submission().
const finetune2 = 4

func TestValidate(t *testing.T) {
	id := "synthetic-finetune-2-0"
	for _, tc := range []struct {
		name string
		edit func(s []submitted) []submitted
		// want: severity, run id, metric and a part of the message; none
		// when the submission is valid.
		want []Problem
	}{
		{name: "valid", edit: func(s []submitted) []submitted { return s }},
		{name: "forgetting edited", edit: func(s []submitted) []submitted {
			*s[finetune2].run.Forgetting += 0.05
			return s
		}, want: []Problem{{SeverityError, "", id, "forgetting", "but the cells give"}}},
		{name: "BWT disagrees with R", edit: func(s []submitted) []submitted {
			s[finetune2].run.BWT = ptr(-0.1)
			return s
		}, want: []Problem{{SeverityError, "", id, "bwt", "stored -0.1, but the cells give"}}},
		{name: "BWT stored NaN", edit: func(s []submitted) []submitted {
			// NaN - x is never above the tolerance: it needs its own check.
			s[finetune2].run.BWT = ptr(math.NaN())
			return s
		}, want: []Problem{{SeverityError, "", id, "bwt", "stored NaN"}}},
		// Costs are averaged into the leaderboard: NaN or Inf must not
		// pass as a number.
		{name: "cost not finite", edit: func(s []submitted) []submitted {
			s[finetune2].run.WallSeconds = math.NaN()
			s[finetune2].run.ExamplesPerSecond = math.Inf(1)
			s[finetune2].run.ParamsAddedPct = math.Inf(-1)
			return s
		}, want: []Problem{
			{SeverityError, "", id, "wall_seconds", "wall_seconds is NaN"},
			{SeverityError, "", id, "examples_per_second", "examples_per_second is +Inf"},
			{SeverityError, "", id, "params_added_pct", "params_added_pct is -Inf"},
		}},
		{name: "ACC stored null", edit: func(s []submitted) []submitted {
			s[finetune2].run.ACC = nil
			return s
		}, want: []Problem{{SeverityError, "", id, "acc", "stored null"}}},
		{name: "wrong intransigence", edit: func(s []submitted) []submitted {
			// Against cumulative seed 2's diagonal (0.9, 0.9): ((0.9-0.9) +
			// (0.9-0.8))/2 = 0.05; 0.07 is stored.
			s[finetune2].run.Intransigence = ptr(0.07)
			return s
		}, want: []Problem{{SeverityError, "", id, "intransigence",
			"against cumulative run synthetic-cumulative-2-0"}}},
		{name: "a cell missing", edit: func(s []submitted) []submitted {
			c := s[finetune2].cells
			s[finetune2].cells = append(c[:4:4], c[5:]...) // after task 2, task 1
			return s
		}, want: []Problem{
			{SeverityError, "", id, "", "the row after task 2 is missing task(s) 1"},
			{SeverityError, "", id, "acc", "cannot define it"},
		}},
		{name: "score out of range", edit: func(s []submitted) []submitted {
			s[finetune2].cells[0].Score = 1.5
			return s
		}, want: []Problem{{SeverityError, "", id, "", "score 1.5 is not in [0, 1]"}}},
		{name: "no host", edit: func(s []submitted) []submitted {
			s[finetune2].run.Host = ""
			return s
		}, want: []Problem{{SeverityError, "", id, "", "provenance: host is empty"}}},
		{name: "run id edited", edit: func(s []submitted) []submitted {
			s[finetune2].run.StrategyConfig = `{"lr":1}`
			s[finetune2].run.Strategy = "ewc"
			return s
		}, want: []Problem{{SeverityError, "", id, "", "not the one its content gives"}}},
		{name: "old stream version", edit: func(s []submitted) []submitted {
			for i := range s {
				s[i].run.StreamVersion = "0"
				for j := range s[i].cells {
					s[i].cells[j].StreamVersion = "0"
				}
			}
			return s
		}, want: []Problem{{SeverityWarning, "", id, "", `at version "0", not the current "1"`}}},
		{name: "stream file", edit: func(s []submitted) []submitted {
			for i := range s {
				s[i].run.Stream = "my-stream"
				s[i].run.RunID = testRunID(s[i].run)
				for j := range s[i].cells {
					s[i].cells[j].Stream, s[i].cells[j].RunID = "my-stream", s[i].run.RunID
				}
			}
			return s
		}, want: []Problem{{SeverityWarning, "", "my-stream-finetune-2-0", "", "not built in"}}},
		// Task sizes set a few-shot run's board: they must be what its
		// shots keep, one pair per task.
		{name: "task sizes of another task count", edit: func(s []submitted) []submitted {
			s[finetune2].run.TaskSizes = "512/128"
			return s
		}, want: []Problem{{SeverityError, "", id, "", `task_sizes "512/128" lists 1 tasks; the run has 2`}}},
		{name: "task sizes unreadable", edit: func(s []submitted) []submitted {
			s[finetune2].run.TaskSizes = "512/128,lots"
			return s
		}, want: []Problem{{SeverityError, "", id, "", `task 2 is "lots"`}}},
		// A stream file that took a built-in's name: one task, not the
		// built-in stream's two.
		{name: "another stream under a built-in's name", edit: func(s []submitted) []submitted {
			s[finetune2].run.TaskNames = "reviews"
			return s
		}, want: []Problem{{SeverityError, "", id, "", `stream synthetic@1 has tasks "reviews", ` +
			`but the built-in stream's are "sentiment,ner"`}}},
		{name: "backend recorded with a folder", edit: func(s []submitted) []submitted {
			for i := range s {
				s[i].run.Backend = "xla:/home/u/.cache/xla/lib/pjrt_c_api_cpu_plugin.so"
				s[i].run.RunID = testRunID(s[i].run)
				for j := range s[i].cells {
					s[i].cells[j].Backend, s[i].cells[j].RunID = s[i].run.Backend, s[i].run.RunID
				}
			}
			return s
		}, want: []Problem{{SeverityWarning, "", "synthetic-finetune-2-0", "", "names a file by its folder"}}},
		{name: "failed run", edit: func(s []submitted) []submitted {
			r := &s[finetune2].run
			r.Status, r.Error = StatusFailed, "loss is not finite"
			s[finetune2].cells = nil
			return s
		}, want: []Problem{
			{SeverityError, "", id, "", "the run failed (loss is not finite)"},
			{SeverityError, "", id, "acc", "a failed run stores acc"},
		}},
		{name: "a seed missing", edit: func(s []submitted) []submitted {
			return append(s[:finetune2:finetune2], s[finetune2+1:]...)
		}, want: []Problem{{SeverityError, "", "", "", "finetune lacks seed(s) 2"}}},
		// A run under another model, or on other data, is on a board of
		// its own, as the leaderboard ranks it: its board lacks the other
		// runs, and the board it left lacks it.
		{name: "another model", edit: func(s []submitted) []submitted {
			s[finetune2].run.ModelConfig = `{"name":"tiny"}`
			return s
		}, want: []Problem{{SeverityError, "", "", "", "finetune lacks seed(s) 2"},
			{SeverityWarning, "", "", "", "runs fall on 2 boards"}}},
		{name: "other data", edit: func(s []submitted) []submitted {
			s[finetune2].run.StreamDigest = "def"
			return s
		}, want: []Problem{{SeverityError, "", "", "", "finetune lacks seed(s) 2"},
			{SeverityWarning, "", "", "", "runs fall on 2 boards"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeSubmission(t, tc.edit(submission()))
			_, problems, err := Validate([]string{dir}, validateOpts)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == nil {
				for _, p := range problems {
					t.Errorf("valid submission: %s", p)
				}
				return
			}
			for _, w := range tc.want {
				if !hasProblem(problems, w) {
					t.Errorf("no %s about run %q, metric %q, saying %q; got:\n%s", w.Severity,
						w.RunID, w.Metric, w.Message, listProblems(problems))
				}
			}
			// Each problem of a run names the run's file.
			for _, p := range problems {
				if p.RunID != "" && !strings.HasSuffix(p.File, p.RunID+RunSuffix) {
					t.Errorf("problem of run %s names file %q", p.RunID, p.File)
				}
			}
		})
	}
}

func hasProblem(ps []Problem, w Problem) bool {
	for _, p := range ps {
		if p.Severity == w.Severity && p.RunID == w.RunID && p.Metric == w.Metric &&
			strings.Contains(p.Message, w.Message) {
			return true
		}
	}
	return false
}

func listProblems(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.String() + "\n")
	}
	return b.String()
}

// A file without a column of its kind, and a damaged file.
func TestValidateFiles(t *testing.T) {
	dir := writeSubmission(t, submission())

	// A run file without the host column, written by hand.
	type oldRun struct {
		RunID  string `parquet:"run_id"`
		Status string `parquet:"status"`
		Stream string `parquet:"stream"`
	}
	path := filepath.Join(dir, "hand.run.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[oldRun](f)
	if _, err := w.Write([]oldRun{{"hand", StatusOK, "synthetic"}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, problems, err := Validate([]string{dir}, validateOpts)
	if err != nil {
		t.Fatal(err)
	}
	if !hasProblem(problems, Problem{SeverityError, "", "", "", `no column "host"`}) {
		t.Errorf("no schema error for the missing host column:\n%s", listProblems(problems))
	}
	if !hasProblem(problems, Problem{SeverityError, "", "", "acc", `no column "acc"`}) {
		t.Errorf("a missing metric column does not name the metric:\n%s", listProblems(problems))
	}

	// A damaged file is an error naming it, and the other files are
	// still checked: a run file cut short (its footer lost) and a cells
	// file that is not Parquet at all.
	bad := filepath.Join(dir, "bad.run.parquet")
	if err := os.WriteFile(bad, []byte("not parquet"), 0o644); err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.cells.parquet")
	whole, err := os.ReadFile(filepath.Join(dir, "synthetic-finetune-1-0"+CellsSuffix))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cut, whole[:len(whole)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	set, problems, err := Validate([]string{dir}, validateOpts)
	if err != nil {
		t.Fatalf("damaged files stopped the check: %v", err)
	}
	for _, f := range []string{bad, cut} {
		found := false
		for _, p := range problems {
			found = found || p.Severity == SeverityError && p.File == f &&
				strings.Contains(p.Message, "not a readable Parquet file")
			if p.File == f && strings.ContainsAny(p.Message, "\\\x00\f") {
				t.Errorf("raw bytes in the message: %q", p.Message)
			}
		}
		if !found {
			t.Errorf("no error naming %s:\n%s", f, listProblems(problems))
		}
	}
	// The six runs of the submission and the hand-written one.
	if len(set.Runs) != 7 || !hasProblem(problems, Problem{SeverityError, "", "", "",
		`no column "host"`}) {
		t.Errorf("%d runs read, want 7, and the other files' problems:\n%s", len(set.Runs),
			listProblems(problems))
	}
	if _, _, err := Validate([]string{filepath.Join(dir, "nope")}, validateOpts); err == nil {
		t.Error("missing path: no error")
	}
}

// A folder whose runs are all missing (cells left by interrupted runs)
// checked nothing: an error, as an empty folder is, each said once.
func TestValidateNoRuns(t *testing.T) {
	dir := writeSubmission(t, submission())
	files, err := filepath.Glob(filepath.Join(dir, "*"+RunSuffix))
	if err != nil || len(files) == 0 {
		t.Fatalf("no run files in the submission (%v)", err)
	}
	for _, f := range files {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	_, problems, err := Validate([]string{dir}, validateOpts)
	if err != nil {
		t.Fatal(err)
	}
	if !hasProblem(problems, Problem{SeverityError, "", "", "", "no runs: these results hold no run file"}) {
		t.Errorf("no error for a folder without runs:\n%s", listProblems(problems))
	}

	empty := t.TempDir()
	_, problems, err = Validate([]string{empty}, validateOpts)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || problems[0].Severity != SeverityError ||
		!strings.Contains(problems[0].Message, "no results files") {
		t.Errorf("empty folder: want one error, got:\n%s", listProblems(problems))
	}
}

// finetune under a second configuration, every seed: two entries of one
// board, both shown; a warning, and no error.
func TestValidateTwoConfigurations(t *testing.T) {
	s := submission()
	for _, sub := range slices.Clone(s[finetune2-1 : finetune2+2]) { // finetune, seeds 1 to 3
		sub.run.StrategyConfig = `{"lambda":"2"}`
		sub.run.RunID = testRunID(sub.run)
		sub.cells = slices.Clone(sub.cells)
		for j := range sub.cells {
			sub.cells[j].RunID = sub.run.RunID
		}
		s = append(s, sub)
	}
	_, problems, err := Validate([]string{writeSubmission(t, s)}, validateOpts)
	if err != nil {
		t.Fatal(err)
	}
	want := Problem{SeverityWarning, "", "", "", "finetune runs under 2 configurations"}
	if !hasProblem(problems, want) {
		t.Errorf("no warning of the two configurations:\n%s", listProblems(problems))
	}
	for _, p := range problems {
		if p.Severity == SeverityError {
			t.Errorf("error: %s", p)
		}
	}
}

// A few-shot run's later tasks train on its shots: a run whose recorded
// sizes say otherwise (a hand edit moving it to another board) is an
// error.
func TestValidateFewShotTaskSizes(t *testing.T) {
	s := submission()
	for i := range s {
		s[i].run.Shots, s[i].run.TaskSizes = 16, "512/128,16/128"
		s[i].run.RunID = testRunID(s[i].run)
		for j := range s[i].cells {
			s[i].cells[j].RunID, s[i].cells[j].Shots = s[i].run.RunID, 16
		}
	}
	s[finetune2].run.TaskSizes = "512/128,100/128"
	_, problems, err := Validate([]string{writeSubmission(t, s)}, validateOpts)
	if err != nil {
		t.Fatal(err)
	}
	want := Problem{SeverityError, "", s[finetune2].run.RunID, "",
		"task 2 trained on 100 examples, but a 16-shot run keeps 16"}
	if !hasProblem(problems, want) {
		t.Errorf("no error for the edited sizes:\n%s", listProblems(problems))
	}
	for _, p := range problems {
		// (The edit also moves the run to a board of its own, which the
		// boards' seed checks report without a run.)
		if p.Severity == SeverityError && p.RunID != "" && p.RunID != s[finetune2].run.RunID {
			t.Errorf("error about another run: %s", p)
		}
	}
}
