package strategies

import (
	"fmt"
	"math/rand/v2"

	"github.com/clbench/clbench/bench"
	"github.com/clbench/clbench/tasks"
)

func init() {
	MustRegister(Info{
		Name:   "replay",
		Family: Fuse,
		Summary: "a class-balanced reservoir of old examples, shared evenly over the tasks " +
			"seen, mixed into every training step of later tasks",
		Params: replayParams,
		New: func(cfg Config) (bench.Strategy, error) {
			return newReplay("replay", cfg)
		},
	})
}

// replayParams are the parameters of replay, which every strategy built
// on its memory (contrastive-replay, agem, der++) shares.
var replayParams = []Param{
	{Name: "memory", Default: "200",
		Doc: "examples kept over all tasks, split as evenly as possible between them"},
	{Name: "batch", Default: "32",
		Doc: "examples in each replayed batch (the training batch size)"},
}

// replay is experience replay (Chaudhry et al. 2019, "On Tiny Episodic
// Memories in Continual Learning"): after each task a few of its
// training examples join a fixed-budget memory, and every training step
// of a later task adds one batch drawn from the memory, trained in the
// same update as the new batch and with the same weight.
type replay struct {
	name  string
	mem   *exampleMemory
	batch int
	// mix draws the replayed batches of the current task.
	mix *rand.Rand
}

func newReplay(name string, cfg Config) (*replay, error) {
	budget, err := cfg.Int("memory")
	if err != nil {
		return nil, err
	}
	if budget < 1 {
		return nil, fmt.Errorf("memory must be at least 1 example, got %d", budget)
	}
	batch, err := cfg.Int("batch")
	if err != nil {
		return nil, err
	}
	if batch < 1 {
		return nil, fmt.Errorf("batch must be at least 1 example, got %d", batch)
	}
	return &replay{name: name, mem: newExampleMemory(budget), batch: batch}, nil
}

func (r *replay) Name() string { return r.name }

// ExamplesStored is the number of examples the memory holds now.
func (r *replay) ExamplesStored() int { return r.mem.Len() }

func (r *replay) BeforeTask(s *bench.Session, task int) error {
	r.mix = s.Rand(fmt.Sprintf("replay/mix/task%d", task))
	return nil
}

// AfterTask offers the task's training examples to the memory.
func (r *replay) AfterTask(s *bench.Session, task int) error {
	r.mem.Add(task, exampleClasses(s.Stream.Tasks[task]),
		s.Rand(fmt.Sprintf("replay/memory/task%d", task)))
	return nil
}

// Mix adds one batch of a stored task, drawn uniformly among the tasks
// in memory, to each step.
func (r *replay) Mix(_ *bench.Session, _ int, _ bench.Batch) []bench.Batch {
	old, ok := r.draw(1)
	if !ok {
		return nil
	}
	return []bench.Batch{old}
}

// draw samples one memory batch of the given weight; ok is false while
// the memory is empty (during the first task).
func (r *replay) draw(weight float64) (b bench.Batch, ok bool) {
	task, examples := r.mem.Sample(r.mix, r.batch)
	if len(examples) == 0 {
		return bench.Batch{}, false
	}
	return bench.Batch{Task: task, Split: bench.TrainSplit, Examples: examples, Weight: weight}, true
}

// exampleClasses returns the class of each training example of t, which
// the memory balances: the label of a classify example, and 0 for every
// example of a tag task (a sentence has no single class).
func exampleClasses(t *tasks.Task) []int {
	classes := make([]int, len(t.Train))
	if t.Kind == tasks.Tag {
		return classes
	}
	for i, ex := range t.Train {
		classes[i] = ex.Label
	}
	return classes
}

// exampleMemory holds at most budget training examples, split as evenly
// as the tasks' sizes allow between the tasks added so far: after each
// Add it holds min(budget, examples offered) of them.
//
// Each task's examples are kept in a random order that takes the
// classes in turn (class-balanced, as in Chrysakis and Moens 2020), and
// the memory holds a prefix of that order. A prefix of a random order is
// a uniform random subset, which is what a reservoir (Vitter's
// Algorithm R) holds after seeing the task; as later tasks shrink a
// task's share, the prefix shortens, so what remains is still a uniform,
// class-balanced sample.
type exampleMemory struct {
	budget int
	tasks  []int   // tasks in the order they were added
	kept   [][]int // kept[i]: the examples held of tasks[i]
}

func newExampleMemory(budget int) *exampleMemory {
	return &exampleMemory{budget: budget}
}

// Add offers a task's examples (0..len(classes)-1, classes[i] the class
// of example i) and shrinks the older tasks' shares to make room.
func (m *exampleMemory) Add(task int, classes []int, r *rand.Rand) {
	order := balancedOrder(classes, r)
	m.tasks = append(m.tasks, task)
	m.kept = append(m.kept, order[:min(len(order), m.budget)])

	held := make([]int, len(m.kept))
	for i, k := range m.kept {
		held[i] = len(k)
	}
	for i, n := range evenShares(m.budget, held) {
		m.kept[i] = m.kept[i][:n]
	}
}

// balancedOrder shuffles each class's examples, shuffles the classes,
// and then takes one example of each class in turn.
func balancedOrder(classes []int, r *rand.Rand) []int {
	byClass := map[int][]int{}
	var names []int
	for i, c := range classes {
		if _, seen := byClass[c]; !seen {
			names = append(names, c)
		}
		byClass[c] = append(byClass[c], i)
	}
	for _, c := range names {
		idx := byClass[c]
		r.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	}
	r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })

	order := make([]int, 0, len(classes))
	for round := 0; len(order) < len(classes); round++ {
		for _, c := range names {
			if round < len(byClass[c]) {
				order = append(order, byClass[c][round])
			}
		}
	}
	return order
}

// evenShares splits budget into one share per task, as evenly as
// possible, with share i at most held[i]: one example to each task in
// turn until the budget or the examples run out. Earlier tasks get the
// remainder (10 over three tasks: 4, 3, 3).
func evenShares(budget int, held []int) []int {
	shares := make([]int, len(held))
	for left := budget; left > 0; {
		gave := false
		for i := range shares {
			if left > 0 && shares[i] < held[i] {
				shares[i]++
				left--
				gave = true
			}
		}
		if !gave {
			break
		}
	}
	return shares
}

// Len is the number of examples held.
func (m *exampleMemory) Len() int {
	n := 0
	for _, k := range m.kept {
		n += len(k)
	}
	return n
}

// Held returns the examples held of task (nil if none).
func (m *exampleMemory) Held(task int) []int {
	for i, t := range m.tasks {
		if t == task {
			return m.kept[i]
		}
	}
	return nil
}

// Sample picks a task uniformly among those with examples held, then
// up to size of its examples without replacement. It returns no
// examples when the memory is empty.
func (m *exampleMemory) Sample(r *rand.Rand, size int) (task int, examples []int) {
	var stored []int
	for i, k := range m.kept {
		if len(k) > 0 {
			stored = append(stored, i)
		}
	}
	if len(stored) == 0 {
		return 0, nil
	}
	i := stored[r.IntN(len(stored))]
	held := m.kept[i]
	if size >= len(held) {
		return m.tasks[i], append([]int(nil), held...)
	}
	perm := r.Perm(len(held))[:size]
	examples = make([]int, size)
	for j, p := range perm {
		examples[j] = held[p]
	}
	return m.tasks[i], examples
}
