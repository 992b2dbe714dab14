package bench

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/clbench/clbench/tasks"
)

// Adam's constants; the learning rate is TrainConfig.LearningRate.
const (
	adamBeta1   = 0.9
	adamBeta2   = 0.999
	adamEpsilon = 1e-8
	adamScope   = "/adam"
)

// StepPart is one batch of a training step, as built in the graph.
type StepPart struct {
	Batch   Batch
	Forward *Forward
	Tokens  *Node // [batch, length] int32
	Labels  *Node // [batch] or [batch, length] int32, -1 = no loss
	Hidden  *Node // [batch, length, width]
	Mask    *Node // [batch, length] bool
	Logits  *Node
	Loss    *Node // scalar, mean over scored positions
	Targets *Node // Batch.Targets, or nil
}

// Step is the training graph of one update, as strategies see it while
// it is built.
type Step struct {
	G       *Graph
	Session *Session
	Task    int
	Parts   []*StepPart
	// Loss is the weighted sum of the parts' losses, before ExtraLoss.
	Loss *Node
	// Trainable lists the parameters this step updates, in the order of
	// the gradients; it is set before EditGradients is called.
	Trainable []*model.Variable
}

// Value returns the graph node of any stored variable: a parameter or a
// buffer set with Session.SetBuffer.
func (st *Step) Value(path string) *Node {
	v := st.Session.Model.store.GetVariable(path)
	if v == nil {
		panic(fmt.Errorf("no variable %q in the model's store", path))
	}
	return v.NodeValue(st.G)
}

// CrossEntropy is the mean negative log-likelihood of labels under
// logits ([..., classes]); labels of -1 are ignored.
func CrossEntropy(logits, labels *Node) *Node {
	classes := logits.Shape().Dimensions[logits.Rank()-1]
	valid := GreaterOrEqual(labels, ScalarZero(labels.Graph(), labels.DType()))
	safe := Where(valid, labels, ZerosLike(labels))
	logp := LogSoftmax(logits, -1)
	nll := Neg(ReduceSum(Mul(logp, OneHot(safe, classes, logp.DType())), -1))
	w := ConvertDType(valid, nll.DType())
	return Div(ReduceAllSum(Mul(nll, w)), MaxScalar(ReduceAllSum(w), 1))
}

// trainStep runs one update on parts and returns the loss.
func (s *Session) trainStep(task int, parts []Batch) (float64, error) {
	key := stepKey(task, parts)
	exec, ok := s.execs[key]
	if !ok {
		var err error
		exec, err = model.NewExec(s.Backend, s.Model.store,
			func(_ *model.Scope, g *Graph, inputs []*Node) []*Node {
				return []*Node{s.buildStep(g, task, parts, inputs)}
			})
		if err != nil {
			return 0, err
		}
		s.execs[key] = exec
	}
	args := make([]any, 0, 3*len(parts))
	for _, b := range parts {
		tok, lab := s.BatchTensors(b, len(b.Examples))
		args = append(args, tok, lab)
		if b.Targets != nil {
			args = append(args, b.Targets)
		}
	}
	out, err := exec.Call(args...)
	if err != nil {
		return 0, err
	}
	loss := float64(tensors.MustCopyFlatData[float32](out[0])[0])
	out[0].FinalizeAll()
	return loss, nil
}

// stepKey names the graph a step needs: the task and, for each part,
// its task, weight and whether it has targets (shapes are cached by the
// executor itself).
func stepKey(task int, parts []Batch) string {
	var b strings.Builder
	fmt.Fprintf(&b, "train/%d", task)
	for _, p := range parts {
		fmt.Fprintf(&b, "/%d:%g:%t", p.Task, p.Weight, p.Targets != nil)
	}
	return b.String()
}

// buildStep builds the loss, the gradients and the Adam update of one
// training step, and returns the loss.
func (s *Session) buildStep(g *Graph, task int, parts []Batch, inputs []*Node) *Node {
	st := &Step{G: g, Session: s, Task: task}

	// Forward each part through its own task's head.
	total := ScalarZero(g, dtypes.Float32)
	next := 0
	for _, b := range parts {
		f := &Forward{G: g, Model: s.Model, Task: b.Task, Strategy: s.strategy}
		p := &StepPart{Batch: b, Forward: f, Tokens: inputs[next], Labels: inputs[next+1]}
		next += 2
		if b.Targets != nil {
			p.Targets = inputs[next]
			next++
		}
		p.Hidden, p.Mask = f.Encode(p.Tokens)
		p.Logits = f.Logits(b.Task, p.Hidden, p.Mask)
		p.Loss = CrossEntropy(s.MaskInactive(b.Task, p.Logits), p.Labels)
		if b.Weight != 0 {
			total = Add(total, MulScalar(p.Loss, b.Weight))
		}
		st.Parts = append(st.Parts, p)
	}
	st.Loss = total

	// The strategy's own loss terms.
	if la, ok := s.strategy.(LossAdder); ok {
		if extra := la.ExtraLoss(st); extra != nil {
			total = Add(total, extra)
		}
	}

	// Gradients of the parameters this step uses and may train.
	freezer, _ := s.strategy.(Freezer)
	var trainable []*model.Variable
	for _, v := range s.Model.params {
		if !v.InUseByGraph(g) {
			continue
		}
		if freezer != nil && !freezer.Trainable(s, task, v.Path()) {
			continue
		}
		trainable = append(trainable, v)
	}
	if len(trainable) == 0 {
		return total
	}
	nodes := make([]*Node, len(trainable))
	for i, v := range trainable {
		nodes[i] = v.NodeValue(g)
	}
	grads := Gradient(total, nodes...)
	byPath := make(map[string]*Node, len(trainable))
	for i, v := range trainable {
		byPath[v.Path()] = grads[i]
	}
	st.Trainable = trainable
	if ge, ok := s.strategy.(GradientEditor); ok {
		ge.EditGradients(st, byPath)
	}

	// Adam, with bias correction.
	stepVar := s.Model.store.GetVariable(adamScope + "/step")
	t := AddScalar(stepVar.NodeValue(g), 1)
	stepVar.SetNodeValue(t)
	lr := s.Train.LearningRate
	c1 := OneMinus(Pow(Scalar(g, dtypes.Float32, adamBeta1), t))
	c2 := OneMinus(Pow(Scalar(g, dtypes.Float32, adamBeta2), t))
	for _, v := range trainable {
		grad := byPath[v.Path()]
		if grad == nil {
			continue
		}
		m1v := s.Model.store.GetVariable(adamScope + v.Path() + "/m1")
		m2v := s.Model.store.GetVariable(adamScope + v.Path() + "/m2")
		if v.Path() == tokenTable && lazyTokenTable {
			lazyAdam(v, m1v, m2v, grad, stepTokens(st), c1, c2, lr)
			continue
		}
		m1 := Add(MulScalar(m1v.NodeValue(g), adamBeta1), MulScalar(grad, 1-adamBeta1))
		m2 := Add(MulScalar(m2v.NodeValue(g), adamBeta2), MulScalar(Square(grad), 1-adamBeta2))
		m1v.SetNodeValue(m1)
		m2v.SetNodeValue(m2)
		update := Div(Div(m1, c1), AddScalar(Sqrt(Div(m2, c2)), adamEpsilon))
		v.SetNodeValue(Sub(v.NodeValue(g), MulScalar(update, lr)))
	}
	return total
}

// lazyTokenTable switches lazyAdam on; tests turn it off to compare
// with dense Adam.
var lazyTokenTable = true

// tokenTable is the parameter that the model reads only by rows, one
// row per token: the hashed word embeddings.
const tokenTable = "/embed/tokens"

// stepTokens returns the token ids of every part of the step, flattened
// into one vector.
func stepTokens(st *Step) *Node {
	ids := make([]*Node, len(st.Parts))
	for i, p := range st.Parts {
		ids[i] = Reshape(p.Tokens, -1)
	}
	if len(ids) == 1 {
		return ids[0]
	}
	return Concatenate(ids, 0)
}

// lazyAdam is Adam on the rows of the token table that the step's tokens
// use; the other rows and their moments stay as they are (the "lazy"
// Adam of TensorFlow's LazyAdam and PyTorch's SparseAdam). Most of the
// table's 16384 rows are not in a batch and have a zero gradient, and
// a dense update of the table and its two moments cost about a fifth of
// a tiny model's training step on the pure-Go backend. A row that is
// used is updated exactly as dense Adam would, in the form
// m += (1-beta)(g - m); a penalty's gradient on an unused row (EWC's,
// L2's) waits until the row is next used.
//
// Each id's change is computed at every position that holds it (the
// same value each time) and written once, by the id's first position:
// the other positions add exact zeros, so the result does not depend
// on the order of the scatter.
func lazyAdam(v, m1v, m2v *model.Variable, grad, ids, c1, c2 *Node, lr float64) {
	g := grad.Graph()
	n := ids.Shape().Size()
	at := InsertAxes(ids, -1) // [n, 1]: row indices for Gather and Scatter
	pos := Iota(g, shapes.Make(ids.DType(), n), 0)
	first := ScatterMin(BroadcastToDims(Scalar(g, ids.DType(), n), v.Shape().Dimensions[0]),
		at, pos, false, false)
	writes := InsertAxes(ConvertDType(Equal(Gather(first, at), pos), grad.DType()), -1)

	gr := Gather(grad, at)
	m1 := Gather(m1v.NodeValue(g), at)
	m2 := Gather(m2v.NodeValue(g), at)
	dm1 := MulScalar(Sub(gr, m1), 1-adamBeta1)
	dm2 := MulScalar(Sub(Square(gr), m2), 1-adamBeta2)
	m1, m2 = Add(m1, dm1), Add(m2, dm2)
	update := Div(Div(m1, c1), AddScalar(Sqrt(Div(m2, c2)), adamEpsilon))
	scatter := func(table *model.Variable, change *Node) {
		table.SetNodeValue(ScatterSum(table.NodeValue(g), at, Mul(change, writes), false, false))
	}
	scatter(m1v, dm1)
	scatter(m2v, dm2)
	scatter(v, Neg(MulScalar(update, lr)))
}

// resetOptimizer creates Adam's moments for parameters that have none
// and, when reset is set, zeroes all of them and the step count.
func (s *Session) resetOptimizer(reset bool) error {
	zero := func(v *model.Variable) *tensors.Tensor {
		return tensors.FromShape(v.Shape())
	}
	if v := s.Model.store.GetVariable(adamScope + "/step"); v == nil || reset {
		if err := s.SetBuffer(adamScope+"/step", tensors.FromScalar(float32(0))); err != nil {
			return err
		}
	}
	for _, p := range s.Model.params {
		for _, name := range []string{"/m1", "/m2"} {
			path := adamScope + p.Path() + name
			if v := s.Model.store.GetVariable(path); v != nil && !reset {
				continue
			}
			if err := s.SetBuffer(path, zero(p)); err != nil {
				return err
			}
		}
	}
	return nil
}

// predict returns the predicted class of each example of b (classify)
// or of each word (tag), in the example order of b.
func (s *Session) predict(b Batch, rows int) ([][]int32, error) {
	pred, err := s.forward("eval", b, rows, func(logits *Node) *Node {
		return ConvertDType(ArgMax(s.MaskInactive(b.Task, logits), -1), dtypes.Int32)
	})
	if err != nil {
		return nil, err
	}
	flat := tensors.MustCopyFlatData[int32](pred)
	dims := pred.Shape().Dimensions
	pred.FinalizeAll()
	width := 1
	if len(dims) == 2 {
		width = dims[1]
	}
	preds := make([][]int32, len(b.Examples))
	for r := range b.Examples {
		preds[r] = flat[r*width : (r+1)*width]
	}
	return preds, nil
}

// Evaluate scores the current model on a task's test split: accuracy
// for classify, entity-level F1 for tag.
func (s *Session) Evaluate(task int) (float64, error) {
	n := s.Size(task, TestSplit)
	if n == 0 {
		return math.NaN(), fmt.Errorf("task %q has no test examples", s.Stream.Tasks[task].Name)
	}
	head := s.Model.Heads[task]
	labels := s.Stream.Tasks[task].Labels
	enc := s.split(task, TestSplit)
	rows := s.Train.EvalBatchSize
	var gold, pred []int
	var goldTags, predTags [][]string

	// Examples sorted by length share length buckets, so the graphs
	// compiled for evaluation stay few.
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(enc.ids[order[a]]) < len(enc.ids[order[b]]) })
	for start := 0; start < n; start += rows {
		b := Batch{Task: task, Split: TestSplit, Examples: order[start:min(start+rows, n)]}
		p, err := s.predict(b, rows)
		if err != nil {
			return math.NaN(), err
		}
		for r, i := range b.Examples {
			if head.Kind != tasks.Tag {
				gold = append(gold, int(enc.labels[i]))
				pred = append(pred, int(p[r][0]))
				continue
			}
			// Words past the model's length get no prediction: "O".
			g := make([]string, len(enc.tags[i]))
			q := make([]string, len(enc.tags[i]))
			for w, t := range enc.tags[i] {
				g[w] = labels[t]
				q[w] = labels[0]
				if 1+w < len(p[r]) {
					q[w] = labels[p[r][1+w]]
				}
			}
			goldTags = append(goldTags, g)
			predTags = append(predTags, q)
		}
	}
	if head.Kind == tasks.Tag {
		f1, _, _ := tasks.EntityF1(goldTags, predTags)
		return f1, nil
	}
	return tasks.Accuracy(gold, pred), nil
}
