package strategies

import (
	"testing"

	"github.com/clbench/clbench/bench"
)

// l2's anchor during each task is the weights the previous task ended
// with.
func TestL2AnchorsToPreviousTask(t *testing.T) {
	probe := &snapshotAfter{inner: newStrategy(t, "l2", nil)}
	var anchors []map[string][]float32
	probe.after = func(s *bench.Session, task int) error {
		if task == 0 {
			return nil
		}
		a, err := paramValues(s, probe.inner.(*l2).paths, l2Scope)
		anchors = append(anchors, a)
		return err
	}
	runWith(t, probe, 1)
	for i, a := range anchors {
		task := i + 1
		for path, v := range a {
			if !sameBits(v, floats(probe.snaps[task-1][path])) {
				t.Errorf("task %d: anchor of %s is not the weights after task %d", task+1, path, task)
			}
		}
	}
	if len(anchors) != 2 {
		t.Errorf("%d anchors, want 2", len(anchors))
	}
}
