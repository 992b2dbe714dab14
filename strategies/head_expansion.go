package strategies

import (
	"fmt"
	"math"
	"sync"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph code reads best unqualified
	"github.com/gomlx/gomlx/ml/nn"

	"github.com/clbench/clbench/bench"
)

func init() {
	MustRegister(Info{
		Name:   "head-expansion",
		Family: Expand,
		Summary: "new attention heads in every layer for each task after the first; " +
			"old heads frozen, a task uses the base heads plus its own",
		Params: []Param{
			{Name: "heads", Default: "1", Doc: "attention heads added per layer and task, " +
				"each as wide as the model's own"},
			trainBackboneParam,
		},
		New: newHeadExpansion,
	})
}

// headExpansion grows the attention of every block with new heads for
// each task after the first: the growth with frozen old parts that
// Progressive Neural Networks (Rusu et al. 2016) apply to whole
// columns, applied here to attention heads.
// Task k's heads read the attention sublayer's normalised input, attend
// with the block's padding mask and add their output, through an output
// projection of their own that starts at zero, to the block's attention
// output. The base heads are frozen after the first task.
//
// A task is evaluated with the base heads and its own new heads only,
// not with the heads of the tasks between: the heads of task j < k were
// never trained for task k, and leaving them out keeps each task's
// computation fixed once it has trained, so forgetting is exactly 0.
// Task k's heads live under /expand_heads/task<k>.
type headExpansion struct {
	isolation
	bench.NoEncoderHooks
	heads int

	// keyBias passes each pass's padding bias from KeysValues, which
	// sees it, to AfterSublayer, which does not; both are called for
	// the same block while its attention is built.
	mu      sync.Mutex
	keyBias map[*bench.Forward]*Node
}

func newHeadExpansion(cfg Config) (bench.Strategy, error) {
	iso, err := newIsolation("/expand_heads", cfg)
	if err != nil {
		return nil, err
	}
	heads, err := isoPositive(cfg, "heads")
	if err != nil {
		return nil, err
	}
	return &headExpansion{isolation: iso, heads: heads, keyBias: map[*bench.Forward]*Node{}}, nil
}

func (*headExpansion) Name() string { return "head-expansion" }

func (he *headExpansion) path(task, layer int) string {
	return fmt.Sprintf("%s/block%d", he.scope(task), layer)
}

// BeforeTask adds, for a task after the first, each block's new heads:
// query, key and value projections [width, heads·head width] with
// biases, and an output projection [heads·head width, width] at zero.
func (he *headExpansion) BeforeTask(s *bench.Session, task int) error {
	if task == 0 {
		return nil
	}
	m := s.Model
	d := m.Config.Width
	w := he.heads * d / m.Config.Heads
	for l := 0; l < m.Config.Layers; l++ {
		p := he.path(task, l)
		for _, name := range []string{"query", "key", "value"} {
			m.AddParam(p+"/"+name+"/weights", bench.Glorot(d, w), d, w)
			m.AddParam(p+"/"+name+"/bias", bench.Constant(0), w)
		}
		m.AddParam(p+"/output/weights", bench.Constant(0), w, d)
	}
	return nil
}

// KeysValues keeps the padding bias of a pass whose task has new heads
// in this block, for AfterSublayer.
func (he *headExpansion) KeysValues(f *bench.Forward, layer int,
	k, v, keyBias *Node) (*Node, *Node, *Node) {
	if he.exists(f, he.path(f.Task, layer)+"/output/weights") {
		he.mu.Lock()
		he.keyBias[f] = keyBias
		he.mu.Unlock()
	}
	return k, v, keyBias
}

// AfterSublayer adds the output of the pass's task's new heads, when
// they exist, to the attention output h.
func (he *headExpansion) AfterSublayer(f *bench.Forward, layer int, kind bench.Sublayer,
	in, h *Node) *Node {
	p := he.path(f.Task, layer)
	if kind != bench.Attention || !he.exists(f, p+"/output/weights") {
		return h
	}
	he.mu.Lock()
	bias, ok := he.keyBias[f]
	delete(he.keyBias, f)
	he.mu.Unlock()
	if !ok {
		panic(fmt.Errorf("head-expansion: block %d's attention built without its keys", layer))
	}

	// Attention of the new heads, as Forward.Attention computes it.
	dims := in.Shape().Dimensions
	batch, length := dims[0], dims[1]
	dh := f.Model.Config.Width / f.Model.Config.Heads
	split := func(n *Node) *Node { // [batch, heads, length, dh]
		return TransposeAllAxes(Reshape(n, batch, length, he.heads, dh), 0, 2, 1, 3)
	}
	q := split(f.Dense(p+"/query", in))
	k := split(f.Dense(p+"/key", in))
	v := split(f.Dense(p+"/value", in))
	scores := Einsum("bhqd,bhkd->bhqk", q, k)
	scores = Add(MulScalar(scores, 1/math.Sqrt(float64(dh))), bias)
	out := Einsum("bhqk,bhkd->bhqd", Softmax(scores, -1), v)
	out = Reshape(TransposeAllAxes(out, 0, 2, 1, 3), batch, length, he.heads*dh)

	// Added to the base heads' output through the new output projection.
	return Add(h, nn.Dense(out, f.Value(p+"/output/weights"), nil, 0))
}
