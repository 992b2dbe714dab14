package bench

import (
	"fmt"
	"hash/fnv"
	"log/slog"
	"math/rand/v2"

	"github.com/gomlx/compute"
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
	key := fmt.Sprintf("%s/%d", name, b.Task)
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

// resetGraphsIf drops the compiled graphs when changed is set or the
// store holds other variables than when they were built.
func (s *Session) resetGraphsIf(changed bool) {
	if n := s.Model.store.NumVariables(); changed || n != s.builtWith {
		s.resetGraphs()
		s.builtWith = n
	}
}

// resetGraphs drops compiled graphs, so that the next steps see
// parameters, buffers or hooks that changed since they were built.
func (s *Session) resetGraphs() {
	for _, e := range s.execs {
		e.Finalize()
	}
	s.execs = map[string]*model.Exec{}
}
