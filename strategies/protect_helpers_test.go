package strategies

import (
	"math"
	"sync"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/clbench/clbench/bench"
)

// snapshotAfter runs a strategy and keeps a copy of every parameter
// after each task (after the strategy's own AfterTask). It forwards
// the hooks the Protect strategies use (TaskHooks, Freezer, LossAdder,
// GradientEditor), each absent one as the bench's default, so wrap
// only strategies that use no other hook.
type snapshotAfter struct {
	inner bench.Strategy
	snaps []map[string]*tensors.Tensor
	// after, when set, runs after the inner AfterTask, before the
	// snapshot.
	after func(s *bench.Session, task int) error
}

func (w *snapshotAfter) Name() string { return w.inner.Name() }

func (w *snapshotAfter) BeforeTask(s *bench.Session, task int) error {
	if h, ok := w.inner.(bench.TaskHooks); ok {
		return h.BeforeTask(s, task)
	}
	return nil
}

func (w *snapshotAfter) AfterTask(s *bench.Session, task int) error {
	if h, ok := w.inner.(bench.TaskHooks); ok {
		if err := h.AfterTask(s, task); err != nil {
			return err
		}
	}
	if w.after != nil {
		if err := w.after(s, task); err != nil {
			return err
		}
	}
	snap, err := s.Snapshot()
	if err != nil {
		return err
	}
	w.snaps = append(w.snaps, snap)
	return nil
}

func (w *snapshotAfter) Trainable(s *bench.Session, task int, path string) bool {
	if f, ok := w.inner.(bench.Freezer); ok {
		return f.Trainable(s, task, path)
	}
	return true
}

func (w *snapshotAfter) ExtraLoss(st *bench.Step) *Node {
	if l, ok := w.inner.(bench.LossAdder); ok {
		return l.ExtraLoss(st)
	}
	return nil
}

func (w *snapshotAfter) EditGradients(st *bench.Step, grads map[string]*Node) {
	if e, ok := w.inner.(bench.GradientEditor); ok {
		e.EditGradients(st, grads)
	}
}

// newStrategy makes a registered strategy or fails the test.
func newStrategy(t *testing.T, name string, params map[string]string) bench.Strategy {
	t.Helper()
	s, _, err := Default.New(name, params)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// floats returns a tensor's values.
func floats(t *tensors.Tensor) []float32 { return tensors.MustCopyFlatData[float32](t) }

// sameBits reports whether a and b hold bit-identical values.
func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// baselineRun is finetune's run on the toy stream with seed 1: its
// outcome, the weights after each task and the first task's test loss
// after each task.
type baselineRun struct {
	out    *bench.Outcome
	snaps  []map[string]*tensors.Tensor
	losses []float64
}

var finetuneOnce struct {
	sync.Once
	run *baselineRun
}

// finetuneSeed1 runs finetune once for all the tests that compare
// against it.
func finetuneSeed1(t *testing.T) *baselineRun {
	t.Helper()
	finetuneOnce.Do(func() {
		probe := &snapshotAfter{inner: finetune{}}
		var losses []float64
		probe.after = recordFirstTaskLoss(&losses)
		out := runWith(t, probe, 1)
		finetuneOnce.run = &baselineRun{out: out, snaps: probe.snaps, losses: losses}
	})
	if finetuneOnce.run == nil {
		t.Fatal("the finetune run failed")
	}
	return finetuneOnce.run
}

// recordFirstTaskLoss returns an after-task function that appends the
// first task's test loss to *losses.
func recordFirstTaskLoss(losses *[]float64) func(s *bench.Session, task int) error {
	return func(s *bench.Session, _ int) error {
		loss, err := firstTaskLoss(s)
		*losses = append(*losses, loss)
		return err
	}
}

// firstTaskLoss is the current model's mean cross-entropy on the first
// task's test split (a classify task).
func firstTaskLoss(s *bench.Session) (float64, error) {
	n := s.Size(0, bench.TestSplit)
	b := bench.Batch{Task: 0, Split: bench.TestSplit, Examples: make([]int, n)}
	for i := range b.Examples {
		b.Examples[i] = i
	}
	logits, err := s.Logits(b, n)
	if err != nil {
		return 0, err
	}
	_, labels := s.BatchTensors(b, n)
	z, y := floats(logits), tensors.MustCopyFlatData[int32](labels)
	classes := len(z) / n
	var sum float64
	for i := 0; i < n; i++ {
		row := z[i*classes : (i+1)*classes]
		top := row[0]
		for _, v := range row {
			top = max(top, v)
		}
		var norm float64
		for _, v := range row {
			norm += math.Exp(float64(v - top))
		}
		sum += math.Log(norm) - float64(row[y[i]]-top)
	}
	return sum / float64(n), nil
}

// weightedDrift is sum_i w_i (theta_i - anchor_i)^2 over the parameters
// that weights covers (w = 1 over the shared parameters when weights is
// nil).
func weightedDrift(theta, anchor map[string]*tensors.Tensor, weights map[string][]float32) float64 {
	var d float64
	for path, a := range anchor {
		w, ok := weights[path]
		if weights != nil && !ok || weights == nil && bench.ParamGroup(path) == "head" {
			continue
		}
		x, y := floats(theta[path]), floats(a)
		for i := range x {
			diff := float64(x[i]) - float64(y[i])
			if w != nil {
				d += float64(w[i]) * diff * diff
			} else {
				d += diff * diff
			}
		}
	}
	return d
}
