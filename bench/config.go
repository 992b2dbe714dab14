package bench

import (
	"fmt"
	"sort"
)

// ModelConfig sizes the Transformer encoder.
type ModelConfig struct {
	Name    string `json:"name"`
	Layers  int    `json:"layers"`
	Width   int    `json:"width"`
	Heads   int    `json:"heads"`
	FFN     int    `json:"ffn"`
	MaxLen  int    `json:"max_len"` // tokens, including the leading [CLS]
	Buckets int    `json:"buckets"` // hashed word ids, see tasks.Tokenizer
}

// Model sizes by name. `tiny` is the size fixed for runs on two
// CPU cores.
var modelSizes = map[string]ModelConfig{
	"tiny":  {Name: "tiny", Layers: 2, Width: 128, Heads: 4, FFN: 256, MaxLen: 64, Buckets: 16384},
	"micro": {Name: "micro", Layers: 1, Width: 32, Heads: 2, FFN: 64, MaxLen: 32, Buckets: 2048},
	"small": {Name: "small", Layers: 4, Width: 256, Heads: 4, FFN: 512, MaxLen: 128, Buckets: 32768},
}

// ModelSize returns the named model size.
func ModelSize(name string) (ModelConfig, error) {
	c, ok := modelSizes[name]
	if !ok {
		return ModelConfig{}, fmt.Errorf("unknown model size %q (known: %v)", name, ModelSizes())
	}
	return c, nil
}

// ModelSizes lists the known model size names.
func ModelSizes() []string {
	var names []string
	for n := range modelSizes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Validate reports a configuration the encoder cannot be built with.
func (c ModelConfig) Validate() error {
	switch {
	case c.Layers < 0, c.Width <= 0, c.Heads <= 0, c.FFN <= 0:
		return fmt.Errorf("model %q: layers, width, heads and ffn must be positive", c.Name)
	case c.Width%c.Heads != 0:
		return fmt.Errorf("model %q: width %d is not a multiple of heads %d", c.Name, c.Width, c.Heads)
	case c.MaxLen < 2:
		return fmt.Errorf("model %q: max_len %d leaves no room for words", c.Name, c.MaxLen)
	case c.Buckets < 8:
		return fmt.Errorf("model %q: %d buckets are too few", c.Name, c.Buckets)
	}
	return nil
}

// TrainConfig is the protocol every strategy trains under: the same
// optimizer, batch size and number of epochs for all.
type TrainConfig struct {
	Epochs        int     `json:"epochs"`
	BatchSize     int     `json:"batch_size"`
	EvalBatchSize int     `json:"eval_batch_size"`
	LearningRate  float64 `json:"learning_rate"`
	// ResetOptimizer starts each task with fresh Adam moments, as
	// Avalanche does by default.
	ResetOptimizer bool `json:"reset_optimizer"`
	// Protocol numbers how training and evaluation compute. It is part
	// of every run's configuration, so of its id: results of different
	// protocols are never taken for one another (skipped as complete,
	// or averaged on a leaderboard). 0, left out of the JSON, is the
	// protocol of the first results; a change to the training loop, the
	// optimizer, batching or scoring must bump ProtocolVersion.
	Protocol int `json:"protocol,omitempty"`
}

// ProtocolVersion is the current Protocol. History:
//   - 0: the first results;
//   - 1: Adam updates only the rows of the token table that a step's
//     tokens use (see lazyAdam), not all of them.
const ProtocolVersion = 1

// DefaultTrainConfig is the protocol used unless a run says otherwise.
var DefaultTrainConfig = TrainConfig{
	Epochs:         2,
	BatchSize:      32,
	EvalBatchSize:  128,
	LearningRate:   1e-3,
	ResetOptimizer: true,
	Protocol:       ProtocolVersion,
}

// Validate reports a protocol that cannot train.
func (c TrainConfig) Validate() error {
	switch {
	case c.Epochs <= 0:
		return fmt.Errorf("epochs must be positive, got %d", c.Epochs)
	case c.BatchSize <= 0 || c.EvalBatchSize <= 0:
		return fmt.Errorf("batch sizes must be positive, got %d and %d", c.BatchSize, c.EvalBatchSize)
	case !(c.LearningRate > 0):
		return fmt.Errorf("learning rate must be positive, got %g", c.LearningRate)
	}
	return nil
}
