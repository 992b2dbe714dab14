package strategies

import (
	"strings"
	"testing"

	"github.com/clbench/clbench/bench"
)

// With lambda 0 the penalty is absent, so ewc trains exactly as
// finetune does (the Fisher estimation only reads the weights); with a
// large lambda the penalty changes what is learnt.
func TestEWCLambda(t *testing.T) {
	ft := finetuneSeed1(t).out
	if zero := runStrategy(t, "ewc", map[string]string{"lambda": "0"}, 1); !sameMatrix(zero, ft) {
		t.Errorf("ewc lambda=0 R = %v, want finetune's %v bit for bit", zero.R, ft.R)
	}
	if big := runStrategy(t, "ewc", map[string]string{"lambda": "1000"}, 1); sameMatrix(big, ft) {
		t.Errorf("ewc lambda=1000 R = %v, the same as finetune's", big.R)
	}
}

// After each task but the last, ewc keeps one Fisher and one anchor per
// task; the anchor is the weights the task ended with.
func TestEWCKeepsOneAnchorPerTask(t *testing.T) {
	probe := &snapshotAfter{inner: newStrategy(t, "ewc", nil)}
	var anchors []map[string][]float32
	probe.after = func(s *bench.Session, task int) error {
		e := probe.inner.(*ewc)
		if task == len(s.Stream.Tasks)-1 {
			if e.done != task {
				t.Errorf("after the last task, %d tasks have penalties, want %d", e.done, task)
			}
			return nil
		}
		a, err := paramValues(s, e.paths, ewcScope(task)+"/anchor")
		if err != nil {
			return err
		}
		anchors = append(anchors, a)
		return nil
	}
	runWith(t, probe, 1)
	for task, a := range anchors {
		for path, v := range a {
			if !sameBits(v, floats(probe.snaps[task][path])) {
				t.Errorf("task %d: anchor of %s differs from the weights after the task", task+1, path)
			}
		}
	}
	if len(anchors) != 2 {
		t.Errorf("%d anchors kept, want 2 (after tasks 1 and 2 of 3)", len(anchors))
	}
}

func TestEWCRejectsBadParams(t *testing.T) {
	for _, p := range []map[string]string{
		{"lambda": "-1"}, {"lambda": "NaN"}, {"lambda": "Inf"}, {"lambda": "x"}, {"samples": "0"},
	} {
		if _, _, err := Default.New("ewc", p); err == nil {
			t.Errorf("ewc %v: no error", p)
		} else if !strings.Contains(err.Error(), "parameter") {
			t.Errorf("ewc %v: error %q does not name the parameter", p, err)
		}
	}
}
