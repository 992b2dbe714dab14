package bench

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck

	"github.com/clbench/clbench/tasks"
)

// Strategy is a continual-learning method. The bench calls whichever of
// the optional interfaces below a strategy implements; a strategy that
// implements none of them is plain sequential fine-tuning.
//
// A strategy value serves one run: the registry makes a new one for
// each run, so it may keep per-run state (a memory, a Fisher matrix).
type Strategy interface {
	Name() string
}

// TaskHooks run Go code before training on a task (index from 0) and
// after it, before the evaluation of that step. Typical uses: add
// parameters (adapters, heads), snapshot weights, estimate a Fisher
// matrix, fill a memory.
type TaskHooks interface {
	BeforeTask(s *Session, task int) error
	AfterTask(s *Session, task int) error
}

// Planner decides what the model trains on at each step of the stream.
// Without one, step k trains on task k's training split.
type Planner interface {
	Plan(s *Session, task int) (Plan, error)
}

// Plan is what one step of the stream trains on.
type Plan struct {
	// Tasks whose whole training splits form this step's epoch. Their
	// batches are shuffled together; each batch holds one task.
	Tasks []int
	// Skip leaves this step's row of R unmeasured: the model of this
	// step is not one the strategy would deploy (joint training sees
	// all tasks only at the last step).
	Skip bool
	// Reinit starts this step from the initial model (cumulative
	// retraining from scratch).
	Reinit bool
}

// Freezer chooses which parameters train during a task. Parameters it
// rejects keep their values bit for bit: they get no gradient and no
// optimizer update.
type Freezer interface {
	Trainable(s *Session, task int, path string) bool
}

// BatchMixer adds batches to each training step of a task, trained in
// the same update as the step's own batch (replay).
type BatchMixer interface {
	Mix(s *Session, task int, b Batch) []Batch
}

// LossAdder adds terms to the training loss (regularisers,
// distillation). It is called while the training graph is built.
type LossAdder interface {
	ExtraLoss(st *Step) *Node
}

// GradientEditor changes gradients before the optimizer applies them
// (masks, projections). grads maps parameter paths to gradient nodes;
// the editor replaces entries in place.
type GradientEditor interface {
	EditGradients(st *Step, grads map[string]*Node)
}

// EncoderHooks change the encoder's computation (adapters, prefixes,
// low-rank updates, expansions). They are called for every forward pass,
// training and evaluation, with Forward.Task saying which task the pass
// serves. Embed NoEncoderHooks to implement only some of them.
type EncoderHooks interface {
	// AfterSublayer may transform a residual branch's output h (before
	// it is added back) in block layer; in is the branch's normalised
	// input.
	AfterSublayer(f *Forward, layer int, kind Sublayer, in, h *Node) *Node
	// KeysValues may extend attention's keys and values [batch, heads,
	// length, head width] and the key bias [batch, 1, 1, length] (for
	// example with prefix vectors), returning all three.
	KeysValues(f *Forward, layer int, k, v, keyBias *Node) (*Node, *Node, *Node)
	// Projection may change the output y of the linear layer under
	// scope (e.g. "/block0/attn/query") applied to x.
	Projection(f *Forward, scope string, x, y *Node) *Node
	// AfterBlocks may transform the encoder's output x [batch, length,
	// width] before the final norm (for example with extra blocks).
	AfterBlocks(f *Forward, x, keyBias *Node) *Node
}

// NoEncoderHooks implements EncoderHooks by changing nothing.
type NoEncoderHooks struct{}

func (NoEncoderHooks) AfterSublayer(_ *Forward, _ int, _ Sublayer, _, h *Node) *Node { return h }
func (NoEncoderHooks) KeysValues(_ *Forward, _ int, k, v, b *Node) (*Node, *Node, *Node) {
	return k, v, b
}
func (NoEncoderHooks) Projection(_ *Forward, _ string, _, y *Node) *Node { return y }
func (NoEncoderHooks) AfterBlocks(_ *Forward, x, _ *Node) *Node          { return x }

// ModelChecker strategies refuse, before anything trains, a model they
// cannot work with (a strategy that freezes Transformer blocks, on the
// mlp). Strategies with EncoderHooks need no check: the bench refuses
// them on the mlp itself.
type ModelChecker interface {
	CheckModel(cfg ModelConfig) error
}

// CheckStrategy says why a strategy cannot run on a model, or nil: a
// strategy with EncoderHooks on the mlp, or one whose ModelChecker
// refuses the model. Run checks it first; a CLI can check it before a
// suite starts.
func CheckStrategy(s Strategy, cfg ModelConfig) error {
	if _, ok := s.(EncoderHooks); ok && cfg.IsMLP() {
		return needsTransformer(s.Name(), cfg)
	}
	if mc, ok := s.(ModelChecker); ok {
		return mc.CheckModel(cfg)
	}
	return nil
}

// needsTransformer is the error of a strategy that only works on the
// Transformer, run with another model.
func needsTransformer(strategy string, cfg ModelConfig) error {
	return fmt.Errorf("strategy %s works on the Transformer encoder's blocks, and model %s has none",
		strategy, cfg.Name)
}

// NeedsTransformer is CheckModel for strategies that only work on the
// Transformer.
func NeedsTransformer(strategy string, cfg ModelConfig) error {
	if cfg.IsMLP() {
		return needsTransformer(strategy, cfg)
	}
	return nil
}

// Configurable strategies report their parameters, which are recorded
// with every result.
type Configurable interface {
	Config() map[string]any
}

// StreamChecker strategies say, before a suite starts, whether they can
// run on a stream (a file of theirs that names its tasks and labels).
type StreamChecker interface {
	CheckStream(*tasks.Stream) error
}

// MemoryUser strategies report how many training examples they keep.
type MemoryUser interface {
	ExamplesStored() int
}
