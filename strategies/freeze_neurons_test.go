package strategies

import (
	"fmt"
	"strings"
	"testing"

	"github.com/clbench/clbench/bench"
)

// neuronScores by hand, width 2 and 3 neurons: in is [2, 3] (row i,
// column j), out is [3, 2]. Neuron 0: bias 1 + column 0 of in (1 + 4)
// + row 0 of out (1 + 1) = 8; neuron 1: 0 + (2 + 5) + (0 + 0) = 7;
// neuron 2: 2 + (3 + 6) + (2 + 3) = 16.
func TestNeuronScores(t *testing.T) {
	in := []float32{1, 2, 3, 4, 5, 6}
	bias := []float32{1, 0, 2}
	out := []float32{1, 1, 0, 0, 2, 3}
	got := neuronScores(in, bias, out, 2)
	want := []float64{8, 7, 16}
	for j := range want {
		if got[j] != want[j] {
			t.Errorf("score of neuron %d = %g, want %g", j, got[j], want[j])
		}
	}
}

// topNeurons picks the highest scores among free neurons only, the
// lower index first among ties: scores 5 9 9 1 7 with neuron 1 already
// frozen, top 2 = neurons 2 (9) and 4 (7).
func TestTopNeurons(t *testing.T) {
	got := topNeurons([]float64{5, 9, 9, 1, 7}, []bool{false, true, false, false, false}, 2)
	if fmt.Sprint(got) != "[2 4]" {
		t.Errorf("top = %v, want [2 4]", got)
	}
	if got := topNeurons([]float64{1, 2}, []bool{true, false}, 5); fmt.Sprint(got) != "[1]" {
		t.Errorf("top of one free neuron = %v, want [1]", got)
	}
}

// After the first task, ceil(20% of 64) = 13 neurons of the micro
// model's block freeze. Every weight of theirs (column of ffn/in and
// its bias, row of ffn/out) ends the stream bit-identical to its value
// after the first task, while the free neurons' weights keep training.
func TestFreezeNeuronsMasks(t *testing.T) {
	fn := newStrategy(t, "freeze-neurons", nil).(*freezeNeurons)
	probe := &snapshotAfter{inner: fn}
	var afterFirst []bool
	probe.after = func(s *bench.Session, task int) error {
		if task == 0 {
			afterFirst = append([]bool(nil), fn.frozen[0]...)
		}
		return nil
	}
	runWith(t, probe, 1)
	count := 0
	for _, f := range afterFirst {
		if f {
			count++
		}
	}
	if count != 13 {
		t.Fatalf("%d neurons frozen after the first task, want 13", count)
	}

	first, last := probe.snaps[0], probe.snaps[len(probe.snaps)-1]
	const width, ffn = 32, 64 // the micro model
	changed := map[bool]int{} // by frozen: entries that changed
	total := map[bool]int{}
	for _, name := range []string{"in/weights", "in/bias", "out/weights"} {
		path := "/block0/ffn/" + name
		a, b := floats(first[path]), floats(last[path])
		for k := range a {
			var neuron int
			switch {
			case name == "in/weights":
				neuron = k % ffn // [width, ffn]
			case name == "in/bias":
				neuron = k
			default:
				neuron = k / width // [ffn, width]
			}
			frozen := afterFirst[neuron]
			total[frozen]++
			if !sameBits(a[k:k+1], b[k:k+1]) {
				changed[frozen]++
				if frozen {
					t.Errorf("%s[%d] of frozen neuron %d changed", path, k, neuron)
				}
			}
		}
	}
	if changed[false] < total[false]*9/10 {
		t.Errorf("only %d of %d weights of free neurons changed, want nearly all", changed[false], total[false])
	}
}

func TestFreezeNeuronsNeedsFreshOptimizer(t *testing.T) {
	fn := newStrategy(t, "freeze-neurons", nil).(*freezeNeurons)
	fn.frozen, fn.any = [][]bool{{true}}, true
	s := &bench.Session{Train: bench.TrainConfig{ResetOptimizer: false}}
	if err := fn.BeforeTask(s, 1); err == nil || !strings.Contains(err.Error(), "reset_optimizer") {
		t.Errorf("err = %v, want a refusal naming reset_optimizer", err)
	}
	for _, p := range []string{"-1", "101", "x"} {
		if _, _, err := Default.New("freeze-neurons", map[string]string{"p": p}); err == nil {
			t.Errorf("p=%s accepted", p)
		}
	}
}
