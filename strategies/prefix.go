package strategies

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph code reads best unqualified

	"github.com/clbench/clbench/bench"
)

func init() {
	MustRegister(Info{
		Name:   "prefix",
		Family: Isolate,
		Summary: "per-task trainable prefix vectors prepended to every layer's keys and " +
			"values; backbone frozen after the first task",
		Params: []Param{
			{Name: "length", Default: "8", Doc: "number of prefix positions per layer"},
			trainBackboneParam,
		},
		New: newPrefix,
	})
}

// prefix is prefix-tuning (Li and Liang 2021, "Prefix-Tuning:
// Optimizing Continuous Prompts for Generation"): for each task, every
// attention layer gets `length` trainable key and value vectors that
// every query may attend to, in front of the sequence's own. The
// prefixes are trained directly, without the paper's MLP
// reparameterisation. Task k's prefixes live under /prefix/task<k> and
// act only in task k's passes.
type prefix struct {
	isolation
	bench.NoEncoderHooks
	length int
}

func newPrefix(cfg Config) (bench.Strategy, error) {
	iso, err := newIsolation("/prefix", cfg)
	if err != nil {
		return nil, err
	}
	n, err := isoPositive(cfg, "length")
	if err != nil {
		return nil, err
	}
	return &prefix{isolation: iso, length: n}, nil
}

func (*prefix) Name() string { return "prefix" }

func (p *prefix) path(task, layer int) string {
	return fmt.Sprintf("%s/block%d", p.scope(task), layer)
}

// BeforeTask adds task's prefixes: keys and values [length, width] for
// every block, split into heads as the block's own keys are.
func (p *prefix) BeforeTask(s *bench.Session, task int) error {
	m := s.Model
	d := m.Config.Width
	for l := 0; l < m.Config.Layers; l++ {
		m.AddParam(p.path(task, l)+"/keys", bench.Normal(0.02), p.length, d)
		m.AddParam(p.path(task, l)+"/values", bench.Normal(0.02), p.length, d)
	}
	return nil
}

// KeysValues prepends the pass's task's prefixes, when they exist, to
// the keys and values [batch, heads, length, head width], and extends
// the key bias with zeros: every query may attend to every prefix.
func (p *prefix) KeysValues(f *bench.Forward, layer int,
	k, v, keyBias *Node) (*Node, *Node, *Node) {
	scope := p.path(f.Task, layer)
	if !p.exists(f, scope+"/keys") {
		return k, v, keyBias
	}
	dims := k.Shape().Dimensions
	batch, heads, dh := dims[0], dims[1], dims[3]
	expand := func(x *Node) *Node { // [length, width] -> [batch, heads, length, dh]
		x = TransposeAllAxes(Reshape(x, p.length, heads, dh), 1, 0, 2)
		return BroadcastToDims(InsertAxes(x, 0), batch, heads, p.length, dh)
	}
	k = Concatenate([]*Node{expand(f.Value(scope + "/keys")), k}, 2)
	v = Concatenate([]*Node{expand(f.Value(scope + "/values")), v}, 2)
	zeros := BroadcastToDims(ScalarZero(f.G, keyBias.DType()), batch, 1, 1, p.length)
	return k, v, Concatenate([]*Node{zeros, keyBias}, 3)
}
