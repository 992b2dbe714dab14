// Package strategies holds clbench's continual-learning strategies and
// the registry that names them.
//
// A strategy is a bench.Strategy registered under a name with
// MustRegister, from an init function in its own file. It takes part in
// a run through the optional interfaces of package bench: TaskHooks
// (work before and after each task), Planner (what each step trains
// on), Freezer (which parameters train), BatchMixer (replayed batches),
// LossAdder (extra loss terms), GradientEditor (gradient masks) and
// EncoderHooks (adapters, prefixes). Its parameters arrive as a Config
// with the registered defaults filled in, and are recorded with every
// result.
//
// The reference strategies are:
//
//   - finetune: sequential fine-tuning, the lower bound;
//   - joint: one model on all tasks at once, the upper bound;
//   - cumulative: retraining on tasks 1..k at each step k, the
//     reference a*_k of intransigence (Chaudhry et al. 2018).
package strategies
