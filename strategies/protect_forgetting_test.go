package strategies

import (
	"testing"

	"github.com/clbench/clbench/bench"
)

// The penalty strategies, made strong, protect the first task better
// than finetune on the toy stream (seed 1).
//
// Scores alone proved a fragile witness: with 50 test examples per
// task, whether finetune forgets the toy's first task depends on the
// order of batches (a change of the bench's batching moved finetune's
// final score on it from 0.42 to 0.80). So the test checks what each
// penalty acts on. Until the first task ends every one of these
// strategies trains exactly as finetune (checked bit for bit); from
// then on, (1) the first task's weights, weighted by the importances
// the strategy took from it, must move less than half as far as
// finetune's (they move 8 to 150 times less), and (2) when finetune
// did forget (its loss on the first task's test split ends at least
// 1.1 times what it was after that task; seen: 0.33 to 0.42, and 0.98
// at the earlier batching), the strategy's final loss on it must be
// lower than finetune's (seen: 0.28 to 0.37). The strengths are ten times the
// defaults (l2: a hundred). Runs are deterministic: a failure means a
// penalty lost its grip, not bad luck.
func TestPenaltiesForgetLessThanFinetune(t *testing.T) {
	ftRun := finetuneSeed1(t)
	ftLosses := ftRun.losses
	ftLoss := ftLosses[len(ftLosses)-1]
	ftForgot := ftLoss >= 1.1*ftLosses[0]
	if !ftForgot {
		t.Logf("finetune's loss on the first task went from %.4f to only %.4f: "+
			"the loss comparison is left out", ftLosses[0], ftLoss)
	}

	for _, c := range []struct {
		name    string
		params  map[string]string
		weights string // scope of the first task's importances; "" for 1
	}{
		{"ewc", map[string]string{"lambda": "1000"}, ewcScope(0) + "/fisher"},
		{"online-ewc", map[string]string{"lambda": "1000"}, onlineEWCScope + "/fisher"},
		{"si", map[string]string{"c": "10"}, siImportance},
		{"mas", map[string]string{"lambda": "10"}, masScope + "/importance"},
		{"l2", map[string]string{"lambda": "100"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			run := &snapshotAfter{inner: newStrategy(t, c.name, c.params)}
			var losses []float64
			var weights map[string][]float32
			record := recordFirstTaskLoss(&losses)
			run.after = func(s *bench.Session, task int) error {
				if task == 0 && c.weights != "" {
					var err error
					weights, err = paramValues(s, sharedPaths(s.Model), c.weights)
					if err != nil {
						return err
					}
				}
				return record(s, task)
			}
			runWith(t, run, 1)
			loss := losses[len(losses)-1]

			anchor := run.snaps[0]
			for path, v := range anchor {
				if !sameBits(floats(v), floats(ftRun.snaps[0][path])) {
					t.Fatalf("%s differs from finetune's after the first task", path)
				}
			}
			last := len(run.snaps) - 1
			mine := weightedDrift(run.snaps[last], anchor, weights)
			theirs := weightedDrift(ftRun.snaps[last], anchor, weights)
			t.Logf("drift %.4g (finetune %.4g), first task's loss %.4f (finetune %.4f)",
				mine, theirs, loss, ftLoss)
			if !(mine < theirs/2) {
				t.Errorf("importance-weighted drift from the first task's weights: %.4g, finetune's %.4g; "+
					"want less than half", mine, theirs)
			}
			if ftForgot && !(loss < ftLoss) {
				t.Errorf("first task's final test loss %.4f, finetune's %.4f: want lower", loss, ftLoss)
			}
		})
	}
}
