package strategies

import (
	"fmt"
	"math"
	"strings"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph code reads best unqualified
	"github.com/gomlx/gomlx/ml/nn"

	"github.com/clbench/clbench/bench"
)

func init() {
	MustRegister(Info{
		Name:   "lora",
		Family: Isolate,
		Summary: "per-task low-rank updates of attention projections; backbone frozen " +
			"after the first task",
		Params: []Param{
			{Name: "rank", Default: "4", Doc: "rank r of each update B·A"},
			{Name: "alpha", Default: "8", Doc: "scale: the update is multiplied by alpha/rank"},
			{Name: "targets", Default: "query,value",
				Doc: "comma-separated attention projections to update: query, key, value, output"},
			trainBackboneParam,
		},
		New: newLoRA,
	})
}

// loraTargets are the attention projections LoRA may update.
var loraTargets = []string{"query", "key", "value", "output"}

// lora is low-rank adaptation (Hu et al. 2022, "LoRA: Low-Rank
// Adaptation of Large Language Models"): for each task, the targeted
// attention projections y = xW + b of every block become
// y + (alpha/r)·x·A·B, with A [in, r] Gaussian (standard deviation
// 1/sqrt(in)) and B [r, out] starting at zero, so that a new task
// starts from the frozen model. Task
// k's updates live under /lora/task<k> and act only in task k's passes.
type lora struct {
	isolation
	bench.NoEncoderHooks
	rank    int
	scale   float64
	targets []string
}

func newLoRA(cfg Config) (bench.Strategy, error) {
	iso, err := newIsolation("/lora", cfg)
	if err != nil {
		return nil, err
	}
	rank, err := isoPositive(cfg, "rank")
	if err != nil {
		return nil, err
	}
	alpha, err := cfg.Float("alpha")
	if err != nil {
		return nil, err
	}
	if !(alpha > 0) {
		return nil, fmt.Errorf("parameter alpha=%g must be positive", alpha)
	}
	targets, err := parseLoRATargets(cfg["targets"])
	if err != nil {
		return nil, err
	}
	return &lora{isolation: iso, rank: rank, scale: alpha / float64(rank), targets: targets}, nil
}

// parseLoRATargets splits a comma-separated list of projections and
// rejects unknown, repeated or no names.
func parseLoRATargets(list string) ([]string, error) {
	var targets []string
	seen := map[string]bool{}
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		known := false
		for _, k := range loraTargets {
			known = known || t == k
		}
		switch {
		case !known:
			return nil, fmt.Errorf("parameter targets: unknown projection %q (known: %s)",
				t, strings.Join(loraTargets, ", "))
		case seen[t]:
			return nil, fmt.Errorf("parameter targets: %q given twice", t)
		}
		seen[t] = true
		targets = append(targets, t)
	}
	return targets, nil
}

func (*lora) Name() string { return "lora" }

// path is the scope of task's update of the projection under scope
// ("/block0/attn/query" -> "/lora/task<k>/block0/query"); dropping
// /attn/ makes bench.ParamGroup count the update as added weights.
func (lo *lora) path(task int, scope string) string {
	return lo.scope(task) + strings.Replace(scope, "/attn/", "/", 1)
}

// BeforeTask adds task's A and B for every target of every block.
func (lo *lora) BeforeTask(s *bench.Session, task int) error {
	m := s.Model
	d := m.Config.Width
	for l := 0; l < m.Config.Layers; l++ {
		for _, t := range lo.targets {
			p := lo.path(task, fmt.Sprintf("/block%d/attn/%s", l, t))
			m.AddParam(p+"/a", bench.Normal(1/math.Sqrt(float64(d))), d, lo.rank)
			m.AddParam(p+"/b", bench.Constant(0), lo.rank, d)
		}
	}
	return nil
}

// Projection adds the pass's task's low-rank update to a targeted
// projection, when the update exists.
func (lo *lora) Projection(f *bench.Forward, scope string, x, y *Node) *Node {
	p := lo.path(f.Task, scope)
	if !lo.exists(f, p+"/a") {
		return y
	}
	z := nn.Dense(nn.Dense(x, f.Value(p+"/a"), nil, 0), f.Value(p+"/b"), nil, 0)
	return Add(y, MulScalar(z, lo.scale))
}
