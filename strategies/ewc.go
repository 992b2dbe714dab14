package strategies

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph code reads best unqualified

	"github.com/clbench/clbench/bench"
)

func init() {
	MustRegister(Info{
		Name:    "ewc",
		Family:  Protect,
		Summary: "elastic weight consolidation: a quadratic penalty per past task, weighted by its diagonal empirical Fisher",
		Params: []Param{
			{Name: "lambda", Default: "100", Doc: "penalty strength. The toy stream's first-task " +
				"Fisher sums to about 290 (micro model) or 70 (tiny), with half its entries 0 " +
				"(unused words) and 99% below 0.02: lambda 1 or 10 forgets as finetune does, 100 " +
				"keeps the first task while later ones still learn, 1000 starts to block them"},
			{Name: "samples", Default: "256",
				Doc: "training examples of each task whose per-example gradients estimate its Fisher"},
			fisherLabelsParam,
		},
		New: newEWC,
	})
}

// ewc is elastic weight consolidation (Kirkpatrick et al. 2017,
// "Overcoming catastrophic forgetting in neural networks", PNAS).
// After each task t it estimates the diagonal of the empirical Fisher,
// F_t = mean over a sample of the task's examples of the squared
// per-example gradient of the loss, and keeps the weights theta*_t.
// Later tasks then train on their loss plus
// (lambda/2) sum_t sum_i F_t,i (theta_i - theta*_t,i)^2, one term per
// past task, over the shared weights (every head is its task's own).
type ewc struct {
	lambda  float64
	samples int
	loss    exampleLoss // of the Fisher's per-example gradients
	paths   []string
	done    int // past tasks with a Fisher and an anchor
}

func newEWC(cfg Config) (bench.Strategy, error) {
	lambda, err := floatParam(cfg, "lambda", 0)
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
	return &ewc{lambda: lambda, samples: samples, loss: loss}, nil
}

func (*ewc) Name() string { return "ewc" }

func ewcScope(task int) string { return fmt.Sprintf("/ewc/task%d", task) }

func (e *ewc) BeforeTask(s *bench.Session, _ int) error {
	if e.paths == nil {
		e.paths = sharedPaths(s.Model)
	}
	return nil
}

// AfterTask stores the task's Fisher and weights. The last task needs
// neither: no task comes after it.
func (e *ewc) AfterTask(s *bench.Session, task int) error {
	if task == len(s.Stream.Tasks)-1 {
		return nil
	}
	scope := ewcScope(task)
	sample := sampleExamples(s, task, e.samples, scope+"/sample")
	fisher, err := perExampleMean(s, task, sample, e.paths, e.loss, Square)
	if err != nil {
		return fmt.Errorf("estimating the Fisher: %w", err)
	}
	if err := setBuffers(s, scope+"/fisher", fisher); err != nil {
		return err
	}
	anchor, err := paramValues(s, e.paths, "")
	if err != nil {
		return err
	}
	if err := setBuffers(s, scope+"/anchor", anchor); err != nil {
		return err
	}
	e.done = task + 1
	return nil
}

func (e *ewc) ExtraLoss(st *bench.Step) *Node {
	if e.lambda == 0 || e.done == 0 {
		return nil
	}
	var total *Node
	for t := 0; t < e.done; t++ {
		p := quadraticPenalty(st, e.paths, ewcScope(t)+"/fisher", ewcScope(t)+"/anchor")
		if total == nil {
			total = p
		} else {
			total = Add(total, p)
		}
	}
	return MulScalar(total, e.lambda/2)
}
