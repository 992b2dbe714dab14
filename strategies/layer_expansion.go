package strategies

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph code reads best unqualified

	"github.com/clbench/clbench/bench"
)

func init() {
	MustRegister(Info{
		Name:   "layer-expansion",
		Family: Expand,
		Summary: "new top blocks for each task after the first, used only by that task; " +
			"old blocks frozen",
		Params: []Param{
			{Name: "blocks", Default: "1", Doc: "encoder blocks added on top per task"},
			trainBackboneParam,
		},
		New: newLayerExpansion,
	})
}

// layerExpansion stacks, for each task after the first, new Transformer
// blocks on top of the frozen encoder, as block expansion does in
// LLaMA Pro (Wu et al. 2024, "LLaMA Pro: Progressive LLaMA with Block
// Expansion"): each new block is shaped like the encoder's own and
// starts as the identity, its attention and feed-forward output
// projections at zero, so that a task starts from the frozen encoder's
// features. Task k's blocks live under /expand_blocks/task<k> and run
// only in task k's passes, between the encoder's blocks and its final
// norm; other tasks never see them.
type layerExpansion struct {
	isolation
	bench.NoEncoderHooks
	blocks int
}

func newLayerExpansion(cfg Config) (bench.Strategy, error) {
	iso, err := newIsolation("/expand_blocks", cfg)
	if err != nil {
		return nil, err
	}
	blocks, err := isoPositive(cfg, "blocks")
	if err != nil {
		return nil, err
	}
	return &layerExpansion{isolation: iso, blocks: blocks}, nil
}

func (*layerExpansion) Name() string { return "layer-expansion" }

func (le *layerExpansion) path(task, block int) string {
	return fmt.Sprintf("%s/block%d", le.scope(task), block)
}

// BeforeTask adds a task's blocks, for every task after the first.
func (le *layerExpansion) BeforeTask(s *bench.Session, task int) error {
	if task == 0 {
		return nil
	}
	m := s.Model
	d := m.Config.Width
	for b := 0; b < le.blocks; b++ {
		p := le.path(task, b)
		// Created first, so that AddBlockParams keeps these zeros.
		m.AddParam(p+"/attn/output/weights", bench.Constant(0), d, d)
		m.AddParam(p+"/ffn/out/weights", bench.Constant(0), m.Config.FFN, d)
		m.AddBlockParams(p)
	}
	return nil
}

// AfterBlocks runs the pass's task's blocks, when they exist, on the
// encoder's output.
func (le *layerExpansion) AfterBlocks(f *bench.Forward, x, keyBias *Node) *Node {
	for b := 0; b < le.blocks; b++ {
		p := le.path(f.Task, b)
		if !le.exists(f, p+"/attn/query/weights") {
			break
		}
		x = f.Block(p, f.Model.Config.Layers+b, x, keyBias)
	}
	return x
}
