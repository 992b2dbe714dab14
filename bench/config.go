package bench

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// ModelConfig sizes the model: a Transformer encoder over hashed word
// ids (Arch empty, the default for text) or, with Arch "mlp", a fully
// connected network over an image's pixels (Layers hidden layers of
// Width ReLU units; the other fields unused).
type ModelConfig struct {
	Name    string `json:"name"`
	Arch    string `json:"arch,omitempty"`
	Layers  int    `json:"layers"`
	Width   int    `json:"width"`
	Heads   int    `json:"heads"`
	FFN     int    `json:"ffn"`
	MaxLen  int    `json:"max_len"` // tokens, including the leading [CLS]
	Buckets int    `json:"buckets"` // hashed word ids, see tasks.Tokenizer
	// Base is the id of the pre-trained encoder the model starts from
	// (see Base), empty for a random start.
	Base string `json:"base,omitempty"`
}

// Model sizes by name. `tiny` is the size fixed for runs on two
// CPU cores.
var modelSizes = map[string]ModelConfig{
	"tiny":  {Name: "tiny", Layers: 2, Width: 128, Heads: 4, FFN: 256, MaxLen: 64, Buckets: 16384},
	"micro": {Name: "micro", Layers: 1, Width: 32, Heads: 2, FFN: 64, MaxLen: 32, Buckets: 2048},
	"small": {Name: "small", Layers: 4, Width: 256, Heads: 4, FFN: 512, MaxLen: 128, Buckets: 32768},
	// The networks of van de Ven and Tolias (2019) for split MNIST
	// (two hidden layers of 400 units) and permuted MNIST (of 1000).
	"mlp400":  {Name: "mlp400", Arch: MLP, Layers: 2, Width: 400},
	"mlp1000": {Name: "mlp1000", Arch: MLP, Layers: 2, Width: 1000},
}

// MLP is ModelConfig.Arch of the fully connected network for images.
const MLP = "mlp"

// IsMLP says whether c is the fully connected network for images.
func (c ModelConfig) IsMLP() bool { return c.Arch == MLP }

// ModelSize returns the named model size.
func ModelSize(name string) (ModelConfig, error) {
	c, ok := modelSizes[name]
	if !ok {
		return ModelConfig{}, fmt.Errorf("unknown model size %q (known: %s)", name, strings.Join(ModelSizes(), ", "))
	}
	return c, nil
}

// sizesOf lists the sizes of the mlp (mlp true) or of the Transformer.
func sizesOf(mlp bool) []string {
	var names []string
	for _, n := range ModelSizes() {
		if modelSizes[n].IsMLP() == mlp {
			names = append(names, n)
		}
	}
	return names
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
	switch c.Arch {
	case "":
	case MLP:
		if c.Layers < 1 || c.Width <= 0 {
			return fmt.Errorf("model %q: an mlp needs at least one layer of positive width", c.Name)
		}
		return nil
	default:
		return fmt.Errorf("model %q: unknown arch %q (want empty for the Transformer, or %q)", c.Name, c.Arch, MLP)
	}
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
	Epochs int `json:"epochs"`
	// Iterations, when positive, trains each task for exactly this many
	// steps instead of Epochs passes (the batches of successive shuffled
	// passes, cut off at the last step), as van de Ven and Tolias'
	// protocol counts training.
	Iterations    int     `json:"iterations,omitempty"`
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
	case c.Iterations < 0:
		return fmt.Errorf("iterations must be positive (or 0: train by epochs), got %d", c.Iterations)
	case c.Epochs <= 0 && c.Iterations == 0:
		return fmt.Errorf("epochs must be positive, got %d", c.Epochs)
	case c.BatchSize <= 0 || c.EvalBatchSize <= 0:
		return fmt.Errorf("batch sizes must be positive, got %d and %d", c.BatchSize, c.EvalBatchSize)
	case !(c.LearningRate > 0) || math.IsInf(c.LearningRate, 0):
		return fmt.Errorf("learning rate must be a positive number, got %g", c.LearningRate)
	}
	return nil
}
