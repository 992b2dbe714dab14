package results

import (
	"math"
	"testing"
	"time"

	"github.com/clbench/clbench/metrics"
)

var nan = math.NaN()

// fixture describes one run of the test leaderboard: its accuracy matrix
// (0-based, NaN not measured) and what is stored beside it.
type fixture struct {
	stream   string
	shots    int64
	strategy string
	seed     int64
	r        metrics.Matrix
	status   string
	intr     *float64 // stored intransigence; nil to let the leaderboard find it
	wall     float64
	stored   int64
}

func ptr(x float64) *float64 { return &x }

// fixtures is the test leaderboard. The metrics stored in each run are
// computed from its matrix by metrics.Compute; the comments give them,
// worked by hand, for the leaderboard tests.
const snd = "sentiment-ner-domain"

var fixtures = []fixture{
	// finetune, 3 seeds:
	//   seed 1: ACC (0.5+0.7)/2 = 0.6, BWT 0.5-0.9 = -0.4, F 0.9-0.5 = 0.4, LA (0.9+0.7)/2 = 0.8
	//   seed 2: ACC 0.7, BWT -0.3, F 0.3, LA 0.85
	//   seed 3: ACC 0.8, BWT -0.2, F 0.2, LA 0.9
	{snd, 0, "finetune", 1, metrics.Matrix{{0.9, nan}, {0.5, 0.7}}, StatusOK, nil, 10, 0},
	{snd, 0, "finetune", 2, metrics.Matrix{{0.9, nan}, {0.6, 0.8}}, StatusOK, nil, 20, 0},
	{snd, 0, "finetune", 3, metrics.Matrix{{0.9, nan}, {0.7, 0.9}}, StatusOK, nil, 30, 0},
	// A failed finetune run: never a score.
	{snd, 0, "finetune", 4, metrics.Matrix{{0.1, nan}, {0.1, 0.1}}, StatusFailed, nil, 5, 0},
	// cumulative, seed 1: ACC 0.9, BWT -0.05, F 0.05, LA 0.925; its
	// diagonal (0.95, 0.9) is the reference of seed 1.
	{snd, 0, "cumulative", 1, metrics.Matrix{{0.95, nan}, {0.9, 0.9}}, StatusOK, nil, 40, 0},
	// ewc, 2 seeds: ACC 0.8 and 0.85. Seed 1's intransigence comes from
	// the cumulative run: ((0.95-0.9) + (0.9-0.85))/2 = 0.05; seed 2
	// stores its own, 0.07, which is used as is.
	{snd, 0, "ewc", 1, metrics.Matrix{{0.9, nan}, {0.75, 0.85}}, StatusOK, nil, 12, 0},
	{snd, 0, "ewc", 2, metrics.Matrix{{0.9, nan}, {0.85, 0.85}}, StatusOK, ptr(0.07), 14, 0},
	// replay, seed 1, last row not measured: ACC, BWT and F undefined;
	// LA (0.9+0.8)/2 = 0.85.
	{snd, 0, "replay", 1, metrics.Matrix{{0.9, nan}, {nan, 0.8}}, StatusOK, nil, 15, 500},
	// One task, 64 shots: ACC = LA = 0.8; BWT, F undefined (T-1 = 0).
	{"amazon-domains", 64, "finetune", 1, metrics.Matrix{{0.8}}, StatusOK, nil, 3, 0},
}

// untrainedScores is every fixture's untrained row: 0.5 on each task.
func untrainedScores(t int) []float64 {
	b := make([]float64, t)
	for j := range b {
		b[j] = 0.5
	}
	return b
}

// runOf returns the Run and Cells of f.
func runOf(f fixture) (Run, []Cell) {
	id := f.stream + "-" + f.strategy + "-" + string(rune('0'+f.seed))
	if f.shots > 0 {
		id += "-64"
	}
	t := f.r.T()
	b := untrainedScores(t)
	s := metrics.Compute(f.r, b, nil)
	run := Run{
		RunID: id, Stream: f.stream, StreamVersion: "1", Strategy: f.strategy,
		Seed: f.seed, Shots: f.shots, NumTasks: int32(t), Backend: "go", Status: f.status,
		ACC: s.ACC.Ptr(), BWT: s.BWT.Ptr(), FWT: s.FWT.Ptr(), Forgetting: s.Forgetting.Ptr(),
		Intransigence: f.intr, LA: s.LA.Ptr(),
		WallSeconds: f.wall, ExamplesPerSecond: 10 * f.wall,
		TrainableParams: 1_234_567, BaseParams: 1_234_567, ExamplesStored: f.stored,
		StartTime: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
	}
	if f.status == StatusFailed {
		run.Error = "NaN loss at task 2"
		run.ACC, run.BWT, run.FWT, run.Forgetting, run.LA = nil, nil, nil, nil, nil
	}
	cell := func(after, eval int, score float64) Cell {
		return Cell{
			RunID: id, Stream: f.stream, StreamVersion: "1", Strategy: f.strategy,
			Seed: f.seed, Shots: f.shots, Backend: "go",
			AfterTask: int32(after), EvalTask: int32(eval), ScoreName: "accuracy", Score: score,
		}
	}
	var cells []Cell
	for j := range b {
		cells = append(cells, cell(0, j+1, b[j]))
	}
	for i := range f.r {
		for j, x := range f.r[i] {
			if !math.IsNaN(x) {
				cells = append(cells, cell(i+1, j+1, x))
			}
		}
	}
	return run, cells
}

// writeFixtures writes every fixture into a new folder and returns it.
func writeFixtures(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range fixtures {
		run, cells := runOf(f)
		if err := WriteRun(dir, run, cells); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// fewShotFixtures are 64-shot variants added to the fixtures for the
// amplification table and the report. Worked by hand:
//   - finetune, 3 seeds: F = 0.9-0.45, 0.9-0.5, 0.9-0.55 = 0.45, 0.4,
//     0.35, mean 0.4; the full stream's mean F is 0.3 (see fixtures), so
//     the amplification is 0.4/0.3 - 1 = +33.3%.
//   - replay, seed 1: F = 0.9-0.7 = 0.2; the full stream's F is
//     undefined (its last row is not measured): amplification n/a.
//   - lwf, seed 1: F = 0.1, and no full-stream run: n/a.
var fewShotFixtures = []fixture{
	{snd, 64, "finetune", 1, metrics.Matrix{{0.9, nan}, {0.45, 0.6}}, StatusOK, nil, 5, 0},
	{snd, 64, "finetune", 2, metrics.Matrix{{0.9, nan}, {0.5, 0.6}}, StatusOK, nil, 5, 0},
	{snd, 64, "finetune", 3, metrics.Matrix{{0.9, nan}, {0.55, 0.6}}, StatusOK, nil, 5, 0},
	{snd, 64, "replay", 1, metrics.Matrix{{0.9, nan}, {0.7, 0.8}}, StatusOK, nil, 6, 64},
	{snd, 64, "lwf", 1, metrics.Matrix{{0.9, nan}, {0.8, 0.6}}, StatusOK, nil, 7, 0},
}

// writeAllFixtures writes the fixtures and the few-shot fixtures into a
// new folder and returns it.
func writeAllFixtures(t *testing.T) string {
	t.Helper()
	dir := writeFixtures(t)
	for _, f := range fewShotFixtures {
		run, cells := runOf(f)
		if err := WriteRun(dir, run, cells); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
