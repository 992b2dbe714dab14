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
			{Name: "alpha", Default: "1", Doc: "weight of the distillation loss against the task's own (weighting alpha)"},
			{Name: "weighting", Default: "alpha", Doc: "alpha: task loss + alpha * distillation; " +
				"tasks: at task t, (1/t) task loss + (1 - 1/t) * the mean distillation over old heads " +
				"(van de Ven and Tolias 2019)"},
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
// old head (per real token, averaged, for a tag head). A head that old
// tasks share is distilled once, over the classes those tasks had. The teacher's
// logits sit behind StopGradient; the gradient flows into the
// student's encoder and old heads, which train with the new task.
type lwf struct {
	alpha, temperature float64
	byTasks            bool // weighting "tasks"
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
	weighting := cfg["weighting"]
	if weighting != "alpha" && weighting != "tasks" {
		return nil, fmt.Errorf("parameter weighting=%q: want alpha or tasks", weighting)
	}
	return &lwf{alpha: alpha, temperature: temperature, byTasks: weighting == "tasks"}, nil
}

func (*lwf) Name() string { return "lwf" }

// BeforeTask copies the model as it ended the previous task.
func (l *lwf) BeforeTask(s *bench.Session, task int) error {
	if task == 0 || l.alpha == 0 && !l.byTasks { // weighting tasks ignores alpha
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
	heads := distilledHeads(st.Session.Model, st.Task)
	for _, part := range st.Parts {
		if part.Batch.Weight == 0 {
			continue
		}
		teacher := &bench.Forward{G: st.G, Model: st.Session.Model, Task: part.Batch.Task,
			Source: lwfTeacher}
		th, tmask := teacher.Encode(part.Tokens)
		for _, old := range heads {
			kind := st.Session.Model.Heads[old].Kind
			t := teacher.Logits(old, th, tmask)
			student := part.Forward.Logits(old, part.Hidden, part.Mask)
			var weight *Node
			if part.Mask == nil { // images: every example of the batch
				weight = ConvertDType(GreaterOrEqual(part.Labels, ZerosLike(part.Labels)), dtypes.Float32)
			} else {
				weight = distillWeight(kind, part.Mask)
			}
			var kl *Node
			if n := previousClasses(st.Session.Model, st.Task); n > 0 {
				// The old classes' soft targets against the student's
				// distribution over every class it can now predict.
				t = Slice(t, AxisRange(), AxisRange(0, n))
				student = st.Session.MaskInactive(old, student)
				kl = distillKLPartial(t, student, l.temperature, weight)
			} else {
				kl = distillKL(t, student, l.temperature, weight)
			}
			kl = MulScalar(kl, part.Batch.Weight)
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
	total = MulScalar(total, l.temperature*l.temperature)
	if !l.byTasks {
		return MulScalar(total, l.alpha)
	}
	// (1/t) task loss + (1 - 1/t) mean distillation: the step's loss
	// already holds the task loss once, so take (1 - 1/t) of it back.
	share := 1 - 1/float64(st.Task+1)
	mean := DivScalar(total, float64(len(heads)))
	return MulScalar(Sub(mean, st.Loss), share)
}

// distillKLPartial is distillKL where the teacher has the first n
// classes of the student's: the student's log-probabilities are over
// all of its classes, and only the teacher's n enter the sum (the
// teacher's distribution padded with zeros).
func distillKLPartial(teacher, student *Node, temperature float64, weight *Node) *Node {
	teacher = StopGradient(teacher)
	n := teacher.Shape().Dimensions[teacher.Rank()-1]
	p := softTargets(teacher, temperature)
	logP := LogSoftmax(DivScalar(teacher, temperature), -1)
	logQ := Slice(LogSoftmax(DivScalar(student, temperature), -1), AxisRange(), AxisRange(0, n))
	kl := ReduceSum(Mul(p, Sub(logP, logQ)), -1)
	return Div(ReduceAllSum(Mul(kl, weight)), MaxScalar(ReduceAllSum(weight), 1))
}

// distilledHeads lists one task of each head that the tasks before
// task predict with: every old task when each has a head of its own,
// one of them for a head they share.
func distilledHeads(m *bench.Model, task int) []int {
	var out []int
	seen := map[string]bool{}
	for old := 0; old < task; old++ {
		if scope := m.HeadScope(old); !seen[scope] {
			seen[scope] = true
			out = append(out, old)
		}
	}
	return out
}

// previousClasses is, for a shared head whose classes grow with the
// tasks (the class-incremental scenario), the number of classes the
// tasks before task had: the teacher's distribution is over those, as
// in van de Ven and Tolias (2019). 0 otherwise: every class.
func previousClasses(m *bench.Model, task int) int {
	if task == 0 || m.Heads[task-1].Active == 0 {
		return 0
	}
	return m.Heads[task-1].Active
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
