package bench

import (
	"context"
	"math"
	"testing"

	"github.com/clbench/clbench/internal/toy"
)

type plain struct{}

func (plain) Name() string { return "plain" }

func runToy(t *testing.T, s Strategy, seed int64) *Outcome {
	t.Helper()
	return runToySpec(t, RunSpec{Stream: toy.Stream(256), Strategy: s, Seed: seed}, 4)
}

// runToySpec runs spec with the micro model, the default backend and
// the default protocol for the given epochs.
func runToySpec(t *testing.T, spec RunSpec, epochs int) *Outcome {
	t.Helper()
	backend, _, err := NewBackend("")
	if err != nil {
		t.Fatal(err)
	}
	spec.Model, _ = ModelSize("micro")
	spec.Train = DefaultTrainConfig
	spec.Train.Epochs = epochs
	spec.Backend = backend
	out, err := Run(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRunLearnsToyTasks(t *testing.T) {
	out := runToy(t, plain{}, 1)
	t.Logf("untrained %v, R %v", out.Untrained, out.R)
	// Each task is decided by one word, so a trained model is near
	// perfect right after its task; 0.9 leaves room for a tiny model.
	for k := range out.R {
		if got := out.R[k][k]; !(got >= 0.9) {
			t.Errorf("R[%d][%d] = %.3f after training task %d, want >= 0.9", k, k, got, k+1)
		}
	}
	if math.IsNaN(out.Untrained[0]) {
		t.Errorf("untrained score not measured")
	}
}

func TestRunIsDeterministic(t *testing.T) {
	a := runToy(t, plain{}, 7)
	b := runToy(t, plain{}, 7)
	for i := range a.R {
		for j := range a.R[i] {
			if math.Float64bits(a.R[i][j]) != math.Float64bits(b.R[i][j]) {
				t.Errorf("R[%d][%d]: %v then %v with the same seed", i, j, a.R[i][j], b.R[i][j])
			}
		}
	}
}
