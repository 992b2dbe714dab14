package strategies

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph code reads best unqualified
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/clbench/clbench/bench"
	"github.com/clbench/clbench/tasks"
)

func init() {
	MustRegister(Info{
		Name:   "der++",
		Family: Fuse,
		Summary: "dark experience replay: the memory keeps each example's logits from the " +
			"end of its task; steps match them (MSE) and replay labels (CE)",
		Params: append(append([]Param(nil), replayParams...),
			Param{Name: "alpha", Default: "0.1",
				Doc: "weight of the MSE between current and stored logits on one memory batch"},
			Param{Name: "beta", Default: "0.5",
				Doc: "weight of the cross-entropy on a second memory batch"},
		),
		New: newDERPP,
	})
}

// derpp is DER++ (Buzzega et al. 2020, "Dark Experience for General
// Continual Learning: a Strong, Simple Baseline"). Its memory is
// replay's, and each stored example also keeps the logits the model
// gave it at the end of its task. Each step of a later task adds two
// memory batches: one, fed its stored logits as Batch.Targets, adds
// alpha * MSE(current logits, stored logits); the other adds beta *
// cross-entropy on its labels.
//
// A tag task's logits are per token: each example's are computed at
// its own length bucket and stored for its real tokens, then padded
// with zeros to the batch's length when the targets are built; the MSE
// counts only real tokens, so padding never enters.
type derpp struct {
	*replay
	alpha, beta float64
	// logits holds the stored logits of every example in memory.
	logits map[memKey][]float32
}

// memKey names one stored example.
type memKey struct{ task, example int }

func newDERPP(cfg Config) (bench.Strategy, error) {
	r, err := newReplay("der++", cfg)
	if err != nil {
		return nil, err
	}
	d := &derpp{replay: r, logits: map[memKey][]float32{}}
	for _, p := range []struct {
		name string
		to   *float64
	}{{"alpha", &d.alpha}, {"beta", &d.beta}} {
		if *p.to, err = cfg.Float(p.name); err != nil {
			return nil, err
		}
		if !(*p.to >= 0) {
			return nil, fmt.Errorf("%s must be at least 0, got %g", p.name, *p.to)
		}
	}
	return d, nil
}

// AfterTask fills the memory as replay does, then stores the logits of
// the task's examples it kept and forgets those of examples dropped.
func (d *derpp) AfterTask(s *bench.Session, task int) error {
	if err := d.replay.AfterTask(s, task); err != nil {
		return err
	}
	if err := d.storeLogits(s, task, d.mem.Held(task)); err != nil {
		return fmt.Errorf("der++: storing logits: %w", err)
	}
	kept := map[memKey]bool{}
	for _, t := range d.mem.tasks {
		for _, i := range d.mem.Held(t) {
			kept[memKey{t, i}] = true
		}
	}
	for k := range d.logits {
		if !kept[k] {
			delete(d.logits, k)
		}
	}
	return nil
}

// storeLogits computes the current logits of examples of task. Tag
// examples are computed in groups of the same length bucket, each at
// its own bucket, and keep the logits of their real tokens only.
func (d *derpp) storeLogits(s *bench.Session, task int, examples []int) error {
	groups := map[int][]int{}
	var lengths []int
	for _, i := range examples {
		n := 0
		if s.Model.Heads[task].Kind == tasks.Tag {
			n = batchLength(s, bench.Batch{Task: task, Split: bench.TrainSplit, Examples: []int{i}})
		}
		if _, seen := groups[n]; !seen {
			lengths = append(lengths, n)
		}
		groups[n] = append(groups[n], i)
	}
	rows := s.Train.EvalBatchSize
	for _, n := range lengths {
		group := groups[n]
		for start := 0; start < len(group); start += rows {
			chunk := group[start:min(start+rows, len(group))]
			b := bench.Batch{Task: task, Split: bench.TrainSplit, Examples: chunk}
			out, err := s.Logits(b, len(chunk))
			if err != nil {
				return err
			}
			flat := tensors.MustCopyFlatData[float32](out)
			out.FinalizeAll()
			size := len(flat) / len(chunk)
			for r, i := range chunk {
				keep := size
				if n > 0 {
					keep = tokenCount(s, task, i) * size / n
				}
				d.logits[memKey{task, i}] = append([]float32(nil), flat[r*size:r*size+keep]...)
			}
		}
	}
	return nil
}

// tokenCount is the number of real tokens of a training example.
func tokenCount(s *bench.Session, task, example int) int {
	tok, lab := s.BatchTensors(bench.Batch{Task: task, Split: bench.TrainSplit,
		Examples: []int{example}}, 1)
	n := 0
	for _, id := range tensors.MustCopyFlatData[int32](tok) {
		if id != 0 {
			n++
		}
	}
	tok.FinalizeAll()
	lab.FinalizeAll()
	return n
}

// batchLength is the padded length of b's token tensor.
func batchLength(s *bench.Session, b bench.Batch) int {
	tok, lab := s.BatchTensors(b, len(b.Examples))
	n := tok.Shape().Dimensions[1]
	tok.FinalizeAll()
	lab.FinalizeAll()
	return n
}

// Mix adds the logit batch (weight 0: its cross-entropy is not counted)
// and, when beta > 0, the label batch.
func (d *derpp) Mix(s *bench.Session, _ int, _ bench.Batch) []bench.Batch {
	logit, ok := d.draw(0)
	if !ok {
		return nil
	}
	logit.Targets = d.targets(s, logit)
	parts := []bench.Batch{logit}
	if d.beta > 0 {
		label, _ := d.draw(d.beta)
		parts = append(parts, label)
	}
	return parts
}

// targets builds b's stored logits as one tensor: [rows, classes], or
// [rows, length, classes] for a tag task, each example's logits at the
// start of its row and zeros after them.
func (d *derpp) targets(s *bench.Session, b bench.Batch) *tensors.Tensor {
	classes := s.Model.Heads[b.Task].Classes
	rows := len(b.Examples)
	dims := []int{rows, classes}
	if s.Model.Heads[b.Task].Kind == tasks.Tag {
		dims = []int{rows, batchLength(s, b), classes}
	}
	size := 1
	for _, n := range dims[1:] {
		size *= n
	}
	data := make([]float32, rows*size)
	for r, i := range b.Examples {
		copy(data[r*size:(r+1)*size], d.logits[memKey{b.Task, i}])
	}
	return tensors.FromFlatDataAndDimensions(data, dims...)
}

// ExtraLoss adds alpha times the MSE on the part that carries targets.
func (d *derpp) ExtraLoss(st *bench.Step) *Node {
	if d.alpha == 0 {
		return nil
	}
	for _, p := range st.Parts {
		if p.Targets != nil {
			return MulScalar(logitMSE(p.Logits, p.Targets, p.Mask), d.alpha)
		}
	}
	return nil
}

// logitMSE is the mean squared difference of logits and targets over
// every class of every example ([rows, classes]) or, for per-token
// logits ([rows, length, classes]), of every real token (mask [rows,
// length]).
func logitMSE(logits, targets, mask *Node) *Node {
	sq := Square(Sub(logits, targets))
	if logits.Rank() == 2 {
		return ReduceAllMean(sq)
	}
	classes := logits.Shape().Dimensions[2]
	w := ConvertDType(mask, sq.DType())
	perToken := ReduceSum(sq, -1)
	count := MulScalar(ReduceAllSum(w), float64(classes))
	return Div(ReduceAllSum(Mul(perToken, w)), MaxScalar(count, 1))
}
