package strategies

import (
	"fmt"
	"strings"

	"github.com/clbench/clbench/bench"
)

func init() {
	MustRegister(Info{
		Name:    "freeze-layers",
		Family:  Protect,
		Summary: "after the first task, freeze the embeddings and the bottom k encoder blocks",
		Params: []Param{
			{Name: "k", Default: "1",
				Doc: "encoder blocks frozen from the bottom; k >= the model's layers freezes " +
					"everything but each new task's head"},
		},
		New: newFreezeLayers,
	})
}

// freezeLayers trains the whole model on the first task, then freezes
// the token and position embeddings and the bottom k encoder blocks.
// It is the partial-freezing baseline of transfer learning, which has
// no single source; it fights forgetting on the view that low layers
// hold what tasks share. With k at least the model's depth the final
// norm freezes too, so only each new task's head trains and, since
// every task has its own head, old tasks keep their scores exactly.
type freezeLayers struct {
	k int
}

func newFreezeLayers(cfg Config) (bench.Strategy, error) {
	k, err := cfg.Int("k")
	if err != nil {
		return nil, err
	}
	if k < 0 {
		return nil, fmt.Errorf("parameter k=%d must not be negative", k)
	}
	return &freezeLayers{k: k}, nil
}

func (*freezeLayers) Name() string { return "freeze-layers" }

// Trainable lets everything train in the first task; afterwards it
// rejects the embeddings, blocks 0..k-1 and, when every block is
// frozen, everything but the heads.
func (f *freezeLayers) Trainable(s *bench.Session, task int, path string) bool {
	if task == 0 {
		return true
	}
	group := bench.ParamGroup(path)
	if f.k >= s.Model.Config.Layers {
		return group == "head"
	}
	if group == "embeddings" {
		return false
	}
	for l := 0; l < f.k; l++ {
		if strings.HasPrefix(path, fmt.Sprintf("/block%d/", l)) {
			return false
		}
	}
	return true
}

// CheckModel refuses the mlp: the strategy works on Transformer blocks.
func (*freezeLayers) CheckModel(cfg bench.ModelConfig) error {
	return bench.NeedsTransformer("freeze-layers", cfg)
}
