package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime/debug"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/clbench/clbench/metrics"
	"github.com/clbench/clbench/tasks"
)

// RunSpec is one unit of work: a stream, a strategy and a seed under
// one model, protocol and backend.
type RunSpec struct {
	Stream   *tasks.Stream
	Strategy Strategy
	Seed     int64
	Model    ModelConfig
	Train    TrainConfig
	Backend  compute.Backend
	Logger   *slog.Logger
	// Progress, when set, is called before each training step.
	Progress func(Progress)
	// SharedProcess says other runs go on in the same process: peak
	// memory is then the process's, an upper bound on the run's own.
	SharedProcess bool
	// Diagnostics measures, after every task, why earlier tasks were
	// forgotten (see Diagnostic); it changes nothing that training or
	// evaluation computes.
	Diagnostics bool
	// Base, when set, is the pre-trained encoder the model starts from
	// (Model.Base must name it); the run then scores the masked-token
	// accuracy on the base's held-out text before training and after
	// every task (DiagGeneral), whether or not Diagnostics is set.
	Base *Base
}

// Outcome is what a run measured.
type Outcome struct {
	// R[i][j] is the score on task j after training through task i
	// (0-based); NaN where the strategy's plan left a row unmeasured.
	R [][]float64
	// Untrained holds each task's score before any training (b_j).
	Untrained []float64
	Cost      Cost
	// Diagnostics holds the forgetting diagnostics when the spec asked
	// for them, and the base's general-text scores (DiagGeneral) when the
	// run started from one.
	Diagnostics []Diagnostic
}

// Cost is what a run spent.
type Cost struct {
	WallSeconds       float64
	SetupSeconds      float64 // model, tokenised data
	TrainSeconds      float64 // training steps, graph builds included
	HookSeconds       float64 // the strategy's work before and after tasks
	EvalSeconds       float64
	DiagSeconds       float64 // the diagnostics, when asked for
	Steps             int64
	ExamplesTrained   int64
	ExamplesPerSecond float64
	PeakMemoryBytes   int64
	TrainableParams   int64 // weights the strategy let train, at most
	BaseParams        int64 // weights of the model as first built
	ParamsAdded       int64 // weights the strategy added
	ExamplesStored    int64
}

// ErrNonFinite marks a run whose loss became NaN or infinite.
var ErrNonFinite = errors.New("loss is not finite")

// Run trains the strategy along the stream and evaluates every task after
// every step. GoMLX reports graph errors by panicking; Run turns those
// into errors, so a failing run never stops its caller.
func Run(ctx context.Context, spec RunSpec) (out *Outcome, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	if err := spec.Train.Validate(); err != nil {
		return nil, err
	}
	logger := spec.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	mem := startMemoryWatch(!spec.SharedProcess)
	start := time.Now()

	if err := CheckStrategy(spec.Strategy, spec.Model); err != nil {
		return nil, err
	}
	m, err := NewModel(spec.Model, spec.Stream, spec.Seed)
	if err != nil {
		return nil, err
	}
	s := &Session{
		Model: m, Stream: spec.Stream, Seed: spec.Seed, Train: spec.Train,
		Backend: spec.Backend, Logger: logger, strategy: spec.Strategy,
		execs: map[string]*model.Exec{}, stage: -1,
	}
	tok := tasks.Tokenizer{Buckets: spec.Model.Buckets}
	for _, t := range spec.Stream.Tasks {
		s.train = append(s.train, encodeSplit(tok, spec.Model.MaxLen, t.Kind, t.Train))
		s.test = append(s.test, encodeSplit(tok, spec.Model.MaxLen, t.Kind, t.Test))
	}
	if (spec.Base == nil) != (spec.Model.Base == "") ||
		(spec.Base != nil && spec.Base.ID != spec.Model.Base) {
		return nil, fmt.Errorf("the model names base %q, the run was given %v", spec.Model.Base, baseID(spec.Base))
	}
	if spec.Base != nil {
		if err := s.applyBase(spec.Base); err != nil {
			return nil, err
		}
	}
	out = &Outcome{}
	out.Cost.SetupSeconds = time.Since(start).Seconds()
	initial, err := s.Snapshot()
	if err != nil {
		return nil, err
	}

	T := len(spec.Stream.Tasks)
	out.R = make([][]float64, T)
	evalAll := func() ([]float64, error) {
		t0 := time.Now()
		defer func() { out.Cost.EvalSeconds += time.Since(t0).Seconds() }()
		row := make([]float64, T)
		for j := range row {
			if row[j], err = s.Evaluate(j); err != nil {
				return nil, fmt.Errorf("evaluating task %d (%s): %w", j+1, spec.Stream.Tasks[j].Name, err)
			}
		}
		return row, nil
	}
	if out.Untrained, err = evalAll(); err != nil {
		return nil, err
	}
	general := func(after int) error {
		if spec.Base == nil {
			return nil
		}
		t0 := time.Now()
		defer func() { out.Cost.EvalSeconds += time.Since(t0).Seconds() }()
		acc, err := s.GeneralAccuracy(spec.Base, max(after-1, 0))
		if err != nil {
			return fmt.Errorf("scoring the base's held-out text: %w", err)
		}
		out.Diagnostics = append(out.Diagnostics, Diagnostic{AfterTask: after, Name: DiagGeneral,
			Value: metrics.Of(acc)})
		return nil
	}
	if err := general(0); err != nil {
		return nil, err
	}

	var diag *diagnoser
	if spec.Diagnostics {
		diag = newDiagnoser(s)
	}

	hooks, _ := spec.Strategy.(TaskHooks)
	planner, _ := spec.Strategy.(Planner)
	mixer, _ := spec.Strategy.(BatchMixer)
	var trainable int64
	for k, task := range spec.Stream.Tasks {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s.stage = k
		where := fmt.Sprintf("task %d (%s)", k+1, task.Name)
		plan := Plan{Tasks: []int{k}}
		if planner != nil {
			if plan, err = planner.Plan(s, k); err != nil {
				return nil, fmt.Errorf("%s: planning: %w", where, err)
			}
		}
		if plan.Reinit {
			if err := s.Restore(initial); err != nil {
				return nil, err
			}
		}
		if hooks != nil {
			t0 := time.Now()
			if err := hooks.BeforeTask(s, k); err != nil {
				return nil, fmt.Errorf("%s: before task: %w", where, err)
			}
			out.Cost.HookSeconds += time.Since(t0).Seconds()
		}
		if err := s.resetOptimizer(spec.Train.ResetOptimizer); err != nil {
			return nil, err
		}
		// Graphs are rebuilt only when a strategy's hooks may have changed
		// the model; plain fine-tuning keeps its compiled graphs (which
		// matters on XLA, where each one takes about half a second).
		s.resetGraphsIf(hooks != nil)
		trainable = max(trainable, s.countTrainable(k))

		t0 := time.Now()
		lengths := map[int][]int{}
		for _, t := range plan.Tasks {
			lengths[t] = s.train[t].lengths()
		}
		rng := s.Rand(fmt.Sprintf("batches/task%d", k))
		epochs, steps := spec.Train.Epochs, 0
		if len(plan.Tasks) == 0 {
			epochs = 0 // nothing to train on at this step (joint before the last task)
		} else if spec.Train.Iterations > 0 {
			epochs, steps = math.MaxInt, spec.Train.Iterations
		}
		step := 0
		for epoch := 0; epoch < epochs && (steps == 0 || step < steps); epoch++ {
			var sum float64
			batches := epochBatches(rng, lengths, plan.Tasks, spec.Train.BatchSize, spec.Model.MaxLen)
			if len(batches) == 0 && steps > 0 {
				return nil, fmt.Errorf("%s: no training examples for %d iterations", where, steps)
			}
			if steps > 0 && len(batches) > steps-step {
				batches = batches[:steps-step]
			}
			total := steps
			if total == 0 {
				total = spec.Train.Epochs * len(batches)
			}
			for i, b := range batches {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				step++
				if spec.Progress != nil {
					spec.Progress(Progress{Task: k + 1, Tasks: T, TaskName: task.Name,
						Step: step, Steps: total})
				}
				parts := []Batch{b}
				if mixer != nil {
					parts = append(parts, mixer.Mix(s, k, b)...)
				}
				loss, err := s.trainStep(k, parts)
				if err != nil {
					return nil, fmt.Errorf("%s: epoch %d step %d: %w", where, epoch+1, i+1, err)
				}
				if math.IsNaN(loss) || math.IsInf(loss, 0) {
					return nil, fmt.Errorf("%s: epoch %d step %d: %w (%g)", where, epoch+1, i+1, ErrNonFinite, loss)
				}
				for _, p := range parts {
					out.Cost.ExamplesTrained += int64(len(p.Examples))
				}
				out.Cost.Steps++
				sum += loss
			}
			logger.Debug("epoch done", "task", task.Name, "epoch", epoch+1,
				"steps", len(batches), "mean_loss", sum/float64(max(len(batches), 1)))
		}
		out.Cost.TrainSeconds += time.Since(t0).Seconds()

		if hooks != nil {
			t0 := time.Now()
			if err := hooks.AfterTask(s, k); err != nil {
				return nil, fmt.Errorf("%s: after task: %w", where, err)
			}
			out.Cost.HookSeconds += time.Since(t0).Seconds()
		}
		s.resetGraphsIf(hooks != nil)
		if plan.Skip {
			out.R[k] = nanRow(T)
			logger.Info("task trained, row not measured", "task", task.Name)
			continue
		}
		if out.R[k], err = evalAll(); err != nil {
			return nil, err
		}
		logger.Info("task done", "task", task.Name, "row", out.R[k])
		if err := general(k + 1); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if diag != nil {
			t0 := time.Now()
			rows, err := diag.afterTask(k)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			out.Diagnostics = append(out.Diagnostics, rows...)
			out.Cost.DiagSeconds += time.Since(t0).Seconds()
		}
	}

	out.Cost.WallSeconds = time.Since(start).Seconds()
	logger.Info("where the time went",
		"wall_s", round1(out.Cost.WallSeconds), "setup_s", round1(out.Cost.SetupSeconds),
		"train_s", round1(out.Cost.TrainSeconds), "strategy_hooks_s", round1(out.Cost.HookSeconds),
		"eval_s", round1(out.Cost.EvalSeconds), "diagnostics_s", round1(out.Cost.DiagSeconds),
		"steps", out.Cost.Steps,
		"examples_per_s", round1(float64(out.Cost.ExamplesTrained)/max(out.Cost.TrainSeconds, 1e-9)))
	if out.Cost.TrainSeconds > 0 {
		out.Cost.ExamplesPerSecond = float64(out.Cost.ExamplesTrained) / out.Cost.TrainSeconds
	}
	out.Cost.PeakMemoryBytes = mem.peak()
	out.Cost.TrainableParams = trainable
	out.Cost.BaseParams = m.BaseParams()
	out.Cost.ParamsAdded = m.NumParams() - m.BaseParams()
	if mu, ok := spec.Strategy.(MemoryUser); ok {
		out.Cost.ExamplesStored = int64(mu.ExamplesStored())
	}
	return out, nil
}

// countTrainable counts the weights the strategy lets train in task k:
// the encoder, task k's head and whatever the strategy added.
func (s *Session) countTrainable(k int) int64 {
	freezer, _ := s.strategy.(Freezer)
	var n int64
	for _, v := range s.Model.params {
		if ParamGroup(v.Path()) == "head" && !hasPrefix(v.Path(), s.Model.HeadScope(k)+"/") {
			continue
		}
		if freezer != nil && !freezer.Trainable(s, k, v.Path()) {
			continue
		}
		n += int64(v.Shape().Size())
	}
	return n
}

func hasPrefix(s, prefix string) bool { return len(s) >= len(prefix) && s[:len(prefix)] == prefix }

func nanRow(n int) []float64 {
	row := make([]float64, n)
	for i := range row {
		row[i] = math.NaN()
	}
	return row
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// baseID is b's id, or "no base".
func baseID(b *Base) string {
	if b == nil {
		return "no base"
	}
	return "base " + b.ID
}
