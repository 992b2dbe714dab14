package strategies

import (
	"context"
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/clbench/clbench/bench"
	"github.com/clbench/clbench/internal/toy"
	"github.com/clbench/clbench/tasks"
)

// mlpConfig is the smallest mlp: one hidden layer of 8 units.
var mlpConfig = bench.ModelConfig{Name: "m", Arch: bench.MLP, Layers: 1, Width: 8}

// imageStream is n tasks of 4-pixel images, each of 8 training and 4
// test examples of two classes. head "" gives each task a head of its
// own; otherwise the tasks share head, of 2n classes, task k holding
// classes 2k and 2k+1 with 2(k+1) active (the class-incremental
// scenario).
func imageStream(n int, head string) *tasks.Stream {
	s := &tasks.Stream{Name: "images", Version: "1"}
	for k := 0; k < n; k++ {
		t := &tasks.Task{Name: "pair" + string(rune('0'+k)), Kind: tasks.Classify, ImageSize: 4,
			Labels: []string{"a", "b"}}
		first := 0
		if head != "" {
			t.Head, t.ActiveClasses, first = head, 2*(k+1), 2*k
			t.Labels = make([]string, 2*n)
			for i := range t.Labels {
				t.Labels[i] = string(rune('a' + i))
			}
		}
		for i := 0; i < 12; i++ {
			c := i % 2
			ex := tasks.Example{Label: first + c,
				Pixels: []byte{byte(200 * c), byte(200 * (1 - c)), byte(40 * k), byte(20 * i)}}
			if i < 8 {
				t.Train = append(t.Train, ex)
			} else {
				t.Test = append(t.Test, ex)
			}
		}
		s.Tasks = append(s.Tasks, t)
	}
	return s
}

// runImages runs the named strategy on a class-incremental image
// stream of three tasks with the mlp, 6 steps of 4 examples per task.
func runImages(t *testing.T, name string, params map[string]string) (*bench.Outcome, error) {
	t.Helper()
	return runImagesWith(t, imageStream(3, "digits"), newStrategy(t, name, params))
}

// runImagesWith runs strategy s on stream as runImages does.
func runImagesWith(t *testing.T, stream *tasks.Stream, s bench.Strategy) (*bench.Outcome, error) {
	t.Helper()
	backend, _, err := bench.NewBackend("")
	if err != nil {
		t.Fatal(err)
	}
	train := bench.DefaultTrainConfig
	train.Iterations, train.BatchSize = 6, 4
	return bench.Run(context.Background(), bench.RunSpec{Stream: stream,
		Strategy: s, Seed: 1, Model: mlpConfig, Train: train, Backend: backend})
}

// The teacher knows the first n = 2 classes, the student 3. At T = 1
// with teacher [2, 0] and student [0, 0, 0]: p = softmax([2, 0]) =
// [e^2/(e^2+1), 1/(e^2+1)] = [0.8808, 0.1192], and the student's
// log-probabilities over its 3 classes are log(1/3) each, so
// KL = sum_i p_i (log p_i - log(1/3)) = log 3 - H(p) = 0.7332.
// distillKL on the student cut to 2 classes has q = 1/2 instead:
// log 2 - H(p) = 0.3278, log(3/2) less. The gradient with respect to
// student logit c is q_c - p_c with p padded by 0: [1/3 - p_0,
// 1/3 - p_1, 1/3], which pushes the teacher's unknown class down.
func TestDistillKLPartial(t *testing.T) {
	got := evalNodes(t, func(in []*Node) []*Node {
		teacher, student := InsertAxes(in[0], 0), InsertAxes(in[1], 0) // [1, 2], [1, 3]
		weight := OnesLike(ReduceSum(teacher, -1))                     // [1]
		partial := distillKLPartial(teacher, student, 1, weight)
		cut := distillKL(teacher, Slice(student, AxisRange(), AxisRange(0, 2)), 1, weight)
		return []*Node{partial, cut, Gradient(partial, student)[0]}
	}, vector(2, 0), vector(0, 0, 0))
	p0 := math.Exp(2) / (math.Exp(2) + 1)
	p := []float64{p0, 1 - p0}
	entropy := -(p[0]*math.Log(p[0]) + p[1]*math.Log(p[1]))
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"partial KL", float64(got[0][0]), math.Log(3) - entropy},
		{"KL on the cut student", float64(got[1][0]), math.Log(2) - entropy},
		{"gradient 0", float64(got[2][0]), 1.0/3 - p[0]},
		{"gradient 1", float64(got[2][1]), 1.0/3 - p[1]},
		{"gradient 2", float64(got[2][2]), 1.0 / 3},
	} {
		if math.Abs(c.got-c.want) > 1e-6 {
			t.Errorf("%s = %.7f, want %.7f", c.name, c.got, c.want)
		}
	}
}

// predictedLoss takes the cross-entropy of the model's arg max, not of
// the label: logits [0, 5] with label 0 give -log softmax([0, 5])[1] =
// log(1 + e^-5), and [3, 0] with label 1 give log(1 + e^-3); a row of
// label -1 stays out of the mean. With 2 active classes of 3 (stage 0,
// Active 2), logits [0, 1, 9] predict class 1, not 2: log(1 + e^-1).
func TestPredictedLoss(t *testing.T) {
	s := &bench.Session{Model: &bench.Model{Heads: []bench.Head{{Kind: tasks.Classify, Classes: 2}}}}
	labels := tensors.FromFlatDataAndDimensions([]int32{0, 1, -1}, 3)
	got := evalNodes(t, func(in []*Node) []*Node {
		return []*Node{predictedLoss(s, 0, in[0], in[1], nil), taskLoss(s, 0, in[0], in[1], nil)}
	}, tensors.FromFlatDataAndDimensions([]float32{0, 5, 3, 0, 7, -7}, 3, 2), labels)
	want := (math.Log1p(math.Exp(-5)) + math.Log1p(math.Exp(-3))) / 2
	if math.Abs(float64(got[0][0])-want) > 1e-6 {
		t.Errorf("predicted-label loss = %.7f, want %.7f", got[0][0], want)
	}
	wantTrue := (math.Log1p(math.Exp(5)) + math.Log1p(math.Exp(3))) / 2 // the labels' own loss
	if math.Abs(float64(got[1][0])-wantTrue) > 1e-5 {
		t.Errorf("true-label loss = %.7f, want %.7f", got[1][0], wantTrue)
	}

	active := &bench.Session{Model: &bench.Model{
		Heads: []bench.Head{{Kind: tasks.Classify, Classes: 3, Active: 2}}}}
	got = evalNodes(t, func(in []*Node) []*Node {
		return []*Node{predictedLoss(active, 0, in[0], in[1], nil)}
	}, tensors.FromFlatDataAndDimensions([]float32{0, 1, 9}, 1, 3),
		tensors.FromFlatDataAndDimensions([]int32{0}, 1))
	if want := math.Log1p(math.Exp(-1)); math.Abs(float64(got[0][0])-want) > 1e-6 {
		t.Errorf("predicted-label loss over 2 active classes = %.7f, want %.7f", got[0][0], want)
	}
}

// MAS's statistic counts only the active classes: logits [1, 2, 3]
// with 2 of 3 active give 1 + 4 = 5, all three 1 + 4 + 9 = 14.
func TestMASOutputKeepsToActiveClasses(t *testing.T) {
	for _, c := range []struct {
		active int
		want   float32
	}{{2, 5}, {0, 14}} {
		s := &bench.Session{Model: &bench.Model{
			Heads: []bench.Head{{Kind: tasks.Classify, Classes: 3, Active: c.active}}}}
		got := evalNodes(t, func(in []*Node) []*Node {
			return []*Node{masOutput(s, 0, in[0], nil, nil)}
		}, tensors.FromFlatDataAndDimensions([]float32{1, 2, 3}, 1, 3))
		if got[0][0] != c.want {
			t.Errorf("%d active: statistic %g, want %g", c.active, got[0][0], c.want)
		}
	}
}

// A shared head is distilled once and penalised as a shared parameter;
// heads of their own are distilled one by one and left out of
// sharedPaths. In the class-incremental stream (2, 4, 6 active), the
// teacher of task 2 knew 2 classes and that of task 3 knew 4; heads of
// their own have no partial teacher (0).
func TestSharedHeadsInLwFAndPenalties(t *testing.T) {
	shared, err := bench.NewModel(mlpConfig, imageStream(3, "digits"), 1)
	if err != nil {
		t.Fatal(err)
	}
	own, err := bench.NewModel(mlpConfig, imageStream(3, ""), 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := distilledHeads(shared, 2); !slices.Equal(got, []int{0}) {
		t.Errorf("shared head: distilled heads %v at task 3, want [0]", got)
	}
	if got := distilledHeads(own, 2); !slices.Equal(got, []int{0, 1}) {
		t.Errorf("own heads: distilled heads %v at task 3, want [0 1]", got)
	}
	for task, want := range []int{0, 2, 4} {
		if got := previousClasses(shared, task); got != want {
			t.Errorf("shared head: teacher of task %d knew %d classes, want %d", task+1, got, want)
		}
		if got := previousClasses(own, task); got != 0 {
			t.Errorf("own heads: teacher of task %d knew %d classes, want 0", task+1, got)
		}
	}
	wantShared := []string{"/mlp/layer0/weights", "/mlp/layer0/bias",
		"/head/shared-digits/weights", "/head/shared-digits/bias"}
	if got := sharedPaths(shared); !slices.Equal(got, wantShared) {
		t.Errorf("shared paths %v, want %v", got, wantShared)
	}
	if got := sharedPaths(own); !slices.Equal(got, wantShared[:2]) {
		t.Errorf("own heads: shared paths %v, want %v", got, wantShared[:2])
	}
}

// labels chooses the per-example loss of ewc's and online-ewc's
// Fisher: taskLoss (true, the default) or predictedLoss; any other
// value is refused, as is an unknown lwf weighting.
func TestFisherLabelsParam(t *testing.T) {
	fn := func(f exampleLoss) uintptr { return reflect.ValueOf(f).Pointer() }
	losses := map[string]exampleLoss{"": taskLoss, "true": taskLoss, "predicted": predictedLoss}
	for labels, want := range losses {
		params := map[string]string{"labels": labels}
		if labels == "" {
			params = nil
		}
		if got := newStrategy(t, "ewc", params).(*ewc).loss; fn(got) != fn(want) {
			t.Errorf("ewc labels=%q: not the loss expected", labels)
		}
		if got := newStrategy(t, "online-ewc", params).(*onlineEWC).stat; fn(got) != fn(want) {
			t.Errorf("online-ewc labels=%q: not the loss expected", labels)
		}
	}
	for _, name := range []string{"ewc", "online-ewc"} {
		_, _, err := Default.New(name, map[string]string{"labels": "guessed"})
		if err == nil || !strings.Contains(err.Error(), `parameter labels="guessed"`) {
			t.Errorf("%s labels=guessed: err = %v", name, err)
		}
	}
	if _, _, err := Default.New("lwf", map[string]string{"weighting": "equal"}); err == nil ||
		!strings.Contains(err.Error(), `parameter weighting="equal"`) {
		t.Errorf("lwf weighting=equal: err = %v", err)
	}
}

// errProbed stops a run once its probe has looked.
var errProbed = errors.New("probed")

// fisherProbe compares, before the first task trains, the Fisher of
// single examples under true and predicted labels.
type fisherProbe struct {
	check func(s *bench.Session) error
}

func (fisherProbe) Name() string                               { return "fisher-probe" }
func (p fisherProbe) BeforeTask(s *bench.Session, _ int) error { return p.check(s) }
func (fisherProbe) AfterTask(*bench.Session, int) error        { return nil }

// For an example the model classifies right, the predicted label is
// the true one and the two Fishers agree bit for bit. For one it gets
// wrong, of two classes with probabilities p_y (the label) and p_w
// (the arg max), the gradient of -log p_y with respect to the logits
// is p_w (e_w - e_y) and that of -log p_w is p_y (e_y - e_w), so every
// per-example gradient is -(p_y/p_w) times the true-label one and the
// predicted-label Fisher is (p_y/p_w)^2 times the empirical one.
func TestPredictedFisher(t *testing.T) {
	paths := []string{"/block0/attn/query/weights", "/block0/ffn/out/bias"}
	right, wrong := 0, 0
	probe := fisherProbe{check: func(s *bench.Session) error {
		for i := 0; i < 16; i++ {
			b := bench.Batch{Task: 0, Split: bench.TrainSplit, Examples: []int{i}}
			logits, err := s.Logits(b, 1)
			if err != nil {
				return err
			}
			_, lab := s.BatchTensors(b, 1)
			z, y := floats(logits), int(tensors.MustCopyFlatData[int32](lab)[0])
			w := 0
			if z[1] > z[0] {
				w = 1
			}
			empirical, err := perExampleMean(s, 0, []int{i}, paths, taskLoss, Square)
			if err != nil {
				return err
			}
			predicted, err := perExampleMean(s, 0, []int{i}, paths, predictedLoss, Square)
			if err != nil {
				return err
			}
			ratio := 1.0
			if w != y {
				wrong++
				py := 1 / (1 + math.Exp(float64(z[w]-z[y]))) // softmax of two logits
				ratio = py * py / ((1 - py) * (1 - py))
			} else {
				right++
			}
			for _, p := range paths {
				if w == y {
					if !sameBits(empirical[p], predicted[p]) {
						t.Errorf("example %d, classified right: Fishers of %s differ", i, p)
					}
					continue
				}
				var se, sp float64
				for k := range empirical[p] {
					se += float64(empirical[p][k])
					sp += float64(predicted[p][k])
				}
				if math.Abs(sp-ratio*se) > 1e-4*sp {
					t.Errorf("example %d, classified wrong: sum of predicted Fisher of %s %g, "+
						"want (p_y/p_w)^2 = %g times %g", i, p, sp, ratio, se)
				}
			}
		}
		return errProbed
	}}
	backend, _, err := bench.NewBackend("")
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := bench.ModelSize("micro")
	_, err = bench.Run(context.Background(), bench.RunSpec{Stream: toy.Stream(64), Strategy: probe,
		Seed: 1, Model: cfg, Train: bench.DefaultTrainConfig, Backend: backend})
	if !errors.Is(err, errProbed) {
		t.Fatalf("run: %v", err)
	}
	if right == 0 || wrong == 0 {
		t.Errorf("the untrained model got %d examples right and %d wrong: want some of each",
			right, wrong)
	}
}

// lwfProbe runs lwf on the mlp and, before task probe (0-based),
// once lwf has copied its teacher, moves the student's hidden bias and
// first head's bias (so that student and teacher disagree), builds
// that task's training step on its first 4 training examples as the
// bench does, reads the step's task loss L, lwf's ExtraLoss (NaN when
// it adds none) and the first head's logits of teacher and student,
// and stops the run. The tasks before train without distillation, so
// that every probe reaches task probe with the same weights.
type lwfProbe struct {
	*lwf
	probe            int
	loss, extra      float64
	teacher, student []float32 // [4, classes] of head 0, row by row
}

func (*lwfProbe) ExtraLoss(*bench.Step) *Node { return nil }

func (p *lwfProbe) BeforeTask(s *bench.Session, task int) error {
	if err := p.lwf.BeforeTask(s, task); err != nil || task < p.probe {
		return err
	}
	m := s.Model
	classes := m.Heads[0].Classes
	moved := map[string][]float32{
		"/mlp/layer0/bias":       make([]float32, 8),
		m.HeadScope(0) + "/bias": make([]float32, classes),
	}
	for path, v := range moved {
		for i := range v {
			v[i] = float32(1 - 2*(i%2)) // 1, -1, 1, ...
		}
		if err := m.Param(path).SetValue(tensors.FromFlatDataAndDimensions(v, len(v))); err != nil {
			return err
		}
	}
	var px []float32
	var labels []int32
	for _, ex := range s.Stream.Tasks[task].Train[:4] {
		for _, v := range ex.Pixels {
			px = append(px, float32(v)/255)
		}
		labels = append(labels, int32(ex.Label))
	}
	exec, err := model.NewExec(s.Backend, m.Store(), func(_ *model.Scope, tokens, lab *Node) []*Node {
		g := tokens.Graph()
		f := &bench.Forward{G: g, Model: m, Task: task}
		h, mask := f.Encode(tokens)
		logits := f.Logits(task, h, mask)
		part := &bench.StepPart{Batch: bench.Batch{Task: task, Weight: 1}, Forward: f, Tokens: tokens,
			Labels: lab, Hidden: h, Mask: mask, Logits: logits,
			Loss: bench.CrossEntropy(s.MaskInactive(task, logits), lab)}
		st := &bench.Step{G: g, Session: s, Task: task, Parts: []*bench.StepPart{part}, Loss: part.Loss}
		extra := p.lwf.ExtraLoss(st)
		if extra == nil {
			extra = Scalar(g, dtypes.Float32, math.NaN())
		}
		teacher := &bench.Forward{G: g, Model: m, Task: task, Source: lwfTeacher}
		th, tmask := teacher.Encode(tokens)
		return []*Node{part.Loss, extra, teacher.Logits(0, th, tmask), f.Logits(0, h, mask)}
	})
	if err != nil {
		return err
	}
	defer exec.Finalize()
	out, err := exec.Call(tensors.FromFlatDataAndDimensions(px, 4, 4),
		tensors.FromFlatDataAndDimensions(labels, 4))
	if err != nil {
		return err
	}
	p.loss, p.extra = float64(floats(out[0])[0]), float64(floats(out[1])[0])
	p.teacher, p.student = floats(out[2]), floats(out[3])
	return errProbed
}

// probeLwF runs lwfProbe with params on stream up to task probe.
func probeLwF(t *testing.T, stream *tasks.Stream, params map[string]string, probe int) *lwfProbe {
	t.Helper()
	p := &lwfProbe{lwf: newStrategy(t, "lwf", params).(*lwf), probe: probe}
	if _, err := runImagesWith(t, stream, p); !errors.Is(err, errProbed) {
		t.Fatalf("lwf %v: %v", params, err)
	}
	return p
}

// weighting=tasks makes the loss of task t (1-based) (1/t) L +
// (1 - 1/t) mean_j D_j, where weighting=alpha makes it L + alpha sum_j
// D_j (D_j: old head j's T^2-scaled distillation; here each task has
// a head of its own). So, with S = sum_j D_j read from alpha = 1's
// extra loss, the extra loss under tasks is (1 - 1/t)(S/(t-1) - L):
// (S - L)/2 at task 2 and (2/3)(S/2 - L) = S/3 - 2L/3 at task 3. It
// ignores alpha, even 0; alpha = 2 doubles S under weighting=alpha.
func TestLwFTaskWeighting(t *testing.T) {
	for task := 1; task <= 2; task++ {
		one := probeLwF(t, imageStream(3, ""), map[string]string{"alpha": "1"}, task)
		s := one.extra
		if !(s > 1e-3) {
			t.Fatalf("task %d: distillation %g: the student should disagree with the teacher", task+1, s)
		}
		double := probeLwF(t, imageStream(3, ""), map[string]string{"alpha": "2"}, task).extra
		if !(math.Abs(double-2*s) <= 1e-6*s) { // NaN fails too
			t.Errorf("task %d, alpha=2: extra loss %.7f, want 2 x %.7f", task+1, double, s)
		}
		tt := float64(task + 1)
		want := (1 - 1/tt) * (s/(tt-1) - one.loss)
		for _, alpha := range []string{"1", "0"} {
			params := map[string]string{"weighting": "tasks", "alpha": alpha}
			got := probeLwF(t, imageStream(3, ""), params, task).extra
			if !(math.Abs(got-want) <= 1e-5) { // NaN (no extra loss) fails too
				t.Errorf("task %d, weighting=tasks, alpha=%s: extra loss %.7f, "+
					"want (1 - 1/%g)(%.7f/%g - %.7f) = %.7f",
					task+1, alpha, got, tt, s, tt-1, one.loss, want)
			}
		}
	}
}

// In the class-incremental stream (classes 6, active 2, 4, 6), lwf
// distils the shared head once (not once per old task), from a teacher
// that knew the n classes of the tasks before into a student over the
// classes it can predict now: n = 2 of 4 active at task 2, n = 4 of 6
// at task 3. With z the teacher's logits and y the student's, T = 2
// (the default), p = softmax(z[0:n]/T), q = softmax(y[0:active]/T) and
// D = T^2 times the mean over the 4 examples of sum_{i<n} p_i (log p_i
// - log q_i); at task 2 the student's classes 4 and 5 (not yet active)
// are out of q. Under weighting=tasks the extra loss is
// (1 - 1/t)(D - L), the mean over the one shared head being D.
func TestLwFClassIncrementalDistillation(t *testing.T) {
	const temp, classes = 2.0, 6
	softmax := func(z []float32) []float64 {
		var norm float64
		out := make([]float64, len(z))
		for i, v := range z {
			out[i] = math.Exp(float64(v) / temp)
			norm += out[i]
		}
		for i := range out {
			out[i] /= norm
		}
		return out
	}
	for _, c := range []struct{ task, n, active int }{{1, 2, 4}, {2, 4, 6}} {
		got := probeLwF(t, imageStream(3, "digits"), nil, c.task)
		var want float64
		for r := 0; r < 4; r++ {
			p := softmax(got.teacher[r*classes : r*classes+c.n])
			q := softmax(got.student[r*classes : r*classes+c.active])
			for i := range p {
				want += p[i] * (math.Log(p[i]) - math.Log(q[i])) / 4
			}
		}
		want *= temp * temp
		if !(want > 1e-3) {
			t.Fatalf("task %d: D = %g: the student should disagree with the teacher", c.task+1, want)
		}
		if !(math.Abs(got.extra-want) <= 1e-5*max(1, want)) {
			t.Errorf("task %d: extra loss %.7f, want D = %.7f", c.task+1, got.extra, want)
		}
		byTasks := probeLwF(t, imageStream(3, "digits"), map[string]string{"weighting": "tasks"}, c.task)
		tt := float64(c.task + 1)
		if w := (1 - 1/tt) * (want - byTasks.loss); !(math.Abs(byTasks.extra-w) <= 1e-5) {
			t.Errorf("task %d, weighting=tasks: extra loss %.7f, want (1 - 1/%g)(D - L) = %.7f",
				c.task+1, byTasks.extra, tt, w)
		}
	}
}

// The strategies this change touched run the class-incremental stream
// on the mlp (shared head, partial teacher, predicted Fisher, active
// classes, iterations; joint with iterations trains nothing before the
// last task). lwf trains the first task as finetune does, bit for bit
// (no teacher yet), and its distillation changes the weights from the
// second on.
func TestStrategiesRunClassIncrementalOnMLP(t *testing.T) {
	for _, c := range []struct {
		name   string
		params map[string]string
	}{
		{"lwf", map[string]string{"weighting": "tasks"}},
		{"ewc", map[string]string{"labels": "predicted", "samples": "8"}},
		{"online-ewc", map[string]string{"labels": "predicted", "samples": "8"}},
		{"mas", map[string]string{"samples": "8"}},
		{"joint", nil},
	} {
		if _, err := runImages(t, c.name, c.params); err != nil {
			t.Errorf("%s %v: %v", c.name, c.params, err)
		}
	}

	ft := &snapshotAfter{inner: finetune{}}
	lw := &snapshotAfter{inner: newStrategy(t, "lwf", nil)}
	for _, s := range []bench.Strategy{ft, lw} {
		if _, err := runImagesWith(t, imageStream(3, "digits"), s); err != nil {
			t.Fatalf("%s: %v", s.Name(), err)
		}
	}
	for task, wantSame := range []bool{true, false, false} {
		for _, path := range []string{"/mlp/layer0/weights", "/head/shared-digits/weights"} {
			same := sameBits(floats(ft.snaps[task][path]), floats(lw.snaps[task][path]))
			if same != wantSame {
				t.Errorf("after task %d, %s: lwf's equal finetune's = %v, want %v",
					task+1, path, same, wantSame)
			}
		}
	}
}

// Strategies that work on the Transformer's blocks are refused on the
// mlp, by name.
func TestTransformerStrategiesRefuseTheMLP(t *testing.T) {
	for _, name := range []string{"adapter", "lora", "prefix", "layer-expansion", "head-expansion",
		"freeze-layers", "freeze-neurons", "concept-graph"} {
		_, err := runImages(t, name, nil)
		want := "strategy " + name + " works on the Transformer encoder's blocks, and model m has none"
		if err == nil || err.Error() != want {
			t.Errorf("%s: err = %v, want %q", name, err, want)
		}
	}
}
