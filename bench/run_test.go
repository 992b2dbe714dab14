package bench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/clbench/clbench/tasks"
)

// toyStream is two small tasks whose answers are clear from single
// words: a classify task (does a cue word appear?) and a tag task (cue
// words are entities). Made in code, so bench's tests need no data.
func toyStream(n int) *tasks.Stream {
	r := rand.New(rand.NewPCG(1, 2))
	filler := []string{"the", "a", "of", "and", "to", "in", "is", "it", "that", "was"}
	sentence := func() []string {
		w := make([]string, 4+r.IntN(6))
		for i := range w {
			w[i] = filler[r.IntN(len(filler))]
		}
		return w
	}
	classify := &tasks.Task{Name: "cue", Kind: tasks.Classify, Labels: []string{"no", "yes"}}
	tag := &tasks.Task{Name: "names", Kind: tasks.Tag, Labels: []string{"O", "B-person", "I-person"}}
	for i := 0; i < n; i++ {
		w := sentence()
		label := r.IntN(2)
		if label == 1 {
			w[r.IntN(len(w))] = "splendid"
		}
		ex := tasks.Example{Words: w, Label: label}
		w2 := sentence()
		tags := make([]int, len(w2))
		p := r.IntN(len(w2) - 1)
		w2[p], w2[p+1] = "ada", "lovelace"
		tags[p], tags[p+1] = 1, 2
		ex2 := tasks.Example{Words: w2, Tags: tags}
		if i%4 == 0 {
			classify.Test = append(classify.Test, ex)
			tag.Test = append(tag.Test, ex2)
		} else {
			classify.Train = append(classify.Train, ex)
			tag.Train = append(tag.Train, ex2)
		}
	}
	return &tasks.Stream{Name: "toy", Version: "1", Tasks: []*tasks.Task{classify, tag}}
}

type plain struct{}

func (plain) Name() string { return "plain" }

func runToy(t *testing.T, s Strategy, seed int64) *Outcome {
	t.Helper()
	backend, _, err := NewBackend("")
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := ModelSize("micro")
	train := DefaultTrainConfig
	train.Epochs = 3
	out, err := Run(context.Background(), RunSpec{
		Stream: toyStream(256), Strategy: s, Seed: seed, Model: cfg, Train: train, Backend: backend,
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRunLearnsToyTasks(t *testing.T) {
	out := runToy(t, plain{}, 1)
	fmt.Println(out.Untrained, out.R, out.Cost)
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
