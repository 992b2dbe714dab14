package strategies

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph code reads best unqualified

	"github.com/clbench/clbench/bench"
)

// runningPenalty is a quadratic penalty on the shared weights,
// scale * sum_i W_i (theta_i - theta*_i)^2, whose importance W is one
// running sum, W <- decay W + W_task, and whose anchor theta* is the
// latest task's weights. W_task is the mean over a sample of the task's
// training examples of reduce(d stat / d theta) per example. Online EWC
// (stat the task loss, reduce Square, scale lambda/2) and MAS (stat the
// output's squared norm, reduce Abs, decay 1, scale lambda) are both
// this.
type runningPenalty struct {
	scope   string // the buffers are scope+"/"+name and scope+"/anchor"
	name    string // W's buffer: "fisher", "importance"
	what    string // what W is called, for errors: "the Fisher"
	stat    exampleLoss
	reduce  func(*Node) *Node
	decay   float64
	scale   float64
	samples int

	paths      []string
	importance map[string][]float32 // nil before any task
}

func (p *runningPenalty) BeforeTask(s *bench.Session, _ int) error {
	if p.paths == nil {
		p.paths = sharedPaths(s.Model)
	}
	return nil
}

// AfterTask folds the task's importance into the running one and moves
// the anchor to the current weights (not needed after the last task).
func (p *runningPenalty) AfterTask(s *bench.Session, task int) error {
	if task == len(s.Stream.Tasks)-1 {
		return nil
	}
	sample := sampleExamples(s, task, p.samples, fmt.Sprintf("%s/sample/task%d", p.scope, task))
	w, err := perExampleMean(s, task, sample, p.paths, p.stat, p.reduce)
	if err != nil {
		return fmt.Errorf("estimating %s: %w", p.what, err)
	}
	p.importance = decayAdd(p.importance, w, p.decay)
	if err := setBuffers(s, p.scope+"/"+p.name, p.importance); err != nil {
		return err
	}
	anchor, err := paramValues(s, p.paths, "")
	if err != nil {
		return err
	}
	return setBuffers(s, p.scope+"/anchor", anchor)
}

func (p *runningPenalty) ExtraLoss(st *bench.Step) *Node {
	if p.scale == 0 || p.importance == nil {
		return nil
	}
	q := quadraticPenalty(st, p.paths, p.scope+"/"+p.name, p.scope+"/anchor")
	return MulScalar(q, p.scale)
}

// samplesParam reads the "samples" parameter: at least 1.
func samplesParam(cfg Config) (int, error) {
	samples, err := cfg.Int("samples")
	if err != nil {
		return 0, err
	}
	if samples < 1 {
		return 0, fmt.Errorf("parameter samples=%d must be at least 1", samples)
	}
	return samples, nil
}
