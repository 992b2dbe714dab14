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
		Name:   "contrastive-replay",
		Family: Fuse,
		Summary: "replay plus a supervised contrastive loss on the pooled features of " +
			"the old and new examples of each step",
		Params: append(append([]Param(nil), replayParams...),
			Param{Name: "temperature", Default: "0.1",
				Doc: "temperature of the contrastive loss (> 0)"},
			Param{Name: "weight", Default: "0.1",
				Doc: "weight of the contrastive loss in the total (>= 0; 0 is plain replay)"},
		),
		New: newContrastiveReplay,
	})
}

// classStride separates tasks in the label ids of the contrastive loss:
// the example of class c of task t has id t*classStride + c.
const classStride = 1 << 16

// contrastiveReplay is replay plus the supervised contrastive loss of
// Khosla et al. 2020 ("Supervised Contrastive Learning", their
// L^sup_out) over the pooled encoder features of every example in the
// step, new and replayed. Two examples are positives when they have the
// same task and class; old and new examples are thus always pushed
// apart, and each task's classes kept distinct in the shared features.
// A tag task's sentences have no single class: they form one class per
// task.
type contrastiveReplay struct {
	*replay
	temperature float64
	weight      float64
}

func newContrastiveReplay(cfg Config) (bench.Strategy, error) {
	r, err := newReplay("contrastive-replay", cfg)
	if err != nil {
		return nil, err
	}
	temp, err := cfg.Float("temperature")
	if err != nil {
		return nil, err
	}
	if !(temp > 0) {
		return nil, fmt.Errorf("temperature must be positive, got %g", temp)
	}
	w, err := cfg.Float("weight")
	if err != nil {
		return nil, err
	}
	if !(w >= 0) {
		return nil, fmt.Errorf("weight must be at least 0, got %g", w)
	}
	return &contrastiveReplay{replay: r, temperature: temp, weight: w}, nil
}

// ExtraLoss adds weight * SupCon over all parts of the step. With
// weight 0 it adds nothing, so the run is replay's, bit for bit.
func (c *contrastiveReplay) ExtraLoss(st *bench.Step) *Node {
	if c.weight == 0 || len(st.Parts) == 0 {
		return nil
	}
	var feats, ids []*Node
	for _, p := range st.Parts {
		feats = append(feats, p.Forward.Pool(p.Hidden, p.Mask))
		ids = append(ids, classIDs(st, p))
	}
	loss := supConLoss(Concatenate(feats, 0), Concatenate(ids, 0), c.temperature)
	return MulScalar(loss, c.weight)
}

// classIDs gives each example of a part its (task, class) id.
func classIDs(st *bench.Step, p *bench.StepPart) *Node {
	rows := p.Tokens.Shape().Dimensions[0]
	base := p.Batch.Task * classStride
	if st.Session.Model.Heads[p.Batch.Task].Kind == tasks.Tag {
		return BroadcastToDims(Scalar(st.G, dtypes.Int32, base), rows)
	}
	return AddScalar(ConvertDType(p.Labels, dtypes.Int32), base)
}

// supConLoss is L^sup_out of Khosla et al. 2020 for features [n, d] and
// integer labels [n]. Features are L2-normalised; for anchor i with
// positives P(i) (same label, not i) and all others A(i),
//
//	L_i = -1/|P(i)| sum_{p in P(i)} log( exp(z_i.z_p/T) / sum_{a in A(i)} exp(z_i.z_a/T) )
//
// and the loss is the mean of L_i over anchors that have a positive (0
// when none has).
func supConLoss(features, labels *Node, temperature float64) *Node {
	g := features.Graph()
	n := features.Shape().Dimensions[0]
	z := L2Normalize(features, -1)
	sim := DivScalar(Einsum("id,jd->ij", z, z), temperature)

	// Each anchor's log-probabilities over the others (itself left out
	// by a very low score).
	square := shapes.Make(dtypes.Int32, n, n)
	self := Equal(Iota(g, square, 0), Iota(g, square, 1))
	sim = Where(self, Scalar(g, sim.DType(), -1e9), sim)
	logp := LogSoftmax(sim, -1)

	// Mean log-probability of the positives, per anchor.
	same := Equal(InsertAxes(labels, 1), InsertAxes(labels, 0))
	pos := LogicalAnd(same, LogicalNot(self))
	count := ReduceSum(ConvertDType(pos, logp.DType()), -1)
	sum := ReduceSum(Where(pos, logp, ZerosLike(logp)), -1)
	perAnchor := Neg(Div(sum, MaxScalar(count, 1)))

	// Mean over anchors with at least one positive.
	has := ConvertDType(GreaterThan(count, ZerosLike(count)), logp.DType())
	return Div(ReduceAllSum(Mul(perAnchor, has)), MaxScalar(ReduceAllSum(has), 1))
}
