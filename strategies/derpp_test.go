package strategies

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/clbench/clbench/bench"
)

// evalMSE computes logitMSE on hand-made logits and targets of the
// given dimensions, with an optional token mask [rows, length].
func evalMSE(t *testing.T, logits, targets []float32, mask []bool, dims ...int) float64 {
	t.Helper()
	backend, _, err := bench.NewBackend("")
	if err != nil {
		t.Fatal(err)
	}
	args := []any{
		tensors.FromFlatDataAndDimensions(logits, dims...),
		tensors.FromFlatDataAndDimensions(targets, dims...),
	}
	if mask == nil {
		mask = []bool{true} // unused for [rows, classes]
	} else {
		args = append(args, tensors.FromFlatDataAndDimensions(mask, dims[0], dims[1]))
	}
	out, err := ExecOnceN(backend, func(in []*Node) []*Node {
		var m *Node
		if len(in) == 3 {
			m = in[2]
		}
		return []*Node{logitMSE(in[0], in[1], m)}
	}, args...)
	if err != nil {
		t.Fatal(err)
	}
	return float64(tensors.MustCopyFlatData[float32](out[0])[0])
}

func TestDERPPLogitMSEByHand(t *testing.T) {
	// [2 rows, 2 classes]: differences 1, 0, 0, 2; squares 1, 0, 0, 4;
	// mean 5/4.
	got := evalMSE(t, []float32{1, 2, 3, 4}, []float32{0, 2, 3, 2}, nil, 2, 2)
	if math.Abs(got-1.25) > 1e-6 {
		t.Errorf("classify MSE = %g, want 1.25", got)
	}
	// [1 row, 2 tokens, 2 classes], the second token padding: only the
	// first counts, differences 1 and 2, mean (1+4)/2 = 2.5. Unmasked,
	// the padding's 9s would give (1+4+81+81)/4 = 41.75.
	got = evalMSE(t, []float32{1, 2, 9, 9}, []float32{0, 0, 0, 0}, []bool{true, false}, 1, 2, 2)
	if math.Abs(got-2.5) > 1e-6 {
		t.Errorf("tag MSE = %g, want 2.5 (padding masked)", got)
	}
}

// targetProbe checks, right after der++ stores the tag task's logits,
// that the targets of a batch mixing two length buckets match the
// model's logits for that batch on every real token and are zero on
// padding.
type targetProbe struct {
	*derpp
	t       *testing.T
	checked int
}

func (p *targetProbe) AfterTask(s *bench.Session, task int) error {
	if err := p.derpp.AfterTask(s, task); err != nil {
		return err
	}
	if task != 1 { // the toy stream's tag task
		return nil
	}
	b := bench.Batch{Task: task, Split: bench.TrainSplit, Examples: p.mem.Held(task)}
	target := tensors.MustCopyFlatData[float32](p.targets(s, b))
	out, err := s.Logits(b, len(b.Examples))
	if err != nil {
		return err
	}
	dims := out.Shape().Dimensions
	now := tensors.MustCopyFlatData[float32](out)
	tok, lab := s.BatchTensors(b, len(b.Examples))
	ids := tensors.MustCopyFlatData[int32](tok)
	lab.FinalizeAll()
	lengths := map[int]bool{}
	for _, i := range b.Examples {
		one := bench.Batch{Task: task, Split: bench.TrainSplit, Examples: []int{i}}
		lengths[batchLength(s, one)] = true
	}
	if len(lengths) < 2 {
		p.t.Errorf("held examples have length buckets %v; the probe needs two", lengths)
	}
	for k := range now {
		if ids[k/dims[2]] == 0 { // padding
			if target[k] != 0 {
				p.t.Fatalf("target %d on padding is %g, want 0", k, target[k])
			}
			continue
		}
		if math.Abs(float64(now[k]-target[k])) > 1e-4 {
			p.t.Fatalf("target %d = %g, model's logit %g", k, target[k], now[k])
		}
		p.checked++
	}
	return nil
}

// derppProbeRun runs der++ with its defaults and seed 1 under a
// targetProbe, once for the tests below.
func derppProbeRun(t *testing.T) (*bench.Outcome, *targetProbe) {
	t.Helper()
	onceMu.Lock()
	defer onceMu.Unlock()
	if derppProbe == nil {
		s, _, err := Default.New("der++", nil)
		if err != nil {
			t.Fatal(err)
		}
		probe := &targetProbe{derpp: s.(*derpp), t: t}
		derppOut, derppProbe = runWith(t, probe, 1), probe
	}
	return derppOut, derppProbe
}

var (
	derppOut   *bench.Outcome
	derppProbe *targetProbe
)

// Right after the tag task, the stored targets of a batch mixing two
// length buckets are the model's logits on every real token and zero
// on padding.
func TestDERPPStoresTagLogitsPerToken(t *testing.T) {
	out, probe := derppProbeRun(t)
	if probe.checked == 0 {
		t.Error("the probe checked no target")
	}
	if out.Cost.ExamplesStored != 200 {
		t.Errorf("examples stored = %d, want 200", out.Cost.ExamplesStored)
	}
}

// The stored logits reach the graph: with alpha > 0 the run differs
// from alpha = 0, which draws the same memory batches but does not add
// the MSE term (so the targets would be inert without it).
func TestDERPPStoredTargetsReachTraining(t *testing.T) {
	on, _ := derppProbeRun(t)
	off := runStrategy(t, "der++", map[string]string{"alpha": "0"}, 1)
	if sameMatrix(on, off) {
		t.Errorf("alpha 0.1 and alpha 0 gave the same R %v", on.R)
	}
}
