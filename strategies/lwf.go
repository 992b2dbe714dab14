package strategies

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph code reads best unqualified

	"github.com/clbench/clbench/bench"
	"github.com/clbench/clbench/tasks"
)

func init() {
	MustRegister(Info{
		Name:    "lwf",
		Family:  Protect,
		Summary: "learning without forgetting: distil every old head's outputs from a frozen copy of the model",
		Params: []Param{
			{Name: "alpha", Default: "1", Doc: "weight of the distillation loss against the task's own"},
			{Name: "temperature", Default: "2", Doc: "softmax temperature T of the soft targets (LwF's T)"},
		},
		New: newLwF,
	})
}

// lwf is Learning without Forgetting (Li and Hoiem 2017, "Learning
// without Forgetting", IEEE TPAMI). Before each task after the first
// it copies the model into a frozen teacher; while the task trains,
// every old task's head is run on the new task's batches by both
// models, and the loss gains
// alpha * T^2 * KL(softmax(teacher/T) || softmax(student/T)) for each
// old head (per real token, averaged, for a tag head). The teacher's
// logits sit behind StopGradient; the gradient flows into the
// student's encoder and old heads, which train with the new task.
type lwf struct {
	alpha, temperature float64
	ready              bool // a teacher exists
}

const lwfTeacher = "/lwf/teacher"

func newLwF(cfg Config) (bench.Strategy, error) {
	alpha, err := floatParam(cfg, "alpha", 0)
	if err != nil {
		return nil, err
	}
	temperature, err := floatParam(cfg, "temperature", 0)
	if err != nil {
		return nil, err
	}
	if temperature == 0 {
		return nil, fmt.Errorf("parameter temperature must be positive")
	}
	return &lwf{alpha: alpha, temperature: temperature}, nil
}

func (*lwf) Name() string { return "lwf" }

// BeforeTask copies the model as it ended the previous task.
func (l *lwf) BeforeTask(s *bench.Session, task int) error {
	if task == 0 || l.alpha == 0 {
		return nil
	}
	if err := s.CopyParams(lwfTeacher); err != nil {
		return fmt.Errorf("copying the teacher: %w", err)
	}
	l.ready = true
	return nil
}

func (*lwf) AfterTask(*bench.Session, int) error { return nil }

func (l *lwf) ExtraLoss(st *bench.Step) *Node {
	if !l.ready || st.Task == 0 {
		return nil
	}
	var total *Node
	for _, part := range st.Parts {
		if part.Batch.Weight == 0 {
			continue
		}
		teacher := &bench.Forward{G: st.G, Model: st.Session.Model, Task: part.Batch.Task,
			Source: lwfTeacher}
		th, tmask := teacher.Encode(part.Tokens)
		for old := 0; old < st.Task; old++ {
			kind := st.Session.Model.Heads[old].Kind
			t := teacher.Logits(old, th, tmask)
			student := part.Forward.Logits(old, part.Hidden, part.Mask)
			kl := MulScalar(distillKL(t, student, l.temperature, distillWeight(kind, part.Mask)),
				part.Batch.Weight)
			if total == nil {
				total = kl
			} else {
				total = Add(total, kl)
			}
		}
	}
	if total == nil {
		return nil
	}
	return MulScalar(total, l.alpha*l.temperature*l.temperature)
}

// softTargets is the distribution softmax(logits / T) over the last
// axis (Hinton et al. 2015's soft targets).
func softTargets(logits *Node, temperature float64) *Node {
	return Softmax(DivScalar(logits, temperature), -1)
}

// distillKL is the mean, over positions of weight 1, of
// KL(softmax(teacher/T) || softmax(student/T)) along the last axis.
// No gradient reaches the teacher.
func distillKL(teacher, student *Node, temperature float64, weight *Node) *Node {
	teacher = StopGradient(teacher)
	p := softTargets(teacher, temperature)
	logP := LogSoftmax(DivScalar(teacher, temperature), -1)
	logQ := LogSoftmax(DivScalar(student, temperature), -1)
	kl := ReduceSum(Mul(p, Sub(logP, logQ)), -1)
	return Div(ReduceAllSum(Mul(kl, weight)), MaxScalar(ReduceAllSum(weight), 1))
}

// distillWeight marks where a head of kind is distilled, given the
// batch's mask of real tokens [batch, length]: for a tag head every
// real token but the leading [CLS] ([batch, length]), for a classify
// head every example with a real token ([batch]).
func distillWeight(kind tasks.Kind, mask *Node) *Node {
	m := ConvertDType(mask, dtypes.Float32)
	if kind != tasks.Tag {
		return ReduceMax(m, 1)
	}
	notFirst := MinScalar(Iota(mask.Graph(), shapes.Make(dtypes.Float32, m.Shape().Dimensions...), 1), 1)
	return Mul(m, notFirst)
}
