package strategies

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph code reads best unqualified

	"github.com/clbench/clbench/bench"
)

func init() {
	MustRegister(Info{
		Name:   "adapter",
		Family: Isolate,
		Summary: "per-task bottleneck adapters after attention and FFN in every block; " +
			"backbone frozen after the first task",
		Params: []Param{
			{Name: "size", Default: "16", Doc: "bottleneck width r of each adapter"},
			trainBackboneParam,
		},
		New: newAdapter,
	})
}

// adapter inserts, for each task, a bottleneck adapter (Houlsby et al.
// 2019, "Parameter-Efficient Transfer Learning for NLP") after the
// attention and the feed-forward branch of every block: the branch's
// output h becomes h + up(relu(down(h))), with down [width, r] and up
// [r, width]. The up-projection starts near zero, so a new adapter
// starts near the identity. Task k's adapters live under
// /adapter/task<k> and act only in task k's passes.
type adapter struct {
	isolation
	bench.NoEncoderHooks
	size int
}

func newAdapter(cfg Config) (bench.Strategy, error) {
	iso, err := newIsolation("/adapter", cfg)
	if err != nil {
		return nil, err
	}
	size, err := isoPositive(cfg, "size")
	if err != nil {
		return nil, err
	}
	return &adapter{isolation: iso, size: size}, nil
}

func (*adapter) Name() string { return "adapter" }

// path is the scope of task's adapter after sublayer kind of block
// layer. Its names avoid /attn/ and /ffn/, so that bench.ParamGroup
// counts adapters as added ("other") weights.
func (a *adapter) path(task, layer int, kind bench.Sublayer) string {
	return fmt.Sprintf("%s/block%d/after_%s", a.scope(task), layer, kind)
}

// BeforeTask adds task's adapters: two per block.
func (a *adapter) BeforeTask(s *bench.Session, task int) error {
	m := s.Model
	d, r := m.Config.Width, a.size
	for l := 0; l < m.Config.Layers; l++ {
		for _, kind := range []bench.Sublayer{bench.Attention, bench.FeedForward} {
			p := a.path(task, l, kind)
			m.AddParam(p+"/down/weights", bench.Glorot(d, r), d, r)
			m.AddParam(p+"/down/bias", bench.Constant(0), r)
			m.AddParam(p+"/up/weights", bench.Normal(1e-3), r, d)
			m.AddParam(p+"/up/bias", bench.Constant(0), d)
		}
	}
	return nil
}

// AfterSublayer applies the pass's task's adapter, when it exists, to
// the branch output h.
func (a *adapter) AfterSublayer(f *bench.Forward, layer int, kind bench.Sublayer,
	_, h *Node) *Node {
	p := a.path(f.Task, layer, kind)
	if !a.exists(f, p+"/down/weights") {
		return h
	}
	z := f.Dense(p+"/down", h)
	z = Max(z, ZerosLike(z)) // ReLU
	return Add(h, f.Dense(p+"/up", z))
}
