package bench

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/clbench/clbench/tasks"
)

// benchStream is one classify task of random 63-word sentences, so every
// batch fills the tiny model's 64 positions.
func benchStream(n, words int) *tasks.Stream {
	r := rand.New(rand.NewPCG(3, 4))
	t := &tasks.Task{Name: "random", Kind: tasks.Classify, Labels: []string{"a", "b"}}
	for i := 0; i < n; i++ {
		w := make([]string, words)
		for j := range w {
			w[j] = fmt.Sprintf("w%d", r.IntN(50000))
		}
		t.Train = append(t.Train, tasks.Example{Words: w, Label: r.IntN(2)})
	}
	t.Test = t.Train
	return &tasks.Stream{Name: "bench", Version: "1", Tasks: []*tasks.Task{t}}
}

// benchImages is one classify task of n random 784-pixel images (the
// mlp's input; MNIST's size).
func benchImages(n int) *tasks.Stream {
	r := rand.New(rand.NewPCG(3, 4))
	t := &tasks.Task{Name: "random", Kind: tasks.Classify, Labels: []string{"a", "b"}, ImageSize: 784}
	for i := 0; i < n; i++ {
		px := make([]byte, 784)
		for j := range px {
			px[j] = byte(r.IntN(256))
		}
		t.Train = append(t.Train, tasks.Example{Pixels: px, Label: r.IntN(2)})
	}
	t.Test = t.Train
	return &tasks.Stream{Name: "bench", Version: "1", Tasks: []*tasks.Task{t}}
}

// stepBench is one model size's session on a batch that fills its
// positions (32 sequences) or, for an mlp, on 128 images (the batch of
// its split MNIST protocol), ready to train or score.
type stepBench struct {
	s     *Session
	batch Batch
	cfg   ModelConfig
	rows  int
	flops float64 // of the forward pass of the batch
}

func newStepBench(b *testing.B, size string) *stepBench {
	backend, used, err := NewBackend(os.Getenv("CLBENCH_BACKEND"))
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("backend %s, build %s", used, Build())
	cfg, err := ModelSize(size)
	if err != nil {
		b.Fatal(err)
	}
	rows, stream, flops := 128, benchImages(128), 128*cfg.MLPForwardFLOPs(784, 2)
	if !cfg.IsMLP() {
		rows, stream, flops = 32, benchStream(32, cfg.MaxLen-1), 32*cfg.ForwardFLOPs(cfg.MaxLen, 0)
	}
	m, err := NewModel(cfg, stream, 1)
	if err != nil {
		b.Fatal(err)
	}
	s := &Session{Model: m, Stream: stream, Seed: 1, Train: DefaultTrainConfig, Backend: backend,
		strategy: plain{}}
	s.resetGraphs()
	tok := tasks.Tokenizer{Buckets: cfg.Buckets}
	enc := encodeSplit(tok, cfg.MaxLen, tasks.Classify, stream.Tasks[0].Train)
	s.train, s.test = []encodedSplit{enc}, []encodedSplit{enc}
	if err := s.resetOptimizer(true); err != nil {
		b.Fatal(err)
	}
	batch := Batch{Task: 0, Split: TrainSplit, Examples: make([]int, rows), Weight: 1}
	for i := range batch.Examples {
		batch.Examples[i] = i
	}
	return &stepBench{s: s, batch: batch, cfg: cfg, rows: rows, flops: flops}
}

// report adds throughput and arithmetic rate: flops is the work of one
// operation (see ModelConfig.ForwardFLOPs), peak from PeakGFLOPS.
// Tokens/s is left out for the mlp, which reads no tokens.
func (sb *stepBench) report(b *testing.B, flops float64) {
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(sb.rows)/sec, "examples/s")
	if !sb.cfg.IsMLP() {
		b.ReportMetric(float64(sb.rows*sb.cfg.MaxLen)/sec, "tokens/s")
	}
	gflops := flops / sec / 1e9
	b.ReportMetric(gflops, "GFLOP/s")
	if peak := PeakGFLOPS(); peak > 0 {
		b.ReportMetric(100*gflops/peak, "%peak")
	}
}

var benchSizes = []string{"micro", "tiny", "small", "mlp400", "mlp1000"}

// BenchmarkTrainStep measures one training step (forward, backward,
// Adam) on 32 sequences of each Transformer size's full length, or 128
// images for an mlp. Set
// CLBENCH_BACKEND to a backend configuration to measure another.
func BenchmarkTrainStep(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size, func(b *testing.B) {
			sb := newStepBench(b, size)
			step := func() {
				if _, err := sb.s.trainStep(0, []Batch{sb.batch}); err != nil {
					b.Fatal(err)
				}
			}
			step() // compile outside the timing
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				step()
			}
			sb.report(b, 3*sb.flops)
		})
	}
}

// BenchmarkEvalStep measures scoring a batch (forward and argmax).
func BenchmarkEvalStep(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size, func(b *testing.B) {
			sb := newStepBench(b, size)
			eval := sb.batch
			eval.Split = TestSplit
			score := func() {
				if _, err := sb.s.predict(eval, sb.rows); err != nil {
					b.Fatal(err)
				}
			}
			score()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				score()
			}
			sb.report(b, sb.flops)
		})
	}
}
