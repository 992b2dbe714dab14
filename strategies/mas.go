package strategies

import (
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph code reads best unqualified

	"github.com/clbench/clbench/bench"
	"github.com/clbench/clbench/tasks"
)

func init() {
	MustRegister(Info{
		Name:    "mas",
		Family:  Protect,
		Summary: "memory aware synapses: a quadratic penalty weighted by how much each weight moves the output's norm",
		Params: []Param{
			{Name: "lambda", Default: "1", Doc: "penalty strength"},
			{Name: "samples", Default: "256",
				Doc: "training examples of each task (labels unused) that estimate the importances"},
		},
		New: newMAS,
	})
}

// mas is Memory Aware Synapses (Aljundi et al. 2018, "Memory Aware
// Synapses: Learning what (not) to forget", ECCV). After each task it
// measures the importance of each shared weight without labels,
// Omega_i = mean over a sample of the task's inputs of
// |d ||f(x)||^2 / d theta_i| with f(x) the task head's logits (per
// real token, averaged, for a tag task); importances add up over
// tasks, and later tasks train on their loss plus
// lambda sum_i Omega_i (theta_i - theta*_i)^2 with theta* the latest
// task's weights.
type mas struct{ runningPenalty }

const masScope = "/mas"

func newMAS(cfg Config) (bench.Strategy, error) {
	lambda, err := floatParam(cfg, "lambda", 0)
	if err != nil {
		return nil, err
	}
	samples, err := samplesParam(cfg)
	if err != nil {
		return nil, err
	}
	return &mas{runningPenalty{
		scope: masScope, name: "importance", what: "importances", stat: masOutput, reduce: Abs,
		decay: 1, scale: lambda, samples: samples,
	}}, nil
}

func (*mas) Name() string { return "mas" }

// masOutput is MAS's statistic of one example of task: the outputNorm
// of the logits of the classes its head can predict now
// (Session.ActiveClasses).
func masOutput(s *bench.Session, task int, logits, labels, mask *Node) *Node {
	if active := s.ActiveClasses(task); active > 0 {
		logits = Slice(logits, AxisRange(), AxisRange(0, active))
	}
	return outputNorm(s.Model.Heads[task].Kind, logits, labels, mask)
}

// outputNorm is the squared L2 norm of one example's logits; for a tag
// task, the mean over its real tokens of each token's squared norm.
// It needs no label.
func outputNorm(kind tasks.Kind, logits, _, mask *Node) *Node {
	sq := ReduceSum(Square(logits), -1)
	if kind != tasks.Tag {
		return ReduceAllSum(sq)
	}
	m := ConvertDType(mask, dtypes.Float32)
	return Div(ReduceAllSum(Mul(sq, m)), MaxScalar(ReduceAllSum(m), 1))
}
