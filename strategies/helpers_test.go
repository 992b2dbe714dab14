package strategies

import (
	"context"
	"math"
	"testing"

	"github.com/clbench/clbench/bench"
	"github.com/clbench/clbench/internal/toy"
)

// runStrategy runs the named strategy with the given parameters on the
// toy stream with the micro model, 4 epochs, and returns the outcome.
func runStrategy(t *testing.T, name string, params map[string]string, seed int64) *bench.Outcome {
	t.Helper()
	s, _, err := Default.New(name, params)
	if err != nil {
		t.Fatal(err)
	}
	return runWith(t, s, seed)
}

// runWith runs strategy s on the toy stream (see runStrategy).
func runWith(t *testing.T, s bench.Strategy, seed int64) *bench.Outcome {
	t.Helper()
	return runToyStream(t, s, seed, false)
}

// runToyStream is runWith, measuring the forgetting diagnostics when
// diagnostics is set.
func runToyStream(t *testing.T, s bench.Strategy, seed int64, diagnostics bool) *bench.Outcome {
	t.Helper()
	backend, _, err := bench.NewBackend("")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := bench.ModelSize("micro")
	if err != nil {
		t.Fatal(err)
	}
	train := bench.DefaultTrainConfig
	train.Epochs = 4
	out, err := bench.Run(context.Background(), bench.RunSpec{
		Stream: toy.Stream(200), Strategy: s, Seed: seed, Model: cfg, Train: train, Backend: backend,
		Diagnostics: diagnostics,
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameMatrix reports whether two outcomes measured bit-identical scores.
func sameMatrix(a, b *bench.Outcome) bool {
	for i := range a.R {
		for j := range a.R[i] {
			if math.Float64bits(a.R[i][j]) != math.Float64bits(b.R[i][j]) {
				return false
			}
		}
	}
	return true
}
