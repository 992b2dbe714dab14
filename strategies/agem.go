package strategies

import (
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph code reads best unqualified

	"github.com/clbench/clbench/bench"
)

func init() {
	MustRegister(Info{
		Name:   "agem",
		Family: Fuse,
		Summary: "averaged gradient episodic memory: a step's gradient that would raise " +
			"the loss on a memory batch is projected to leave it unchanged",
		Params: replayParams,
		New: func(cfg Config) (bench.Strategy, error) {
			r, err := newReplay("agem", cfg)
			if err != nil {
				return nil, err
			}
			return &agem{replay: r}, nil
		},
	})
}

// agem is Averaged GEM (Chaudhry et al. 2019, "Efficient Lifelong
// Learning with A-GEM"). It keeps replay's memory; each step of a later
// task adds one memory batch with weight 0, so that the batch is in the
// graph but not in the loss. Its loss gives the reference gradient
// g_ref, and when the step's gradient g points against it (g.g_ref < 0,
// over all trainable parameters together) g becomes
// g - (g.g_ref / g_ref.g_ref) g_ref, which does not increase the memory
// loss to first order.
type agem struct {
	*replay
}

// Mix adds the reference batch, which carries no loss of its own.
func (a *agem) Mix(_ *bench.Session, _ int, _ bench.Batch) []bench.Batch {
	ref, ok := a.draw(0)
	if !ok {
		return nil
	}
	return []bench.Batch{ref}
}

// EditGradients projects the step's gradients with the reference
// gradient of the memory part.
func (a *agem) EditGradients(st *bench.Step, grads map[string]*Node) {
	var ref *bench.StepPart
	for _, p := range st.Parts {
		if p.Batch.Weight == 0 {
			ref = p
		}
	}
	if ref == nil {
		return
	}
	var g, params []*Node
	var paths []string
	for _, v := range st.Trainable {
		if grads[v.Path()] == nil {
			continue
		}
		g = append(g, grads[v.Path()])
		params = append(params, v.NodeValue(st.G))
		paths = append(paths, v.Path())
	}
	if len(g) == 0 {
		return
	}
	projected := agemProject(g, Gradient(ref.Loss, params...))
	for i, path := range paths {
		grads[path] = projected[i]
	}
}

// agemProject returns the gradient g (one node per parameter) projected
// against the reference gradient ref when their dot product, summed
// over every parameter, is negative; otherwise g unchanged.
func agemProject(g, ref []*Node) []*Node {
	dot := ReduceAllSum(Mul(g[0], ref[0]))
	norm := ReduceAllSum(Square(ref[0]))
	for i := 1; i < len(g); i++ {
		dot = Add(dot, ReduceAllSum(Mul(g[i], ref[i])))
		norm = Add(norm, ReduceAllSum(Square(ref[i])))
	}
	against := LessThan(dot, ZerosLike(dot))
	// norm > 0 whenever dot < 0; the floor only keeps the unused branch
	// finite.
	scale := Div(dot, MaxScalar(norm, 1e-30))

	out := make([]*Node, len(g))
	for i := range g {
		cond := BroadcastToDims(against, g[i].Shape().Dimensions...)
		out[i] = Where(cond, Sub(g[i], Mul(scale, ref[i])), g[i])
	}
	return out
}
