package strategies

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/clbench/clbench/bench"
	"github.com/clbench/clbench/metrics"
)

// memoryOf offers tasks 0..len(sizes)-1 of the given sizes, two
// classes each, to a memory of budget, and checks after every task that
// it never holds more than the budget.
func memoryOf(t *testing.T, budget int, sizes ...int) *exampleMemory {
	t.Helper()
	m := newExampleMemory(budget)
	r := rand.New(rand.NewPCG(1, 2))
	for task, n := range sizes {
		classes := make([]int, n)
		for i := range classes {
			classes[i] = i % 2
		}
		m.Add(task, classes, r)
		if m.Len() > budget {
			t.Fatalf("after task %d the memory holds %d examples, budget %d", task, m.Len(), budget)
		}
	}
	return m
}

// The case: 3 + 3 + 3 examples fit in a budget of 10, so all 9
// are kept, 3 per task.
func TestReplayMemoryKeepsAllWhenUnderBudget(t *testing.T) {
	m := memoryOf(t, 10, 3, 3, 3)
	if m.Len() != 9 {
		t.Fatalf("memory holds %d examples, want 9 (3 tasks x 3, under the budget of 10)", m.Len())
	}
	for task := 0; task < 3; task++ {
		if n := len(m.Held(task)); n != 3 {
			t.Errorf("task %d: %d examples held, want 3", task, n)
		}
	}
}

// 10 over three tasks of 100: after task 1 all 10 slots are task 1's,
// after task 2 it is 5/5, after task 3 the even split of 10 is 4/3/3
// (the remainder goes to the earliest task).
func TestReplayMemorySharesBudgetEvenly(t *testing.T) {
	cases := []struct {
		name  string
		sizes []int
		want  []int
	}{
		{"one task", []int{100}, []int{10}},
		{"two tasks", []int{100, 100}, []int{5, 5}},
		{"three tasks", []int{100, 100, 100}, []int{4, 3, 3}},
		// A small task keeps all it has; the others share the rest:
		// 10 - 2 = 8, split 4/4.
		{"small middle task", []int{100, 2, 100}, []int{4, 2, 4}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := memoryOf(t, 10, c.sizes...)
			for task, want := range c.want {
				if got := len(m.Held(task)); got != want {
					t.Errorf("task %d: %d held, want %d", task, got, want)
				}
			}
		})
	}
}

// Each task's share is class-balanced: 5 of 100 examples of two equal
// classes hold 3 and 2 of them (in some order), never 5 and 0.
func TestReplayMemoryIsClassBalanced(t *testing.T) {
	m := memoryOf(t, 10, 100, 100)
	for task := 0; task < 2; task++ {
		count := [2]int{}
		for _, i := range m.Held(task) {
			count[i%2]++ // memoryOf gives example i the class i%2
		}
		if count[0] < 2 || count[1] < 2 {
			t.Errorf("task %d: classes held %v, want 3 and 2", task, count)
		}
	}
}

// A memory batch holds examples of one stored task only, at most the
// batch size, without repeats.
func TestReplayMemorySampleIsOneTask(t *testing.T) {
	m := memoryOf(t, 30, 100, 100)
	r := rand.New(rand.NewPCG(3, 4))
	seen := map[int]bool{}
	for range 20 {
		task, ex := m.Sample(r, 8)
		seen[task] = true
		if len(ex) != 8 {
			t.Fatalf("sample of 8 from 15 held has %d examples", len(ex))
		}
		held := map[int]bool{}
		for _, i := range m.Held(task) {
			held[i] = true
		}
		dup := map[int]bool{}
		for _, i := range ex {
			if !held[i] || dup[i] {
				t.Fatalf("sample %v of task %d: %d is not held or repeated", ex, task, i)
			}
			dup[i] = true
		}
	}
	if !seen[0] || !seen[1] {
		t.Errorf("20 samples drew tasks %v, want both stored tasks", seen)
	}
}

// Replay keeps examples of the first task and trains on them while the
// third task (a classify task on the same sentences with another cue)
// trains, so it forgets less than finetune with the same seed.
func TestReplayForgetsLessThanFinetune(t *testing.T) {
	ft := finetuneRun(t)
	rp := replayRun(t)
	f, r := metrics.Forgetting(ft.R), metrics.Forgetting(rp.R)
	t.Logf("forgetting: replay %.3f, finetune %.3f", r.X, f.X)
	if !(r.X < f.X) {
		t.Errorf("forgetting: replay %.3f, finetune %.3f; want replay lower", r.X, f.X)
	}
	// 150 training examples per toy task; a budget of 200 holds 150 of
	// the first task, then 100 + 100, then 67 + 67 + 66.
	if rp.Cost.ExamplesStored != 200 {
		t.Errorf("examples stored = %d, want 200", rp.Cost.ExamplesStored)
	}
}

// replayRun and finetuneRun are replay and finetune with their
// defaults and seed 1 on the toy stream, run once for the tests of this
// package that compare with them.
func replayRun(t *testing.T) *bench.Outcome { return onceRun(t, "replay") }

func finetuneRun(t *testing.T) *bench.Outcome { return onceRun(t, "finetune") }

var (
	onceMu  sync.Mutex
	onceOut = map[string]*bench.Outcome{}
)

func onceRun(t *testing.T, name string) *bench.Outcome {
	t.Helper()
	onceMu.Lock()
	defer onceMu.Unlock()
	if out, ok := onceOut[name]; ok {
		return out
	}
	out := runStrategy(t, name, nil, 1)
	onceOut[name] = out
	return out
}
