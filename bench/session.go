package bench

import (
	"fmt"
	"hash/fnv"
	"log/slog"
	"math/rand/v2"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/clbench/clbench/tasks"
)

// Session is what a strategy sees of a run in progress: the model, the
// stream, the protocol and helpers to build batches and keep state.
type Session struct {
	Model   *Model
	Stream  *tasks.Stream
	Seed    int64
	Train   TrainConfig
	Backend compute.Backend
	Logger  *slog.Logger

	strategy Strategy
	train    []encodedSplit
	test     []encodedSplit
	execs    map[string]*model.Exec
	// builtWith is the number of store variables when the graphs in
	// execs were built.
	builtWith int
	// builtParams is the number of model parameters then.
	builtParams int
	// stage is the task being trained, or last trained (-1 before the
	// first): it decides a shared head's active classes.
	stage int
}

// ActiveClasses is how many of the first classes of task's head can be
// predicted now, 0 when all of them can. It is positive only for a
// head whose tasks set tasks.Task.ActiveClasses (the class-incremental
// scenario): while training task k and when evaluating after it, the
// classes of tasks 1..k, and when scoring a later task j (before it is
// trained, for the untrained scores and forward transfer) the classes
// of tasks 1..j, so that its own classes can be predicted at all.
func (s *Session) ActiveClasses(task int) int {
	if s.Model.Heads[task].Active == 0 {
		return 0
	}
	return s.Model.Heads[max(s.stage, task)].Active
}

// MaskInactive sets the logits of task's head that ActiveClasses rules
// out to -1e9, so that the softmax gives them probability 0 (exactly,
// in float32) and ArgMax never picks them. Training losses and
// predictions use it; Step.Parts' Logits and Session.Logits are the
// unmasked scores.
func (s *Session) MaskInactive(task int, logits *graph.Node) *graph.Node {
	active := s.ActiveClasses(task)
	classes := logits.Shape().Dimensions[logits.Rank()-1]
	if active == 0 || active >= classes {
		return logits
	}
	g := logits.Graph()
	idx := graph.Iota(g, shapes.Make(dtypes.Int32, classes), 0)
	keep := graph.LessThan(idx, graph.Scalar(g, dtypes.Int32, active))
	lead := make([]int, logits.Rank())
	for i := range lead {
		lead[i] = 1
	}
	lead[len(lead)-1] = classes
	keep = graph.BroadcastToDims(graph.Reshape(keep, lead...), logits.Shape().Dimensions...)
	return graph.Where(keep, logits, graph.Scalar(g, logits.DType(), -1e9))
}

// Rand returns a generator for the named purpose, seeded by the run's
// seed, so that each use of randomness is reproducible on its own.
func (s *Session) Rand(purpose string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(purpose))
	return rand.New(rand.NewPCG(uint64(s.Seed), h.Sum64()))
}

// Size returns the number of examples of a task's split.
func (s *Session) Size(task int, split DataSplit) int {
	return len(s.split(task, split).ids)
}

func (s *Session) split(task int, split DataSplit) *encodedSplit {
	if split == TestSplit {
		return &s.test[task]
	}
	return &s.train[task]
}

// BatchTensors returns the token ids [rows, length] and labels of b
// (labels [rows] for classify, [rows, length] for tag; -1 where there
// is nothing to score), padded to rows.
func (s *Session) BatchTensors(b Batch, rows int) (tokens, labels *tensors.Tensor) {
	return batchTensors(s.split(b.Task, b.Split), s.Model.Heads[b.Task].Kind, b, rows, s.Model.Config.MaxLen)
}

// SetBuffer stores a tensor that is model state but not a weight (a
// Fisher diagonal, an anchor copy of old weights): graphs read it with
// Step.Value, and it never trains.
func (s *Session) SetBuffer(path string, value *tensors.Tensor) error {
	v := s.Model.store.GetVariable(path)
	if v == nil {
		nv, err := s.Model.store.CreateVariable(path, value)
		if err != nil {
			return err
		}
		nv.SetTrainable(false)
		return nil
	}
	if !v.Shape().Equal(value.Shape()) {
		return fmt.Errorf("buffer %q has shape %s, cannot set %s", path, v.Shape(), value.Shape())
	}
	return v.SetValue(value)
}

// Snapshot copies the current value of every model parameter.
func (s *Session) Snapshot() (map[string]*tensors.Tensor, error) {
	snap := make(map[string]*tensors.Tensor, len(s.Model.params))
	for _, v := range s.Model.params {
		t, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", v.Path(), err)
		}
		c, err := t.LocalClone()
		if err != nil {
			return nil, fmt.Errorf("copying %s: %w", v.Path(), err)
		}
		snap[v.Path()] = c
	}
	return snap, nil
}

// Restore sets parameters back to a snapshot's values; parameters the
// snapshot does not hold are left as they are.
func (s *Session) Restore(snap map[string]*tensors.Tensor) error {
	for _, v := range s.Model.params {
		t, ok := snap[v.Path()]
		if !ok {
			continue
		}
		c, err := t.LocalClone()
		if err != nil {
			return err
		}
		if err := v.SetValue(c); err != nil {
			return fmt.Errorf("restoring %s: %w", v.Path(), err)
		}
	}
	return nil
}

// CopyParams stores a copy of every model parameter under scope (path
// scope+p for parameter p), as buffers that never train: the frozen
// teacher of distillation, the anchor of a quadratic penalty. A Forward
// with Source = scope computes with the copy.
func (s *Session) CopyParams(scope string) error {
	snap, err := s.Snapshot()
	if err != nil {
		return err
	}
	for _, v := range s.Model.params {
		if err := s.SetBuffer(scope+v.Path(), snap[v.Path()]); err != nil {
			return err
		}
	}
	return nil
}

// Logits returns the current model's logits for b: [rows, classes] for a
// classify task, [rows, length, classes] for a tag task.
func (s *Session) Logits(b Batch, rows int) (*tensors.Tensor, error) {
	return s.forward("logits", b, rows, func(logits *graph.Node) *graph.Node { return logits })
}

// forward runs the model on b's tokens (padded to rows) through task
// b.Task's head, and returns out(logits). Its graph is cached under
// name and the task.
func (s *Session) forward(name string, b Batch, rows int, out func(*graph.Node) *graph.Node) (*tensors.Tensor, error) {
	key := fmt.Sprintf("%s/%d/%d", name, b.Task, s.ActiveClasses(b.Task))
	exec, ok := s.execs[key]
	if !ok {
		var err error
		exec, err = model.NewExec(s.Backend, s.Model.store,
			func(_ *model.Scope, tokens *graph.Node) *graph.Node {
				f := &Forward{G: tokens.Graph(), Model: s.Model, Task: b.Task, Strategy: s.strategy}
				h, mask := f.Encode(tokens)
				return out(f.Logits(b.Task, h, mask))
			})
		if err != nil {
			return nil, err
		}
		s.execs[key] = exec
	}
	tok, lab := s.BatchTensors(b, rows)
	lab.FinalizeAll()
	res, err := exec.Call(tok)
	if err != nil {
		return nil, err
	}
	return res[0], nil
}

// resetGraphsIf drops the compiled graphs when changed is set (a
// strategy's hooks ran) or the store holds other variables than when
// they were built. The evaluation graphs (a forward pass through the
// model's parameters) are kept unless the strategy changes the encoder
// (EncoderHooks) or the model gained parameters: a strategy that only
// keeps buffers (a Fisher, a teacher, a memory) changes what training
// computes, not what the model predicts, and on XLA each graph kept is
// a compilation saved.
func (s *Session) resetGraphsIf(changed bool) {
	n, params := s.Model.store.NumVariables(), len(s.Model.params)
	if !changed && n == s.builtWith {
		return
	}
	_, encoder := s.strategy.(EncoderHooks)
	if encoder || params != s.builtParams {
		s.resetGraphs()
	} else {
		for key, e := range s.execs {
			if strings.HasPrefix(key, "train/") {
				e.Finalize()
				delete(s.execs, key)
			}
		}
	}
	s.builtWith, s.builtParams = n, params
}

// resetGraphs drops compiled graphs, so that the next steps see
// parameters, buffers or hooks that changed since they were built.
func (s *Session) resetGraphs() {
	for _, e := range s.execs {
		e.Finalize()
	}
	s.execs = map[string]*model.Exec{}
}
