package strategies

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/clbench/clbench/bench"
)

// isolating is what every Isolate and Expand strategy implements.
type isolating interface {
	bench.Strategy
	bench.TaskHooks
	bench.Freezer
	bench.EncoderHooks
}

// paramSpy runs an isolating strategy and snapshots every parameter
// right after each task's BeforeTask (the task's new parameters as
// initialised) and after each AfterTask (as trained). After task k it
// also keeps logits[k][j], the logits of the first test examples of
// every task j <= k: scores are too coarse to show a small leak.
type paramSpy struct {
	isolating
	before, after []map[string]*tensors.Tensor
	logits        [][][]float32
}

func (p *paramSpy) BeforeTask(s *bench.Session, task int) error {
	if err := p.isolating.BeforeTask(s, task); err != nil {
		return err
	}
	snap, err := s.Snapshot()
	p.before = append(p.before, snap)
	return err
}

func (p *paramSpy) AfterTask(s *bench.Session, task int) error {
	if err := p.isolating.AfterTask(s, task); err != nil {
		return err
	}
	snap, err := s.Snapshot()
	if err != nil {
		return err
	}
	p.after = append(p.after, snap)
	var row [][]float32
	for j := 0; j <= task; j++ {
		b := bench.Batch{Task: j, Split: bench.TestSplit}
		for i := 0; i < min(16, s.Size(j, bench.TestSplit)); i++ {
			b.Examples = append(b.Examples, i)
		}
		lg, err := s.Logits(b, len(b.Examples))
		if err != nil {
			return err
		}
		row = append(row, tensors.MustCopyFlatData[float32](lg))
		lg.FinalizeAll()
	}
	p.logits = append(p.logits, row)
	return nil
}

// sameTensor reports whether two parameter values are bit-identical.
func sameTensor(a, b *tensors.Tensor) bool {
	return sameValues(tensors.MustCopyFlatData[float32](a), tensors.MustCopyFlatData[float32](b))
}

func sameValues(x, y []float32) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
			return false
		}
	}
	return true
}

// checkIsolation runs the named strategy on the toy stream and checks
// what parameter isolation promises, each check failing if the
// isolation were missing:
//   - each old task's score is bit-identical after every later task
//     (R[i][j] = R[j][j] for i > j): forgetting exactly 0; and so are
//     its logits, which would show a leak too small to flip a label;
//   - the backbone after the last task is bit-identical to the
//     backbone after the first (frozen from the second task on);
//   - each task's added parameters (under root/task<k>) and head changed
//     while it trained, so they are used, and are bit-identical at the
//     end, so later tasks left them alone.
//
// It returns the outcome for the strategy's own checks.
func checkIsolation(t *testing.T, name, root string) *bench.Outcome {
	t.Helper()
	s, _, err := Default.New(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	spy := &paramSpy{isolating: s.(isolating)}
	out := runWith(t, spy, 1)

	T := len(out.R)
	for j := 0; j < T; j++ {
		for i := j + 1; i < T; i++ {
			if math.Float64bits(out.R[i][j]) != math.Float64bits(out.R[j][j]) {
				t.Errorf("R[%d][%d] = %v after later tasks, want exactly R[%d][%d] = %v",
					i, j, out.R[i][j], j, j, out.R[j][j])
			}
		}
	}

	for j := 0; j < T; j++ {
		for i := j + 1; i < T; i++ {
			if !sameValues(spy.logits[i][j], spy.logits[j][j]) {
				t.Errorf("task %d's logits changed after task %d", j, i)
			}
		}
	}

	first, last := spy.after[0], spy.after[T-1]
	owned := func(path string, task int) bool {
		return strings.HasPrefix(path, bench.HeadPath(task)+"/") ||
			strings.HasPrefix(path, fmt.Sprintf("%s/task%d/", root, task))
	}
	for path, v := range last {
		switch {
		case strings.HasPrefix(path, "/head/"), strings.HasPrefix(path, root+"/"):
			continue
		case !sameTensor(first[path], v):
			t.Errorf("backbone parameter %s changed after the first task", path)
		}
	}
	added := 0
	for k := 0; k < T; k++ {
		for path, trained := range spy.after[k] {
			if !owned(path, k) {
				continue
			}
			if strings.HasPrefix(path, root+"/") {
				added++
			}
			if sameTensor(spy.before[k][path], trained) {
				t.Errorf("task %d's parameter %s did not train: is it used?", k, path)
			}
			if !sameTensor(trained, last[path]) {
				t.Errorf("task %d's parameter %s changed after task %d", k, path, k)
			}
		}
	}
	if added == 0 {
		t.Errorf("no parameters found under %s", root)
	}
	return out
}

// wantAdded is the number of weights each strategy adds with its
// defaults on the micro model (1 block, width 32, 2 heads of width 16,
// FFN 64) over the toy stream's 3 tasks, counted by hand:
//   - adapter (r 16): per adapter down 32·16+16 and up 16·32+32 = 1072;
//     2 per block, 1 block, 3 tasks: 6432;
//   - prefix (length 8): keys and values 2·8·32 = 512 per block and
//     task; 3 tasks: 1536;
//   - lora (rank 4, query and value): A 32·4 + B 4·32 = 256 per target;
//     2 targets, 3 tasks: 1536;
//   - head-expansion (1 head of width 16): query, key, value
//     3·(32·16+16) = 1584 and output 16·32 = 512, 2096 per block; for
//     tasks 2 and 3 only: 4192;
//   - layer-expansion (1 block): norms 4·32 = 128, attention
//     4·(32·32+32) = 4224, FFN 32·64+64 + 64·32+32 = 4192, 8544 per
//     block; for tasks 2 and 3 only: 17088.
var wantAdded = map[string]int64{
	"adapter":         6432,
	"prefix":          1536,
	"lora":            1536,
	"head-expansion":  4192,
	"layer-expansion": 17088,
}

// checkAdded compares the cost column of parameters added with the
// count derived by hand in wantAdded.
func checkAdded(t *testing.T, name string, out *bench.Outcome) {
	t.Helper()
	if got, want := out.Cost.ParamsAdded, wantAdded[name]; got != want || got <= 0 {
		t.Errorf("%s added %d weights, want %d (derived in wantAdded)", name, got, want)
	}
}

// The backbone trains on the first task only, and not at all with
// train_backbone_first=false; a task's own parameters and head always
// train, other tasks' never.
func TestIsolationTrainable(t *testing.T) {
	on, err := newIsolation("/x", Config{"train_backbone_first": "true"})
	if err != nil {
		t.Fatal(err)
	}
	off, err := newIsolation("/x", Config{"train_backbone_first": "false"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		iso     isolation
		task    int
		path    string
		trained bool
	}{
		{on, 0, "/block0/attn/query/weights", true},
		{on, 1, "/block0/attn/query/weights", false},
		{off, 0, "/embed/tokens", false},
		{on, 0, "/head/task0/weights", true},
		{on, 1, "/head/task0/weights", false},
		{on, 1, "/head/task1/weights", true},
		{on, 1, "/x/task1/block0/a", true},
		{on, 1, "/x/task0/block0/a", false},
		{on, 0, "/x/task1/block0/a", false},
		{off, 2, "/x/task2/block0/a", true},
	}
	for _, c := range cases {
		if got := c.iso.Trainable(nil, c.task, c.path); got != c.trained {
			t.Errorf("backbone first %t, task %d, %s: trainable %t, want %t",
				c.iso.trainBackbone, c.task, c.path, got, c.trained)
		}
	}
}

// Bad parameter values are errors when the strategy is made, before
// any training.
func TestIsolationRejectsBadParams(t *testing.T) {
	cases := []struct {
		name   string
		params map[string]string
	}{
		{"adapter", map[string]string{"size": "0"}},
		{"adapter", map[string]string{"train_backbone_first": "maybe"}},
		{"prefix", map[string]string{"length": "-1"}},
		{"lora", map[string]string{"rank": "0"}},
		{"lora", map[string]string{"alpha": "0"}},
		{"lora", map[string]string{"targets": "query,bogus"}},
		{"lora", map[string]string{"targets": "value,value"}},
		{"lora", map[string]string{"targets": ""}},
		{"head-expansion", map[string]string{"heads": "0"}},
		{"layer-expansion", map[string]string{"blocks": "x"}},
	}
	for _, c := range cases {
		if _, _, err := Default.New(c.name, c.params); err == nil {
			t.Errorf("%s with %v: no error, want one", c.name, c.params)
		}
	}
}
