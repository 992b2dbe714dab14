// Package toy makes a small stream in code for tests: tasks decided by
// single cue words, learnt by the micro model in a second.
package toy

import (
	"math/rand/v2"

	"github.com/clbench/clbench/tasks"
)

// Stream is three small tasks decided by single cue words, made in
// code so that strategy tests need no data and run in about a second:
// two classify tasks with different cue words, and a tag task between
// them. n is the number of examples per task (a quarter go to test).
func Stream(n int) *tasks.Stream {
	r := rand.New(rand.NewPCG(11, 12))
	filler := []string{"the", "a", "of", "and", "to", "in", "is", "it", "that", "was"}
	sentence := func() []string {
		w := make([]string, 4+r.IntN(6))
		for i := range w {
			w[i] = filler[r.IntN(len(filler))]
		}
		return w
	}
	cue := func(name, word string) *tasks.Task {
		t := &tasks.Task{Name: name, Kind: tasks.Classify, Labels: []string{"no", "yes"}}
		for i := 0; i < n; i++ {
			w, label := sentence(), r.IntN(2)
			if label == 1 {
				w[r.IntN(len(w))] = word
			}
			ex := tasks.Example{Words: w, Label: label}
			if i%4 == 0 {
				t.Test = append(t.Test, ex)
			} else {
				t.Train = append(t.Train, ex)
			}
		}
		return t
	}
	tag := &tasks.Task{Name: "names", Kind: tasks.Tag, Labels: []string{"O", "B-person", "I-person"}}
	for i := 0; i < n; i++ {
		w := sentence()
		tags := make([]int, len(w))
		p := r.IntN(len(w) - 1)
		w[p], w[p+1] = "ada", "lovelace"
		tags[p], tags[p+1] = 1, 2
		ex := tasks.Example{Words: w, Tags: tags}
		if i%4 == 0 {
			tag.Test = append(tag.Test, ex)
		} else {
			tag.Train = append(tag.Train, ex)
		}
	}
	return &tasks.Stream{Name: "toy", Version: "1",
		Tasks: []*tasks.Task{cue("splendid", "splendid"), tag, cue("awful", "awful")}}
}
