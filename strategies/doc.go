// Package strategies holds clbench's continual-learning strategies and
// the registry that names them.
//
// A strategy is a bench.Strategy registered under a name with
// MustRegister, from an init function in its own file. It takes part in
// a run through the optional interfaces of package bench: TaskHooks
// (work before and after each task), Planner (what each step trains
// on), Freezer (which parameters train), BatchMixer (replayed batches),
// LossAdder (extra loss terms), GradientEditor (gradient projections and
// masks) and EncoderHooks (adapters, prefixes, low-rank updates, new
// heads and blocks). Its parameters arrive as a Config with the
// registered defaults filled in, and are recorded with every result.
// CONTRIBUTING.md walks through adding one.
//
// The built-in strategies, by family (`clbench list strategies` shows
// their parameters):
//
//   - reference: finetune (the lower bound), joint (the upper bound),
//     cumulative (the reference a*_k of intransigence);
//   - protect: freeze-layers, freeze-neurons, ewc, online-ewc, si, mas,
//     l2, lwf;
//   - isolate: adapter, prefix, lora;
//   - fuse: replay, contrastive-replay, agem, der++, concept-graph;
//   - expand: head-expansion, layer-expansion.
//
// There is no pre-trained encoder by default, so the isolating and
// expanding strategies train the whole backbone on the first task and
// freeze it from the second on (train_backbone_first); every task has a
// head of its own, so they forget nothing by construction.
package strategies
