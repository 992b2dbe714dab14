package strategies

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/clbench/clbench/bench"
	"github.com/clbench/clbench/internal/toy"
)

// evalNodes builds fn's graph on the default backend, runs it on
// inputs and returns its outputs' values.
func evalNodes(t *testing.T, fn func(inputs []*Node) []*Node, inputs ...*tensors.Tensor) [][]float32 {
	t.Helper()
	backend, _, err := bench.NewBackend("")
	if err != nil {
		t.Fatal(err)
	}
	exec, err := NewExec(backend, func(in []*Node) []*Node { return fn(in) })
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	args := make([]any, len(inputs))
	for i, x := range inputs {
		args[i] = x
	}
	out, err := exec.Call(args...)
	if err != nil {
		t.Fatal(err)
	}
	values := make([][]float32, len(out))
	for i, o := range out {
		values[i] = floats(o)
	}
	return values
}

func vector(v ...float32) *tensors.Tensor { return tensors.FromFlatDataAndDimensions(v, len(v)) }

// Two examples whose gradients are +g and -g: the empirical Fisher is
// the mean of their squares, (g^2 + g^2)/2 = g^2; the square of their
// mean gradient, ((g - g)/2)^2 = 0, would be wrong.
func TestFisherOfOppositeGradientsIsGSquared(t *testing.T) {
	g := []float32{3, -0.5, 0}
	want := []float32{9, 0.25, 0} // g^2 by hand
	negG := []float32{-3, 0.5, 0}

	// The accumulation on hand-made gradients, fed as tensors.
	sums := evalNodes(t, func(in []*Node) []*Node {
		acc := make([]*Node, 1)
		acc = addReduced(acc, []*Node{in[0]}, Square)
		acc = addReduced(acc, []*Node{in[1]}, Square)
		return acc
	}, vector(g...), vector(negG...))
	acc := &exampleMean{n: 2}
	acc.add("w", sums[0])
	if got := acc.mean()["w"]; !sameBits(got, want) {
		t.Errorf("Fisher of +g and -g = %v, want g^2 = %v", got, want)
	}

	// End to end on a tiny graph: the examples' losses are g.w and
	// -g.w, whose gradients with respect to w are +g and -g.
	sums = evalNodes(t, func(in []*Node) []*Node {
		w, gn := in[0], in[1]
		loss := ReduceAllSum(Mul(gn, w))
		return sumOverExamples([]*Node{loss, Neg(loss)}, []*Node{w}, Square)
	}, vector(1, 2, 3), vector(g...))
	acc = &exampleMean{n: 2}
	acc.add("w", sums[0])
	if got := acc.mean()["w"]; !sameBits(got, want) {
		t.Errorf("Fisher from per-example gradients of g.w and -g.w = %v, want g^2 = %v", got, want)
	}
}

// exampleMean adds sums from several graphs and divides by the number
// of examples: (1 + 2 + 3) / 3 = 2 and (4 + 0 + 5) / 3 = 3.
func TestExampleMean(t *testing.T) {
	acc := &exampleMean{n: 3}
	acc.add("p", []float32{1, 4})
	acc.add("p", []float32{2, 0})
	acc.add("p", []float32{3, 5})
	if got := acc.mean()["p"]; !sameBits(got, []float32{2, 3}) {
		t.Errorf("mean = %v, want [2 3]", got)
	}
}

// decayAdd keeps gamma*old + new: 0.5*[1 2] + [10 20] = [10.5 21]; a
// first call copies new.
func TestDecayAdd(t *testing.T) {
	running := decayAdd(nil, map[string][]float32{"p": {1, 2}}, 0.5)
	running = decayAdd(running, map[string][]float32{"p": {10, 20}}, 0.5)
	if got := running["p"]; !sameBits(got, []float32{10.5, 21}) {
		t.Errorf("running = %v, want [10.5 21]", got)
	}
}

// The micro model's final norm gain is width 32 ones. Against an
// anchor of zeros the unweighted penalty is sum (1 - 0)^2 = 32, and
// with weights of 2 it is 2 * 32 = 64.
func TestQuadraticPenalty(t *testing.T) {
	cfg, err := bench.ModelSize("micro")
	if err != nil {
		t.Fatal(err)
	}
	m, err := bench.NewModel(cfg, toy.Stream(8), 1)
	if err != nil {
		t.Fatal(err)
	}
	s := &bench.Session{Model: m}
	path := "/final_norm/gain"
	zeros, twos := make([]float32, cfg.Width), make([]float32, cfg.Width)
	for i := range twos {
		twos[i] = 2
	}
	if err := setBuffers(s, "/anchor", map[string][]float32{path: zeros}); err != nil {
		t.Fatal(err)
	}
	if err := setBuffers(s, "/weight", map[string][]float32{path: twos}); err != nil {
		t.Fatal(err)
	}
	backend, _, err := bench.NewBackend("")
	if err != nil {
		t.Fatal(err)
	}
	exec, err := model.NewExec(backend, m.Store(), func(_ *model.Scope, g *Graph) []*Node {
		st := &bench.Step{G: g, Session: s}
		return []*Node{
			quadraticPenalty(st, []string{path}, "", "/anchor"),
			quadraticPenalty(st, []string{path}, "/weight", "/anchor"),
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	out, err := exec.Call()
	if err != nil {
		t.Fatal(err)
	}
	if got := floats(out[0])[0]; got != 32 {
		t.Errorf("unweighted penalty = %g, want 32", got)
	}
	if got := floats(out[1])[0]; got != 64 {
		t.Errorf("weighted penalty = %g, want 64", got)
	}
}

// On the model itself, after the first task: the Fisher that
// perExampleMean computes from graphs of several examples equals the
// mean of squares of gradients computed one example at a time, and it
// exceeds the square of the mean gradient (the two agree only if every
// example had the same gradient).
func TestFisherOfModelIsMeanOfSquaredExampleGradients(t *testing.T) {
	paths := []string{"/block0/attn/query/weights", "/block0/ffn/out/bias"}
	identity := func(x *Node) *Node { return x }
	probe := &snapshotAfter{inner: finetune{}}
	probe.after = func(s *bench.Session, task int) error {
		if task != 0 {
			return nil
		}
		// 10 examples: one graph of examplesPerGraph = 8 and one of 2.
		sample := sampleExamples(s, 0, 10, "test/fisher")
		fisher, err := perExampleMean(s, 0, sample, paths, taskLoss, Square)
		if err != nil {
			return err
		}
		for _, p := range paths {
			n := len(fisher[p])
			squares, mean := make([]float64, n), make([]float64, n)
			for _, ex := range sample {
				g, err := perExampleMean(s, 0, []int{ex}, []string{p}, taskLoss, identity)
				if err != nil {
					return err
				}
				for i, x := range g[p] {
					squares[i] += float64(x) * float64(x) / float64(len(sample))
					mean[i] += float64(x) / float64(len(sample))
				}
			}
			var sumF, sumMeanSq float64
			mismatches := 0
			for i := range squares {
				if d := math.Abs(float64(fisher[p][i]) - squares[i]); d > 1e-4*squares[i]+1e-12 {
					if mismatches == 0 {
						t.Errorf("%s[%d]: Fisher %g, mean of squared example gradients %g",
							p, i, fisher[p][i], squares[i])
					}
					mismatches++
				}
				sumF += float64(fisher[p][i])
				sumMeanSq += mean[i] * mean[i]
			}
			if !(sumF > 1.5*sumMeanSq) || sumF == 0 {
				t.Errorf("%s: sum of Fisher %g, sum of squared mean gradient %g: want the Fisher clearly larger",
					p, sumF, sumMeanSq)
			}
		}
		return nil
	}
	runWith(t, probe, 1)
}
