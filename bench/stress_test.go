package bench

import (
	"sync"
	"testing"
	"time"

	"github.com/clbench/clbench/internal/toy"
	"github.com/clbench/clbench/tasks"
)

// TestDefaultBackendDoesNotDeadlock runs many small training steps in
// the default backend configuration, from two sessions at once as
// `--jobs 2` does: GoMLX's Go backend with parallel operations was seen
// to deadlock, and a hang here fails the test after two minutes instead
// of stalling the suite.
func TestDefaultBackendDoesNotDeadlock(t *testing.T) {
	steps := 2000
	if testing.Short() {
		steps = 100
	}
	backend, _, err := NewBackend("")
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := ModelSize("micro")
	stream := toy.Stream(64)
	run := func(seed int64) error {
		m, err := NewModel(cfg, stream, seed)
		if err != nil {
			return err
		}
		s := &Session{Model: m, Stream: stream, Seed: seed, Train: DefaultTrainConfig,
			Backend: backend, strategy: plain{}}
		s.resetGraphs()
		tok := tasks.Tokenizer{Buckets: cfg.Buckets}
		s.train = []encodedSplit{encodeSplit(tok, cfg.MaxLen, tasks.Classify, stream.Tasks[0].Train)}
		if err := s.resetOptimizer(true); err != nil {
			return err
		}
		for i := 0; i < steps; i++ {
			b := Batch{Task: 0, Split: TrainSplit, Examples: []int{i % 40, (i + 1) % 40, (i + 7) % 40}, Weight: 1}
			if _, err := s.trainStep(0, []Batch{b}); err != nil {
				return err
			}
		}
		return nil
	}

	done := make(chan error, 2)
	var wg sync.WaitGroup
	for seed := int64(1); seed <= 2; seed++ {
		wg.Add(1)
		go func() { defer wg.Done(); done <- run(seed) }()
	}
	go func() { wg.Wait(); close(done) }()
	timeout := time.After(2 * time.Minute)
	for finished := 0; finished < 2; {
		select {
		case err, ok := <-done:
			if !ok {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			finished++
		case <-timeout:
			t.Fatalf("%d of 2 sessions finished %d steps within two minutes: a deadlock?", finished, steps)
		}
	}
}
