package bench

import (
	"fmt"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/clbench/clbench/tasks"
)

// distinctWords is one classify task of 8 examples that share no word,
// so that two batches of it use different rows of the token table
// (apart from the [CLS] row every sequence starts with).
func distinctWords() *tasks.Stream {
	task := &tasks.Task{Name: "distinct", Kind: tasks.Classify, Labels: []string{"no", "yes"}}
	for i := 0; i < 8; i++ {
		var words []string
		for j := 0; j < 5; j++ {
			words = append(words, fmt.Sprintf("e%dw%d", i, j))
		}
		task.Train = append(task.Train, tasks.Example{Words: words, Label: i % 2})
	}
	task.Test = task.Train
	return &tasks.Stream{Name: "distinct", Version: "1", Tasks: []*tasks.Task{task}}
}

// toySession is a micro model's session on the first task of stream,
// ready for trainStep.
func toySession(t *testing.T, stream *tasks.Stream) *Session {
	t.Helper()
	backend, _, err := NewBackend("")
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := ModelSize("micro")
	m, err := NewModel(cfg, stream, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := &Session{Model: m, Stream: stream, Seed: 1, Train: DefaultTrainConfig,
		Backend: backend, strategy: plain{}}
	s.resetGraphs()
	tok := tasks.Tokenizer{Buckets: cfg.Buckets}
	s.train = []encodedSplit{encodeSplit(tok, cfg.MaxLen, tasks.Classify, stream.Tasks[0].Train)}
	if err := s.resetOptimizer(true); err != nil {
		t.Fatal(err)
	}
	return s
}

// tableRows returns the token table and its two Adam moments, each as
// rows of floats.
func tableRows(t *testing.T, s *Session) [3][][]float32 {
	t.Helper()
	var out [3][][]float32
	for i, path := range []string{tokenTable, adamScope + tokenTable + "/m1", adamScope + tokenTable + "/m2"} {
		v, err := s.Model.store.GetVariable(path).Value()
		if err != nil {
			t.Fatal(err)
		}
		flat := tensors.MustCopyFlatData[float32](v)
		width := v.Shape().Dimensions[1]
		for r := 0; r*width < len(flat); r++ {
			out[i] = append(out[i], flat[r*width:(r+1)*width])
		}
	}
	return out
}

// usedRows is the set of token ids in batch b.
func usedRows(s *Session, b Batch) map[int]bool {
	tok, _ := s.BatchTensors(b, len(b.Examples))
	used := map[int]bool{}
	for _, id := range tensors.MustCopyFlatData[int32](tok) {
		used[int(id)] = true
	}
	return used
}

func sameRow(a, b []float32) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// From fresh moments, one lazy step is dense Adam exactly: a row with a
// zero gradient gets a zero update either way. On the next step a row
// that only the first batch used keeps its value and moments under lazy
// Adam, where dense Adam would move it by its momentum; rows the second
// batch uses change.
func TestLazyAdamUpdatesOnlyTheStepsRows(t *testing.T) {
	first := Batch{Task: 0, Split: TrainSplit, Examples: []int{0, 1, 2, 3}, Weight: 1}
	second := Batch{Task: 0, Split: TrainSplit, Examples: []int{4, 5, 6, 7}, Weight: 1}
	step := func(s *Session, b Batch) {
		t.Helper()
		if _, err := s.trainStep(0, []Batch{b}); err != nil {
			t.Fatal(err)
		}
	}

	lazy := toySession(t, distinctWords())
	before := tableRows(t, lazy)
	step(lazy, first)
	afterFirst := tableRows(t, lazy)

	lazyTokenTable = false
	dense := toySession(t, distinctWords())
	step(dense, first)
	denseFirst := tableRows(t, dense)
	step(dense, second)
	denseSecond := tableRows(t, dense)
	lazyTokenTable = true

	for k, name := range []string{"table", "m1", "m2"} {
		for r := range afterFirst[k] {
			if !sameRow(afterFirst[k][r], denseFirst[k][r]) {
				t.Fatalf("after one step, %s row %d differs from dense Adam", name, r)
			}
		}
	}

	step(lazy, second)
	afterSecond := tableRows(t, lazy)
	used1, used2 := usedRows(lazy, first), usedRows(lazy, second)
	onlyFirst, changed := 0, 0
	for r := range afterSecond[0] {
		switch {
		case used2[r]:
			if !sameRow(afterSecond[1][r], afterFirst[1][r]) {
				changed++
			}
		case used1[r]:
			onlyFirst++
			for k, name := range []string{"table", "m1", "m2"} {
				if !sameRow(afterSecond[k][r], afterFirst[k][r]) {
					t.Errorf("row %d, used only by the first batch, had its %s changed by the second step", r, name)
				}
			}
			if sameRow(denseSecond[0][r], denseFirst[0][r]) {
				t.Errorf("row %d: dense Adam did not move it either, so this test proves nothing", r)
			}
		default:
			if !sameRow(afterSecond[0][r], before[0][r]) {
				t.Errorf("row %d, never used, changed", r)
			}
		}
	}
	if onlyFirst == 0 || changed == 0 {
		t.Fatalf("the batches share all their rows (%d only in the first, %d changed by the second): pick others", onlyFirst, changed)
	}
}
