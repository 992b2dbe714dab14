package strategies

import (
	"errors"
	"fmt"
	"math"
	"sort"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph code reads best unqualified
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/clbench/clbench/bench"
)

func init() {
	MustRegister(Info{
		Name:    "freeze-neurons",
		Family:  Protect,
		Summary: "after each task, freeze the feed-forward neurons that task's loss is most sensitive to",
		Params: []Param{
			{Name: "p", Default: "20",
				Doc: "percent of each block's feed-forward neurons frozen after each task, " +
					"chosen among those still free"},
			{Name: "samples", Default: "256",
				Doc: "training examples of each task whose per-example gradients rank its neurons"},
		},
		New: newFreezeNeurons,
	})
}

// freezeNeurons protects old tasks by freezing the feed-forward neurons
// they depend on most, as PackNet (Mallya and Lazebnik 2018, "PackNet:
// Adding Multiple Tasks to a Single Network by Iterative Pruning",
// CVPR) reserves weights for each task, but choosing whole neurons by
// gradient sensitivity instead of pruning by magnitude. After each
// task it scores neuron j of each block by the mean over a sample of
// the task's examples of the per-example |gradient| of the loss, summed
// over the neuron's weights (column j of ffn/in and its bias, row j of
// ffn/out); the top p% of the block's neurons among those still free
// are frozen for good. A frozen neuron's gradients are multiplied by 0
// (a GradientEditor), so with fresh Adam moments at each task
// (TrainConfig.ResetOptimizer, the default) its weights stay
// bit-identical. The shared output bias ffn/out/bias belongs to no
// neuron and keeps training.
type freezeNeurons struct {
	p       float64
	samples int
	frozen  [][]bool // [block][neuron]
	any     bool     // some neuron is frozen
}

const freezeNeuronsScope = "/freeze-neurons/free"

func newFreezeNeurons(cfg Config) (bench.Strategy, error) {
	p, err := floatParam(cfg, "p", 0)
	if err != nil {
		return nil, err
	}
	if p > 100 {
		return nil, fmt.Errorf("parameter p=%g is a percentage: at most 100", p)
	}
	samples, err := samplesParam(cfg)
	if err != nil {
		return nil, err
	}
	return &freezeNeurons{p: p, samples: samples}, nil
}

func (*freezeNeurons) Name() string { return "freeze-neurons" }

func ffnScope(block int) string { return fmt.Sprintf("/block%d/ffn", block) }

// BeforeTask refuses to go on with Adam moments carried over from the
// previous task: momentum alone would move frozen weights.
func (fn *freezeNeurons) BeforeTask(s *bench.Session, _ int) error {
	if fn.frozen == nil {
		fn.frozen = make([][]bool, s.Model.Config.Layers)
		for l := range fn.frozen {
			fn.frozen[l] = make([]bool, s.Model.Config.FFN)
		}
	}
	if fn.any && !s.Train.ResetOptimizer {
		return errors.New("freeze-neurons needs reset_optimizer: " +
			"Adam momentum from the previous task would move frozen neurons")
	}
	return nil
}

// AfterTask ranks the free neurons by the task's sensitivity and
// freezes the top p% of each block (not needed after the last task).
func (fn *freezeNeurons) AfterTask(s *bench.Session, task int) error {
	if task == len(s.Stream.Tasks)-1 || fn.p == 0 {
		return nil
	}
	var paths []string
	for l := range fn.frozen {
		paths = append(paths, ffnScope(l)+"/in/weights", ffnScope(l)+"/in/bias",
			ffnScope(l)+"/out/weights")
	}
	sample := sampleExamples(s, task, fn.samples, fmt.Sprintf("freeze-neurons/sample/task%d", task))
	sens, err := perExampleMean(s, task, sample, paths, taskLoss, Abs)
	if err != nil {
		return fmt.Errorf("measuring sensitivities: %w", err)
	}
	width := s.Model.Config.Width
	for l, frozen := range fn.frozen {
		scores := neuronScores(sens[ffnScope(l)+"/in/weights"], sens[ffnScope(l)+"/in/bias"],
			sens[ffnScope(l)+"/out/weights"], width)
		count := int(math.Ceil(fn.p / 100 * float64(len(frozen))))
		for _, j := range topNeurons(scores, frozen, count) {
			frozen[j] = true
			fn.any = true
		}
		free := make([]float32, len(frozen))
		for j, f := range frozen {
			if !f {
				free[j] = 1
			}
		}
		if err := s.SetBuffer(fmt.Sprintf("%s/block%d", freezeNeuronsScope, l),
			tensors.FromFlatDataAndDimensions(free, len(free))); err != nil {
			return err
		}
	}
	return nil
}

// neuronScores sums, for each neuron j, the sensitivities of its
// weights: column j of in [width, ffn], bias[j], and row j of out
// [ffn, width].
func neuronScores(in, bias, out []float32, width int) []float64 {
	ffn := len(bias)
	scores := make([]float64, ffn)
	for j := 0; j < ffn; j++ {
		scores[j] = float64(bias[j])
		for i := 0; i < width; i++ {
			scores[j] += float64(in[i*ffn+j]) + float64(out[j*width+i])
		}
	}
	return scores
}

// topNeurons returns the count free neurons with the highest scores,
// lower index first among equal scores.
func topNeurons(scores []float64, frozen []bool, count int) []int {
	var free []int
	for j, f := range frozen {
		if !f {
			free = append(free, j)
		}
	}
	sort.SliceStable(free, func(a, b int) bool { return scores[free[a]] > scores[free[b]] })
	return free[:min(count, len(free))]
}

// EditGradients zeroes the gradients of frozen neurons' weights.
func (fn *freezeNeurons) EditGradients(st *bench.Step, grads map[string]*Node) {
	if !fn.any {
		return
	}
	for l, frozen := range fn.frozen {
		free := st.Value(fmt.Sprintf("%s/block%d", freezeNeuronsScope, l))
		ffn := len(frozen)
		mask := map[string]*Node{
			ffnScope(l) + "/in/weights":  Reshape(free, 1, ffn),
			ffnScope(l) + "/in/bias":     free,
			ffnScope(l) + "/out/weights": Reshape(free, ffn, 1),
		}
		for path, m := range mask {
			if g, ok := grads[path]; ok && g != nil {
				grads[path] = Mul(g, m)
			}
		}
	}
}

// CheckModel refuses the mlp: the strategy works on Transformer blocks.
func (*freezeNeurons) CheckModel(cfg bench.ModelConfig) error {
	return bench.NeedsTransformer("freeze-neurons", cfg)
}
