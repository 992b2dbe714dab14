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

// BenchmarkTrainStep measures one training step of the tiny model at
// batch 32 and 64 tokens. Set CLBENCH_BACKEND to try a backend config.
func BenchmarkTrainStep(b *testing.B) {
	backend, used, err := NewBackend(os.Getenv("CLBENCH_BACKEND"))
	if err != nil {
		b.Fatal(err)
	}
	cfg, _ := ModelSize("tiny")
	stream := benchStream(32, cfg.MaxLen-1)
	m, err := NewModel(cfg, stream, 1)
	if err != nil {
		b.Fatal(err)
	}
	s := &Session{Model: m, Stream: stream, Seed: 1, Train: DefaultTrainConfig, Backend: backend,
		strategy: plain{}}
	s.resetGraphs()
	tok := tasks.Tokenizer{Buckets: cfg.Buckets}
	s.train = []encodedSplit{encodeSplit(tok, cfg.MaxLen, tasks.Classify, stream.Tasks[0].Train)}
	if err := s.resetOptimizer(true); err != nil {
		b.Fatal(err)
	}
	batch := []Batch{{Task: 0, Split: TrainSplit, Examples: make([]int, 32)}}
	for i := range batch[0].Examples {
		batch[0].Examples[i] = i
	}
	if _, err := s.trainStep(0, batch); err != nil { // compile outside the timing
		b.Fatal(err)
	}
	b.Logf("backend %s", used)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.trainStep(0, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(32*b.N)/b.Elapsed().Seconds(), "examples/s")
}
