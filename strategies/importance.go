package strategies

// This file holds what the Protect strategies share: statistics of
// per-example gradients (the empirical Fisher of ewc and online-ewc,
// the sensitivities of mas and freeze-neurons), quadratic penalties
// that pull shared weights towards an anchor, and parameter parsing.

import (
	"fmt"
	"math"
	"strings"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph code reads best unqualified
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/clbench/clbench/bench"
)

// examplesPerGraph is how many examples one graph of per-example
// gradients holds: each gets its own forward and backward pass of
// batch size 1, so the graph grows with it.
const examplesPerGraph = 8

// predictedLoss is taskLoss with the model's own prediction (the arg
// max of the classes it can predict now) in place of the true label,
// wherever there is a label: the Fisher of van de Ven and Tolias'
// (2019) code.
func predictedLoss(s *bench.Session, task int, logits, labels, _ *Node) *Node {
	masked := s.MaskInactive(task, logits)
	predicted := ConvertDType(ArgMax(StopGradient(masked), -1), labels.DType())
	predicted = Where(GreaterOrEqual(labels, ZerosLike(labels)), predicted, labels)
	return bench.CrossEntropy(masked, predicted)
}

// fisherLoss reads the "labels" parameter of the EWC strategies: true
// (the empirical Fisher, from each example's label) or predicted.
func fisherLoss(cfg Config) (exampleLoss, error) {
	switch cfg["labels"] {
	case "true":
		return taskLoss, nil
	case "predicted":
		return predictedLoss, nil
	}
	return nil, fmt.Errorf("parameter labels=%q: want true or predicted", cfg["labels"])
}

// fisherLabelsParam documents the "labels" parameter.
var fisherLabelsParam = Param{Name: "labels", Default: "true",
	Doc: "labels of the Fisher's per-example losses: true (the empirical Fisher) or predicted " +
		"(the model's arg max, as van de Ven and Tolias' code)"}

// sharedPaths lists the parameters that every task uses: all but the
// per-task heads (a head that tasks share, in the domain- and
// class-incremental scenarios, is one of them). Penalties and
// importances cover these; a task's own head only ever trains with
// its task.
func sharedPaths(m *bench.Model) []string {
	var paths []string
	for _, v := range m.Params() {
		if bench.ParamGroup(v.Path()) != "head" || strings.HasPrefix(v.Path(), bench.SharedHeadPath("")) {
			paths = append(paths, v.Path())
		}
	}
	return paths
}

// exampleLoss is the scalar whose gradient is taken for one example of
// task: logits and labels are the example's ([1, classes] and [1], or
// [1, length, classes] and [1, length]); mask marks its real tokens
// (nil for an image).
type exampleLoss func(s *bench.Session, task int, logits, labels, mask *Node) *Node

// taskLoss is the training loss of one example: the negative
// log-likelihood of its label (per word, averaged, for a tag task),
// over the classes the head can predict now (Session.MaskInactive).
func taskLoss(s *bench.Session, task int, logits, labels, _ *Node) *Node {
	return bench.CrossEntropy(s.MaskInactive(task, logits), labels)
}

// sampleExamples draws up to n distinct training examples of task,
// from the run's generator for purpose.
func sampleExamples(s *bench.Session, task, n int, purpose string) []int {
	size := s.Size(task, bench.TrainSplit)
	perm := s.Rand(purpose).Perm(size)
	return perm[:min(n, size)]
}

// addReduced adds reduce(g) of each gradient to the running sums acc
// (nil entries start at zero) and returns them. With reduce = Square
// and one call per example, acc holds sum_i g_i^2: gradients of
// different examples never meet before they are squared.
func addReduced(acc, grads []*Node, reduce func(*Node) *Node) []*Node {
	for i, g := range grads {
		r := reduce(g)
		if acc[i] == nil {
			acc[i] = r
		} else {
			acc[i] = Add(acc[i], r)
		}
	}
	return acc
}

// sumOverExamples returns, for each of params, sum_i reduce(d losses[i]
// / d param): one Gradient per example's loss, reduced before summing.
func sumOverExamples(losses, params []*Node, reduce func(*Node) *Node) []*Node {
	acc := make([]*Node, len(params))
	for _, loss := range losses {
		acc = addReduced(acc, Gradient(loss, params...), reduce)
	}
	return acc
}

// exampleMean turns per-graph sums into means over examples, in
// float64 so that many small terms add up exactly enough.
type exampleMean struct {
	sums map[string][]float64
	n    int
}

// add adds one graph's sums for path.
func (a *exampleMean) add(path string, sum []float32) {
	if a.sums == nil {
		a.sums = map[string][]float64{}
	}
	acc := a.sums[path]
	if acc == nil {
		acc = make([]float64, len(sum))
		a.sums[path] = acc
	}
	for i, v := range sum {
		acc[i] += float64(v)
	}
}

// mean divides every sum by the number of examples counted.
func (a *exampleMean) mean() map[string][]float32 {
	out := make(map[string][]float32, len(a.sums))
	for path, acc := range a.sums {
		m := make([]float32, len(acc))
		for i, v := range acc {
			m[i] = float32(v / float64(max(a.n, 1)))
		}
		out[path] = m
	}
	return out
}

// perExampleMean returns, for each parameter in paths, the mean over
// the given training examples of task of reduce(gradient of loss on
// that example alone): with taskLoss and Square, the diagonal of the
// empirical Fisher. Examples run in graphs of examplesPerGraph, each
// example in its own batch of one.
func perExampleMean(s *bench.Session, task int, examples []int, paths []string,
	loss exampleLoss, reduce func(*Node) *Node) (map[string][]float32, error) {
	exec, err := model.NewExec(s.Backend, s.Model.Store(),
		func(_ *model.Scope, tokens, labels *Node) []*Node {
			g := tokens.Graph()
			params := make([]*Node, len(paths))
			for i, p := range paths {
				params[i] = s.Model.Param(p).NodeValue(g)
			}
			var losses []*Node
			for i := 0; i < tokens.Shape().Dimensions[0]; i++ {
				tok := Slice(tokens, AxisElem(i))
				lab := Slice(labels, AxisElem(i))
				f := &bench.Forward{G: g, Model: s.Model, Task: task}
				h, mask := f.Encode(tok)
				losses = append(losses, loss(s, task, f.Logits(task, h, mask), lab, mask))
			}
			return sumOverExamples(losses, params, reduce)
		})
	if err != nil {
		return nil, err
	}
	defer exec.Finalize()

	acc := &exampleMean{}
	for start := 0; start < len(examples); start += examplesPerGraph {
		b := bench.Batch{Task: task, Split: bench.TrainSplit,
			Examples: examples[start:min(start+examplesPerGraph, len(examples))]}
		tok, lab := s.BatchTensors(b, len(b.Examples))
		out, err := exec.Call(tok, lab)
		if err != nil {
			return nil, err
		}
		for i, t := range out {
			acc.add(paths[i], tensors.MustCopyFlatData[float32](t))
			t.FinalizeAll()
		}
		acc.n += len(b.Examples)
	}
	return acc.mean(), nil
}

// decayAdd returns gamma*running + fresh, entry by entry (fresh alone
// when running is nil). It updates running in place.
func decayAdd(running, fresh map[string][]float32, gamma float64) map[string][]float32 {
	if running == nil {
		running = make(map[string][]float32, len(fresh))
	}
	for p, f := range fresh {
		r := running[p]
		if r == nil {
			running[p] = append([]float32(nil), f...)
			continue
		}
		for i := range r {
			r[i] = float32(gamma)*r[i] + f[i]
		}
	}
	return running
}

// paramValues copies the current values of the parameters or buffers
// at paths.
func paramValues(s *bench.Session, paths []string, scope string) (map[string][]float32, error) {
	out := make(map[string][]float32, len(paths))
	for _, p := range paths {
		v := s.Model.Store().GetVariable(scope + p)
		if v == nil {
			return nil, fmt.Errorf("no variable %q", scope+p)
		}
		t, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", scope+p, err)
		}
		out[p] = tensors.MustCopyFlatData[float32](t)
	}
	return out, nil
}

// setBuffers stores values[p] under scope+p for each path p, shaped
// like parameter p.
func setBuffers(s *bench.Session, scope string, values map[string][]float32) error {
	for p, vals := range values {
		dims := s.Model.Param(p).Shape().Dimensions
		if err := s.SetBuffer(scope+p, tensors.FromFlatDataAndDimensions(vals, dims...)); err != nil {
			return err
		}
	}
	return nil
}

// quadraticPenalty is sum over paths p of sum(w_p * (theta_p -
// anchor_p)^2), theta_p the live parameter, anchor_p the buffer at
// anchorScope+p and w_p the buffer at weightScope+p (1 when
// weightScope is empty).
func quadraticPenalty(st *bench.Step, paths []string, weightScope, anchorScope string) *Node {
	var total *Node
	for _, p := range paths {
		d := Square(Sub(st.Value(p), st.Value(anchorScope+p)))
		if weightScope != "" {
			d = Mul(st.Value(weightScope+p), d)
		}
		term := ReduceAllSum(d)
		if total == nil {
			total = term
		} else {
			total = Add(total, term)
		}
	}
	return total
}

// floatParam parses a parameter that must be finite and at least lo.
func floatParam(cfg Config, name string, lo float64) (float64, error) {
	v, err := cfg.Float(name)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(v) || math.IsInf(v, 0) || v < lo {
		return 0, fmt.Errorf("parameter %s=%g must be a finite number >= %g", name, v, lo)
	}
	return v, nil
}
