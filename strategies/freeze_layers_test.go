package strategies

import (
	"math"
	"strings"
	"testing"

	"github.com/clbench/clbench/bench"
	"github.com/clbench/clbench/metrics"
)

// With k at least the model's depth (the micro model has 1 block),
// only each new task's head trains after the first task: every other
// parameter ends bit-identical to its value after the first task, and
// since each task has its own head, old tasks keep their scores exactly
// and forgetting is exactly 0.
func TestFreezeLayersAllFrozen(t *testing.T) {
	probe := &snapshotAfter{inner: newStrategy(t, "freeze-layers", map[string]string{"k": "5"})}
	out := runWith(t, probe, 1)
	first, last := probe.snaps[0], probe.snaps[len(probe.snaps)-1]
	for path, v := range first {
		same := sameBits(floats(v), floats(last[path]))
		trainsLater := strings.HasPrefix(path, bench.HeadPath(1)+"/") ||
			strings.HasPrefix(path, bench.HeadPath(2)+"/")
		if !trainsLater && !same {
			t.Errorf("%s changed after the first task", path)
		}
		if trainsLater && same {
			t.Errorf("%s, a later task's head, did not train", path)
		}
	}
	for i := 1; i < len(out.R); i++ {
		for j := 0; j < i; j++ {
			if out.R[i][j] != out.R[j][j] {
				t.Errorf("R[%d][%d] = %v, want R[%d][%d] = %v exactly", i, j, out.R[i][j], j, j, out.R[j][j])
			}
		}
	}
	if f := metrics.Forgetting(out.R); !f.Defined || f.X != 0 {
		t.Errorf("forgetting = %v, want exactly 0", f)
	}
}

// With k = 0 on the micro model only the embeddings freeze: they stay
// bit-identical after the first task while the block keeps training.
func TestFreezeLayersEmbeddingsOnly(t *testing.T) {
	probe := &snapshotAfter{inner: newStrategy(t, "freeze-layers", map[string]string{"k": "0"})}
	runWith(t, probe, 1)
	first, last := probe.snaps[0], probe.snaps[len(probe.snaps)-1]
	for path, v := range first {
		same := sameBits(floats(v), floats(last[path]))
		switch bench.ParamGroup(path) {
		case "embeddings":
			if !same {
				t.Errorf("%s changed after the first task", path)
			}
		case "attention", "ffn":
			if same {
				t.Errorf("%s froze, want it training", path)
			}
		}
	}
}

// Which parameters train, on the 2-block tiny model with k = 1: all in
// the first task; afterwards block1, the final norm and heads, but not
// the embeddings or block0.
func TestFreezeLayersTrainable(t *testing.T) {
	cfg, err := bench.ModelSize("tiny")
	if err != nil {
		t.Fatal(err)
	}
	s := &bench.Session{Model: &bench.Model{Config: cfg}}
	f := newStrategy(t, "freeze-layers", map[string]string{"k": "1"}).(bench.Freezer)
	for _, c := range []struct {
		task int
		path string
		want bool
	}{
		{0, "/embed/tokens", true},
		{0, "/block0/attn/query/weights", true},
		{1, "/embed/tokens", false},
		{1, "/embed/positions", false},
		{1, "/block0/attn/query/weights", false},
		{1, "/block0/ffn_norm/gain", false},
		{2, "/block1/attn/query/weights", true},
		{2, "/final_norm/gain", true},
		{2, "/head/task2/weights", true},
	} {
		if got := f.Trainable(s, c.task, c.path); got != c.want {
			t.Errorf("task %d, %s: trainable %t, want %t", c.task, c.path, got, c.want)
		}
	}
	if _, _, err := Default.New("freeze-layers", map[string]string{"k": "-1"}); err == nil {
		t.Error("k=-1 accepted")
	}
}

// The diagnostics see what freeze-layers froze: the parameter distance
// of a frozen group from the end of each earlier task is exactly 0, and
// that of a group still training is not. With k = 0 only the
// embeddings freeze; with k = 5 the whole encoder does, so its
// attention and representations of old probes do not move either.
func TestFreezeLayersDiagnostics(t *testing.T) {
	distance := func(out *bench.Outcome, after, task int, group string) float64 {
		t.Helper()
		for _, d := range out.Diagnostics {
			if d.AfterTask == after && d.Task == task && d.Name == bench.DiagParamDistance && d.Group == group {
				return d.Value.X
			}
		}
		t.Fatalf("no parameter distance of %s after task %d from task %d", group, after, task)
		return 0
	}
	pairs := [][2]int{{2, 1}, {3, 1}, {3, 2}}

	out := runToyStream(t, newStrategy(t, "freeze-layers", map[string]string{"k": "0"}), 1, true)
	for _, p := range pairs {
		if d := distance(out, p[0], p[1], "embeddings"); d != 0 {
			t.Errorf("k=0: frozen embeddings moved by %v from task %d to %d", d, p[1], p[0])
		}
		if d := distance(out, p[0], p[1], "attention"); !(d > 0) {
			t.Errorf("k=0: the training block's attention moved by %v from task %d to %d", d, p[1], p[0])
		}
	}

	out = runToyStream(t, newStrategy(t, "freeze-layers", map[string]string{"k": "5"}), 1, true)
	for _, p := range pairs {
		for _, g := range []string{"embeddings", "attention", "ffn", "norm", "head", "all"} {
			if d := distance(out, p[0], p[1], g); d != 0 {
				t.Errorf("k=5: %s moved by %v from task %d to %d", g, d, p[1], p[0])
			}
		}
	}
	for _, d := range out.Diagnostics {
		switch {
		case d.Name == bench.DiagAttentionKL && d.Value.X != 0,
			d.Name == bench.DiagInactive && d.Value.X != 0,
			d.Name == bench.DiagCKA && math.Abs(d.Value.X-1) > 1e-9:
			t.Errorf("k=5: %s %s = %v after task %d on task %d", d.Name, d.Group, d.Value.X, d.AfterTask, d.Task)
		}
	}
}
