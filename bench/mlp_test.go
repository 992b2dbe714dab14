package bench

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/clbench/clbench/internal/toy"
	"github.com/clbench/clbench/tasks"
)

// mlpConfig is the smallest mlp: one hidden layer of 8 units.
var mlpConfig = ModelConfig{Name: "m", Arch: MLP, Layers: 1, Width: 8}

// imageStream is n tasks of 4-pixel images in the class-incremental
// scenario: every task predicts with the shared head "digits" of 2n
// classes, task k holds classes 2k and 2k+1 and has 2(k+1) active
// classes. Each task has 4 training and 2 test examples.
func imageStream(n int) *tasks.Stream {
	labels := make([]string, 2*n)
	for i := range labels {
		labels[i] = string(rune('a' + i))
	}
	s := &tasks.Stream{Name: "images", Version: "1"}
	for k := 0; k < n; k++ {
		t := &tasks.Task{Name: "pair" + string(rune('0'+k)), Kind: tasks.Classify, Labels: labels,
			ImageSize: 4, Head: "digits", ActiveClasses: 2 * (k + 1)}
		for i := 0; i < 6; i++ {
			label := 2*k + i%2
			ex := tasks.Example{Label: label, Pixels: []byte{byte(30 * label), 255, byte(10 * i), 0}}
			if i < 4 {
				t.Train = append(t.Train, ex)
			} else {
				t.Test = append(t.Test, ex)
			}
		}
		s.Tasks = append(s.Tasks, t)
	}
	return s
}

// ownHeads is stream with every task on a head of its own (Head and
// ActiveClasses cleared), the labels unchanged.
func ownHeads(stream *tasks.Stream) *tasks.Stream {
	out := &tasks.Stream{Name: stream.Name, Version: stream.Version}
	for _, t := range stream.Tasks {
		c := *t
		c.Head, c.ActiveClasses = "", 0
		out.Tasks = append(out.Tasks, &c)
	}
	return out
}

// evalGraph runs fn on x with the default backend and returns its
// output's values.
func evalGraph(t *testing.T, fn func(x *graph.Node) *graph.Node, x *tensors.Tensor) []float32 {
	t.Helper()
	backend, _, err := NewBackend("")
	if err != nil {
		t.Fatal(err)
	}
	exec, err := graph.NewExec(backend, fn)
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	out, err := exec.Call(x)
	if err != nil {
		t.Fatal(err)
	}
	return tensors.MustCopyFlatData[float32](out[0])
}

// With 2 active classes of 4, the last two logits of each row become
// -1e9 and the first two are kept as they are; a head without active
// classes (Active 0) is left whole.
func TestMaskInactive(t *testing.T) {
	logits := func() *tensors.Tensor { // a tensor serves one backend: one per call
		return tensors.FromFlatDataAndDimensions([]float32{1, 2, 3, 4, -5, 6, 7, 8}, 2, 4)
	}
	s := &Session{Model: &Model{Heads: []Head{{Classes: 4, Active: 2}, {Classes: 4}}}}
	got := evalGraph(t, func(x *graph.Node) *graph.Node { return s.MaskInactive(0, x) }, logits())
	want := []float32{1, 2, -1e9, -1e9, -5, 6, -1e9, -1e9}
	if !slices.Equal(got, want) {
		t.Errorf("masked with 2 active = %v, want %v", got, want)
	}
	s.stage = 1 // head 1 has Active 0: all its classes
	got = evalGraph(t, func(x *graph.Node) *graph.Node { return s.MaskInactive(1, x) }, logits())
	if want := []float32{1, 2, 3, 4, -5, 6, 7, 8}; !slices.Equal(got, want) {
		t.Errorf("masked with no active classes set = %v, want the logits unchanged %v", got, want)
	}
}

// The active classes of a class-incremental stream of three tasks
// (2, 4, 6 active): task j scored at stage k sees the classes of tasks
// 1..max(k, j), so Heads[max(k, j)].Active; before any training (stage
// -1) each task sees its own and the earlier ones'.
func TestActiveClassesFollowTheStage(t *testing.T) {
	m, err := NewModel(mlpConfig, imageStream(3), 1)
	if err != nil {
		t.Fatal(err)
	}
	s := &Session{Model: m}
	want := map[int][3]int{ // stage -> ActiveClasses of tasks 0, 1, 2
		-1: {2, 4, 6}, // untrained: max(-1, j) = j
		0:  {2, 4, 6}, // max(0, j) = j
		1:  {4, 4, 6}, // task 0 now shares task 1's four classes
		2:  {6, 6, 6},
	}
	for stage, w := range want {
		s.stage = stage
		for j := range w {
			if got := s.ActiveClasses(j); got != w[j] {
				t.Errorf("stage %d, task %d: %d active classes, want %d", stage, j, got, w[j])
			}
		}
	}
	// Heads of their own set no active classes: 0, all of them.
	own, err := NewModel(mlpConfig, ownHeads(imageStream(3)), 1)
	if err != nil {
		t.Fatal(err)
	}
	s = &Session{Model: own, stage: 2}
	if got := s.ActiveClasses(0); got != 0 {
		t.Errorf("own heads: %d active classes, want 0", got)
	}
}

// Tasks that name the same Head share one layer: three tasks of 6
// classes over the mlp's 8 units have one head of 8*6 + 6 = 54 weights
// besides the hidden layer's 4*8 + 8 = 40 (94 in all), where heads of
// their own are three of 54 (40 + 162 = 202).
func TestSharedHeadIsOneLayer(t *testing.T) {
	shared, err := NewModel(mlpConfig, imageStream(3), 1)
	if err != nil {
		t.Fatal(err)
	}
	var heads []string
	for _, v := range shared.Params() {
		if ParamGroup(v.Path()) == "head" {
			heads = append(heads, v.Path())
		}
	}
	want := []string{"/head/shared-digits/weights", "/head/shared-digits/bias"}
	if !slices.Equal(heads, want) {
		t.Errorf("head parameters %v, want %v", heads, want)
	}
	for i, h := range shared.Heads {
		if h.Scope != SharedHeadPath("digits") || shared.HeadScope(i) != h.Scope || h.Active != 2*(i+1) {
			t.Errorf("head of task %d: scope %q, active %d; want %q and %d",
				i, h.Scope, h.Active, SharedHeadPath("digits"), 2*(i+1))
		}
	}
	if got := shared.NumParams(); got != 94 {
		t.Errorf("shared head: %d weights, want 94", got)
	}
	own, err := NewModel(mlpConfig, ownHeads(imageStream(3)), 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := own.NumParams(); got != 202 {
		t.Errorf("heads of their own: %d weights, want 202", got)
	}
	if own.HeadScope(2) != HeadPath(2) {
		t.Errorf("task 3's own head is under %q, want %q", own.HeadScope(2), HeadPath(2))
	}

	// A task that shares the head with another number of classes.
	bad := imageStream(2)
	bad.Tasks[1].Labels = bad.Tasks[1].Labels[:3]
	bad.Tasks[1].ActiveClasses = 3
	msg := `task "pair1" has 3 classes, but the head "digits" it shares has 4`
	if _, err := NewModel(mlpConfig, bad, 1); err == nil || !strings.Contains(err.Error(), msg) {
		t.Errorf("a shared head of 4 and 3 classes: err = %v", err)
	}
}

// The mlp reads images and the Transformer text; each refuses the
// other's stream naming the model, the task and the stream, and images
// of two sizes are refused whatever the model.
func TestModelRefusesInputsItCannotRead(t *testing.T) {
	tiny, _ := ModelSize("tiny")
	mixed := imageStream(2)
	mixed.Tasks[1].ImageSize = 9
	cases := map[string]struct {
		cfg    ModelConfig
		stream *tasks.Stream
		want   []string
	}{
		"text on the mlp": {mlpConfig, toy.Stream(8),
			[]string{"model m reads images", `task "splendid"`, "stream toy"}},
		"images on tiny": {tiny, imageStream(2),
			[]string{"model tiny reads text", `task "pair0"`, "stream images", "mlp400"}},
		"two sizes of images": {mlpConfig, mixed, []string{`task "pair1" has images of 9 pixels`}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := NewModel(c.cfg, c.stream, 1)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// An image batch holds grey levels / 255 (0 -> 0, 255 -> 1, 51 -> 0.2,
// the float32 nearest 51/255 = 1/5) and its examples' labels; rows
// past the examples are zeros with label -1.
func TestImageTensors(t *testing.T) {
	examples := []tasks.Example{
		{Label: 3, Pixels: []byte{0, 255, 51}},
		{Label: 1, Pixels: []byte{255, 0, 0}},
	}
	e := encodeSplit(tasks.Tokenizer{}, 0, tasks.Classify, examples)
	px, lab := batchTensors(&e, tasks.Classify, Batch{Examples: []int{1, 0}}, 3, 0)
	if dims := px.Shape().Dimensions; !slices.Equal(dims, []int{3, 3}) {
		t.Fatalf("pixels of shape %v, want [3 3]", dims)
	}
	wantPx := []float32{1, 0, 0, 0, 1, 0.2, 0, 0, 0}
	if got := tensors.MustCopyFlatData[float32](px); !slices.Equal(got, wantPx) {
		t.Errorf("pixels = %v, want %v", got, wantPx)
	}
	if got := tensors.MustCopyFlatData[int32](lab); !slices.Equal(got, []int32{1, 3, -1}) {
		t.Errorf("labels = %v, want [1 3 -1]", got)
	}
}

// With Iterations 7, batches of 2 and 4 training examples per task (2
// batches a pass), each task trains 2 + 2 + 2 + 1 = 7 steps over four
// shuffled passes, whatever Epochs says: 14 steps of 2 examples (28)
// over the two tasks. The model has one hidden layer (4*8 + 8 = 40
// weights) and one shared head of 4 classes (8*4 + 4 = 36): 76.
func TestMLPTrainsExactlyIterations(t *testing.T) {
	backend, _, err := NewBackend("")
	if err != nil {
		t.Fatal(err)
	}
	train := DefaultTrainConfig
	train.Epochs, train.Iterations, train.BatchSize = 1, 7, 2
	out, err := Run(context.Background(), RunSpec{
		Stream: imageStream(2), Strategy: plain{}, Seed: 1, Model: mlpConfig, Train: train,
		Backend: backend,
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.Cost.Steps != 14 || out.Cost.ExamplesTrained != 28 {
		t.Errorf("%d steps of %d examples, want 14 and 28", out.Cost.Steps, out.Cost.ExamplesTrained)
	}
	if out.Cost.BaseParams != 76 {
		t.Errorf("%d weights, want 76", out.Cost.BaseParams)
	}
	for k, row := range out.R {
		for j, v := range row {
			if math.IsNaN(v) {
				t.Errorf("R[%d][%d] not measured", k, j)
			}
		}
	}
}

// Predictions keep to the active classes. With the head's weights 0
// and biases [0 1 2 100], every logit row is [0 1 2 100]: task 1 (2
// active) predicts class 1, task 2 (4 active) class 3; once task 2 has
// trained (stage 1), task 1 may predict class 3 too. Task 1's test
// labels are 1 and 0 and task 2's 3 and 2, so the accuracies are 1/2
// each, and task 1 falls to 0 at stage 1. Without the mask both tasks
// would predict 3: task 1 would score 0 at stage 0.
func TestPredictionsKeepToActiveClasses(t *testing.T) {
	stream := imageStream(2)
	m, err := NewModel(mlpConfig, stream, 1)
	if err != nil {
		t.Fatal(err)
	}
	scope := SharedHeadPath("digits")
	weights := tensors.FromFlatDataAndDimensions(make([]float32, 32), 8, 4)
	if err := m.Param(scope + "/weights").SetValue(weights); err != nil {
		t.Fatal(err)
	}
	bias := tensors.FromFlatDataAndDimensions([]float32{0, 1, 2, 100}, 4)
	if err := m.Param(scope + "/bias").SetValue(bias); err != nil {
		t.Fatal(err)
	}
	backend, _, err := NewBackend("")
	if err != nil {
		t.Fatal(err)
	}
	s := &Session{Model: m, Stream: stream, Seed: 1, Train: DefaultTrainConfig, Backend: backend,
		strategy: plain{}}
	s.resetGraphs()
	for _, task := range stream.Tasks {
		s.test = append(s.test, encodeSplit(tasks.Tokenizer{}, 0, task.Kind, task.Test))
	}
	for _, c := range []struct {
		stage int
		want  [2]float64
	}{{-1, [2]float64{0.5, 0.5}}, {0, [2]float64{0.5, 0.5}}, {1, [2]float64{0, 0.5}}} {
		s.stage = c.stage
		for j, w := range c.want {
			got, err := s.Evaluate(j)
			if err != nil {
				t.Fatal(err)
			}
			if got != w {
				t.Errorf("stage %d: task %d scores %v, want %v", c.stage, j+1, got, w)
			}
		}
	}
}

// hooked is a strategy that hooks the encoder and counts the tasks it
// starts.
type hooked struct {
	NoEncoderHooks
	started *int
}

func (hooked) Name() string                     { return "hooked" }
func (h hooked) BeforeTask(*Session, int) error { *h.started++; return nil }
func (hooked) AfterTask(*Session, int) error    { return nil }

// checked is a strategy whose ModelChecker refuses the mlp, and that
// counts the tasks it starts.
type checked struct{ started *int }

func (checked) Name() string                     { return "checked" }
func (checked) CheckModel(cfg ModelConfig) error { return NeedsTransformer("checked", cfg) }
func (c checked) BeforeTask(*Session, int) error { *c.started++; return nil }
func (checked) AfterTask(*Session, int) error    { return nil }

// Strategies that hook the Transformer's encoder, or whose ModelChecker
// refuses the model, are refused on the mlp before any task starts,
// with an error naming the strategy and the model; on tiny, the
// checker passes.
func TestMLPRefusesTransformerStrategies(t *testing.T) {
	backend, _, err := NewBackend("")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"hooked", "checked"} {
		t.Run(name, func(t *testing.T) {
			started := 0
			var s Strategy = hooked{started: &started}
			if name == "checked" {
				s = checked{started: &started}
			}
			_, err := Run(context.Background(), RunSpec{Stream: imageStream(2), Strategy: s, Seed: 1,
				Model: mlpConfig, Train: DefaultTrainConfig, Backend: backend})
			want := "strategy " + name + " works on the Transformer encoder's blocks, and model m has none"
			if err == nil || err.Error() != want {
				t.Errorf("err = %v, want %q", err, want)
			}
			if started != 0 {
				t.Errorf("%d tasks started before the refusal", started)
			}
		})
	}
	tiny, _ := ModelSize("tiny")
	if err := (checked{}).CheckModel(tiny); err != nil {
		t.Errorf("NeedsTransformer refuses tiny: %v", err)
	}
}

// The mlp sizes are van de Ven and Tolias' networks; an mlp needs a
// layer of positive width, and an unknown arch is refused. Training by
// iterations needs no epochs; negative iterations, or neither, are
// refused.
func TestMLPAndIterationsConfigs(t *testing.T) {
	for name, want := range map[string]ModelConfig{
		"mlp400":  {Name: "mlp400", Arch: MLP, Layers: 2, Width: 400},
		"mlp1000": {Name: "mlp1000", Arch: MLP, Layers: 2, Width: 1000},
	} {
		got, err := ModelSize(name)
		if err != nil || got != want || got.Validate() != nil {
			t.Errorf("ModelSize(%q) = %+v, %v; want %+v, valid", name, got, err, want)
		}
	}
	for _, c := range []ModelConfig{
		{Name: "x", Arch: MLP, Layers: 0, Width: 8},
		{Name: "x", Arch: MLP, Layers: 1, Width: 0},
		{Name: "x", Arch: "cnn", Layers: 1, Width: 8},
	} {
		if c.Validate() == nil {
			t.Errorf("%+v: valid, want an error", c)
		}
	}
	byIterations := DefaultTrainConfig
	byIterations.Epochs, byIterations.Iterations = 0, 5
	if err := byIterations.Validate(); err != nil {
		t.Errorf("5 iterations, 0 epochs: %v", err)
	}
	byIterations.Iterations = -1
	if err := byIterations.Validate(); err == nil || !strings.Contains(err.Error(), "iterations") {
		t.Errorf("-1 iterations: err = %v", err)
	}
	byIterations.Iterations = 0
	if err := byIterations.Validate(); err == nil || !strings.Contains(err.Error(), "epochs") {
		t.Errorf("0 iterations, 0 epochs: err = %v", err)
	}
}
