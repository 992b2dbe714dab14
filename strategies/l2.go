package strategies

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph code reads best unqualified

	"github.com/clbench/clbench/bench"
)

func init() {
	MustRegister(Info{
		Name:    "l2",
		Family:  Protect,
		Summary: "a plain quadratic penalty pulling the shared weights back to the previous task's",
		Params: []Param{
			{Name: "lambda", Default: "1",
				Doc: "penalty strength; every weight counts alike, so it sits far below ewc's " +
					"(whose Fisher entries are mostly near 0). On the toy stream 10 already " +
					"stops the tiny model from learning the second task"},
		},
		New: newL2,
	})
}

// l2 is the unweighted quadratic anchor that Kirkpatrick et al. 2017
// ("Overcoming catastrophic forgetting in neural networks", PNAS)
// compare EWC with: after each task it keeps the shared weights
// theta_prev, and the next task trains on its loss plus
// (lambda/2) ||theta - theta_prev||^2. It is EWC with every Fisher
// entry 1 and only the latest anchor.
type l2 struct {
	lambda float64
	paths  []string
	ready  bool // an anchor exists
}

const l2Scope = "/l2/anchor"

func newL2(cfg Config) (bench.Strategy, error) {
	lambda, err := floatParam(cfg, "lambda", 0)
	if err != nil {
		return nil, err
	}
	return &l2{lambda: lambda}, nil
}

func (*l2) Name() string { return "l2" }

// BeforeTask keeps the weights the previous task ended with.
func (l *l2) BeforeTask(s *bench.Session, task int) error {
	if l.paths == nil {
		l.paths = sharedPaths(s.Model)
	}
	if task == 0 {
		return nil
	}
	anchor, err := paramValues(s, l.paths, "")
	if err != nil {
		return fmt.Errorf("keeping the anchor: %w", err)
	}
	l.ready = true
	return setBuffers(s, l2Scope, anchor)
}

func (*l2) AfterTask(*bench.Session, int) error { return nil }

func (l *l2) ExtraLoss(st *bench.Step) *Node {
	if l.lambda == 0 || !l.ready {
		return nil
	}
	return MulScalar(quadraticPenalty(st, l.paths, "", l2Scope), l.lambda/2)
}
