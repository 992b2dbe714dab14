package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clbench/clbench/internal/toy"
	"github.com/clbench/clbench/tasks"
)

// patternCorpus is text whose words follow from their neighbours:
// "w<i> w<i+1> ... w<i+5>" for i drawn at random among 40 starts, so a
// masked word is predictable from the words beside it.
func patternCorpus(n int) *tasks.Corpus {
	r := rand.New(rand.NewPCG(5, 6))
	line := func() []string {
		start := r.IntN(40)
		words := make([]string, 6)
		for j := range words {
			words[j] = fmt.Sprintf("w%d", start+j)
		}
		return words
	}
	c := &tasks.Corpus{Name: "pattern", Digest: "pattern-v1"}
	for i := 0; i < n; i++ {
		c.Train = append(c.Train, line())
	}
	for i := 0; i < 100; i++ {
		c.HeldOut = append(c.HeldOut, line())
	}
	return c
}

func pretrainMicro(t *testing.T) (*Base, ModelConfig) {
	t.Helper()
	backend, used, err := NewBackend("")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := ModelSize("micro")
	cfg := PretrainConfig{Corpus: "pattern", Epochs: 4, BatchSize: 32, LearningRate: 3e-3, MaskRate: 0.15, Seed: 1}
	b, err := Pretrain(context.Background(), backend, used, m, cfg, patternCorpus(1024), nil)
	if err != nil {
		t.Fatal(err)
	}
	m.Base = b.ID
	return b, m
}

func TestPretrainLearnsAndRunsKeepTheirBase(t *testing.T) {
	b, m := pretrainMicro(t)
	t.Logf("base %s: held-out masked-token accuracy %.3f after %.1f s", b.ID, b.Accuracy, b.Seconds)
	// One word in six is masked, and each follows from its neighbours:
	// a model that learnt the pattern predicts most of them; chance is
	// 1 in about 2,000 ids.
	if b.Accuracy < 0.5 {
		t.Errorf("held-out masked-token accuracy %.3f after pre-training, want >= 0.5", b.Accuracy)
	}

	// Saved and loaded, the base is the same.
	path := filepath.Join(t.TempDir(), b.ID+".base")
	if err := b.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadBase(path)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.ID != b.ID || loaded.Accuracy != b.Accuracy || len(loaded.Params) != len(b.Params) {
		t.Errorf("loaded base differs: %s %v %d", loaded.ID, loaded.Accuracy, len(loaded.Params))
	}

	backend, _, _ := NewBackend("")
	run := func(s Strategy) *Outcome {
		train := DefaultTrainConfig
		train.Epochs = 2
		out, err := Run(context.Background(), RunSpec{Stream: toy.Stream(128), Strategy: s, Seed: 1,
			Model: m, Train: train, Backend: backend, Base: b})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	general := func(out *Outcome) []float64 {
		var acc []float64
		for _, d := range out.Diagnostics {
			if d.Name == DiagGeneral {
				acc = append(acc, d.Value.X)
			}
		}
		return acc
	}

	// An encoder that never trains keeps the base's own score, exactly,
	// before training and after each of the three tasks.
	frozen := general(run(frozenEncoder{}))
	if len(frozen) != 4 {
		t.Fatalf("%d general scores, want 4 (untrained and after each task)", len(frozen))
	}
	for i, acc := range frozen {
		if acc != b.Accuracy {
			t.Errorf("after task %d the untouched base scores %v, its own score is %v", i, acc, b.Accuracy)
		}
	}
	// Fine-tuning the whole model on the toy's tasks moves it: some
	// score after a task differs from the base's (each is a share of
	// about 100 masked words, so any one of them may come out equal).
	tuned := general(run(plain{}))
	moved := false
	for _, acc := range tuned[1:] {
		moved = moved || acc != b.Accuracy
	}
	if tuned[0] != b.Accuracy || !moved {
		t.Errorf("finetune's general scores %v, base %v: want the base's first, then another", tuned, b.Accuracy)
	}
}

func TestRunRefusesAMismatchedBase(t *testing.T) {
	// Refused before the base is read, so it needs no parameters.
	m, _ := ModelSize("micro")
	m.Base = "b1"
	b := &Base{ID: "b1"}
	backend, _, _ := NewBackend("")
	for _, c := range []struct {
		model ModelConfig
		base  *Base
	}{
		{m, nil}, // the model names a base, none given
		{func() ModelConfig { m.Base = ""; return m }(), b}, // a base the model does not name
		{func() ModelConfig { m.Base = "other"; return m }(), b},
	} {
		_, err := Run(context.Background(), RunSpec{Stream: toy.Stream(64), Strategy: plain{}, Seed: 1,
			Model: c.model, Train: DefaultTrainConfig, Backend: backend, Base: c.base})
		if err == nil {
			t.Errorf("model base %q with %v ran", c.model.Base, baseID(c.base))
		}
	}
}

func TestBaseIDNamesItsInputs(t *testing.T) {
	m, _ := ModelSize("micro")
	id := BaseID(m, DefaultPretrain, "d", "go")
	for name, other := range map[string]string{
		"corpus":  BaseID(m, DefaultPretrain, "e", "go"),
		"backend": BaseID(m, DefaultPretrain, "d", "xla:cpu"),
		"epochs":  BaseID(m, func() PretrainConfig { c := DefaultPretrain; c.Epochs++; return c }(), "d", "go"),
	} {
		if other == id {
			t.Errorf("another %s gives the same base id", name)
		}
	}
	m.Base = "x"
	if BaseID(m, DefaultPretrain, "d", "go") != id {
		t.Errorf("the model's own base field changes the id")
	}
}

func TestLoadOrPretrainRefusesAForeignFile(t *testing.T) {
	// A cache file whose base is not the one its name promises (copied
	// or renamed by hand) is refused, not used.
	m, _ := ModelSize("micro")
	corpus := patternCorpus(64)
	id := BaseID(m, DefaultPretrain, corpus.Digest, "go")
	dir := t.TempDir()
	if err := (&Base{ID: "someone-else"}).Save(filepath.Join(dir, id+".base")); err != nil {
		t.Fatal(err)
	}
	backend, _, _ := NewBackend("")
	_, err := LoadOrPretrain(context.Background(), dir, backend, "go", m, DefaultPretrain, corpus, nil)
	if err == nil || !strings.Contains(err.Error(), "holds base someone-else") {
		t.Errorf("a foreign cache file gave %v", err)
	}
}
