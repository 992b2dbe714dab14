package bench

import (
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
)

// encoderStrategy has encoder hooks that change nothing.
type encoderStrategy struct{ NoEncoderHooks }

func (encoderStrategy) Name() string { return "encoder" }

// After a strategy's hooks add a buffer, the training graphs are
// dropped (they may read it) and the evaluation graph is kept, the same
// compiled object, unless the strategy has encoder hooks or the model
// gained a parameter.
func TestResetGraphsKeepsEvaluationGraphs(t *testing.T) {
	stream := distinctWords()
	s := toySession(t, stream)
	s.test = s.train
	b := Batch{Task: 0, Split: TrainSplit, Examples: []int{0, 1}, Weight: 1}
	compile := func() {
		t.Helper()
		if _, err := s.trainStep(0, []Batch{b}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.predict(Batch{Task: 0, Split: TestSplit, Examples: []int{0, 1}}, 2); err != nil {
			t.Fatal(err)
		}
	}
	keys := func() (train, eval int) {
		for k := range s.execs {
			if k[:6] == "train/" {
				train++
			} else {
				eval++
			}
		}
		return
	}
	compile()
	s.resetGraphsIf(true)
	compile()
	evalBefore := map[string]any{}
	for k, e := range s.execs {
		evalBefore[k] = e
	}

	// A buffer, as EWC's Fisher: training graphs go, evaluation stays.
	if err := s.SetBuffer("/test/fisher", tensors.FromScalar(float32(1))); err != nil {
		t.Fatal(err)
	}
	s.resetGraphsIf(true)
	if tr, ev := keys(); tr != 0 || ev != 1 {
		t.Fatalf("after a buffer: %d training and %d evaluation graphs, want 0 and 1", tr, ev)
	}
	for k, e := range s.execs {
		if evalBefore[k] != any(e) {
			t.Errorf("evaluation graph %s was rebuilt", k)
		}
	}

	// A new model parameter: everything goes.
	compile()
	s.Model.AddParam("/test/extra", Constant(0), 2)
	s.resetGraphsIf(true)
	if tr, ev := keys(); tr+ev != 0 {
		t.Errorf("after a new parameter: %d graphs kept, want none", tr+ev)
	}

	// Encoder hooks: everything goes.
	compile()
	s.strategy = encoderStrategy{}
	s.resetGraphsIf(true)
	if tr, ev := keys(); tr+ev != 0 {
		t.Errorf("with encoder hooks: %d graphs kept, want none", tr+ev)
	}
}
