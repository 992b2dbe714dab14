package strategies

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph code reads best unqualified

	"github.com/clbench/clbench/bench"
)

func init() {
	MustRegister(Info{
		Name:    "online-ewc",
		Family:  Protect,
		Summary: "online EWC: one running Fisher, decayed by gamma at each task, and the latest weights as anchor",
		Params: []Param{
			{Name: "lambda", Default: "100", Doc: "penalty strength (as ewc's, same Fisher scale)"},
			{Name: "gamma", Default: "0.9",
				Doc: "decay of the running Fisher per task, in (0, 1]; 1 keeps every past Fisher whole; " +
					"required: an empty or out-of-range value is rejected before training"},
			{Name: "samples", Default: "256",
				Doc: "training examples of each task whose per-example gradients estimate its Fisher"},
			fisherLabelsParam,
		},
		New: newOnlineEWC,
	})
}

// onlineEWC is online elastic weight consolidation (Schwarz et al.
// 2018, "Progress & Compress: A scalable framework for continual
// learning", ICML). It keeps one running Fisher diagonal, updated after
// each task as F <- gamma F + F_task (F_task the empirical Fisher, as
// ewc estimates it), and one anchor, the weights after the latest task;
// later tasks train on their loss plus
// (lambda/2) sum_i F_i (theta_i - theta*_i)^2. Unlike ewc, its memory
// does not grow with the number of tasks.
type onlineEWC struct{ runningPenalty }

const onlineEWCScope = "/online-ewc"

func newOnlineEWC(cfg Config) (bench.Strategy, error) {
	lambda, err := floatParam(cfg, "lambda", 0)
	if err != nil {
		return nil, err
	}
	gamma, err := decayFactor(cfg)
	if err != nil {
		return nil, err
	}
	samples, err := samplesParam(cfg)
	if err != nil {
		return nil, err
	}
	loss, err := fisherLoss(cfg)
	if err != nil {
		return nil, err
	}
	return &onlineEWC{runningPenalty{
		scope: onlineEWCScope, name: "fisher", what: "the Fisher", stat: loss, reduce: Square,
		decay: gamma, scale: lambda / 2, samples: samples,
	}}, nil
}

// decayFactor reads gamma, which online EWC cannot run without (as
// Avalanche's EWC plugin refuses online mode without a decay factor).
func decayFactor(cfg Config) (float64, error) {
	text, ok := cfg["gamma"]
	if !ok || text == "" {
		return 0, fmt.Errorf("online EWC needs its decay factor gamma, in (0, 1]")
	}
	gamma, err := cfg.Float("gamma")
	if err != nil {
		return 0, err
	}
	if math.IsNaN(gamma) || gamma <= 0 || gamma > 1 {
		return 0, fmt.Errorf("decay factor gamma=%s is out of range: it must be in (0, 1]", text)
	}
	return gamma, nil
}

func (*onlineEWC) Name() string { return "online-ewc" }
