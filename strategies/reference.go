package strategies

import "github.com/clbench/clbench/bench"

func init() {
	MustRegister(Info{
		Name:    "finetune",
		Family:  Reference,
		Summary: "plain sequential fine-tuning of everything on each task; the lower bound",
		New:     func(Config) (bench.Strategy, error) { return finetune{}, nil },
	})
	MustRegister(Info{
		Name:   "joint",
		Family: Reference,
		Summary: "one model trained on all tasks at once, at the last step; the upper bound " +
			"(rows before the last are not measured)",
		New: func(Config) (bench.Strategy, error) { return joint{}, nil },
	})
	MustRegister(Info{
		Name:   "cumulative",
		Family: Reference,
		Summary: "at task k, retrain from the initial model on the union of tasks 1..k; " +
			"its diagonal is the reference for intransigence",
		New: func(Config) (bench.Strategy, error) { return cumulative{}, nil },
	})
}

// finetune trains every parameter on each task in turn: the strategy
// that implements no hook.
type finetune struct{}

func (finetune) Name() string { return "finetune" }

// joint trains nothing until the last task, then trains on the union of
// every task's training split. Its earlier rows of R are left
// unmeasured: no model of joint training exists before it has seen all
// the data, so BWT, FWT, forgetting and LA are undefined for it.
type joint struct{}

func (joint) Name() string { return "joint" }

func (joint) Plan(s *bench.Session, task int) (bench.Plan, error) {
	last := len(s.Stream.Tasks) - 1
	if task < last {
		return bench.Plan{Skip: true}, nil
	}
	return bench.Plan{Tasks: upTo(last)}, nil
}

// cumulative retrains from the initial model on tasks 0..k at step k.
type cumulative struct{}

func (cumulative) Name() string { return "cumulative" }

func (cumulative) Plan(_ *bench.Session, task int) (bench.Plan, error) {
	return bench.Plan{Tasks: upTo(task), Reinit: true}, nil
}

func upTo(last int) []int {
	ts := make([]int, last+1)
	for i := range ts {
		ts[i] = i
	}
	return ts
}
