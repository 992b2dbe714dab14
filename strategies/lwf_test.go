package strategies

import (
	"math"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/clbench/clbench/tasks"
)

// At T = 2 the old logits [2, 0] become [1, 0], whose softmax is
// [e/(e+1), 1/(e+1)] = [0.7311, 0.2689] (e = 2.71828..., to 4 places).
func TestLwFSoftTargets(t *testing.T) {
	got := evalNodes(t, func(in []*Node) []*Node {
		return []*Node{softTargets(in[0], 2)}
	}, vector(2, 0))[0]
	want := []float64{0.7311, 0.2689}
	for i := range want {
		if math.Abs(float64(got[i])-want[i]) > 5e-5 {
			t.Errorf("soft target %d = %.6f, want %.4f", i, got[i], want[i])
		}
	}
}

// The KL term is 0 when student and teacher agree, its gradient reaches
// the student and never the teacher. With teacher [2, 0] and student
// [0, 0] at T = 2: p = [0.7311, 0.2689], q = [0.5, 0.5],
// KL = sum p log(p/q) = 0.7311 ln 1.4621 + 0.2689 ln 0.5379 = 0.1109,
// and d KL / d student_c = (q_c - p_c)/T = [-0.1155, 0.1155].
func TestLwFDistillationGradient(t *testing.T) {
	got := evalNodes(t, func(in []*Node) []*Node {
		teacher, student := InsertAxes(in[0], 0), InsertAxes(in[1], 0) // [1, 2]
		weight := OnesLike(ReduceSum(teacher, -1))                     // [1]
		kl := distillKL(teacher, student, 2, weight)
		same := distillKL(teacher, teacher, 2, weight)
		grads := Gradient(kl, student, teacher)
		return []*Node{kl, same, grads[0], grads[1]}
	}, vector(2, 0), vector(0, 0))
	p0 := math.E / (math.E + 1)
	wantKL := p0*math.Log(p0/0.5) + (1-p0)*math.Log((1-p0)/0.5)
	if math.Abs(float64(got[0][0])-wantKL) > 1e-6 {
		t.Errorf("KL = %.6f, want %.6f", got[0][0], wantKL)
	}
	if got[1][0] != 0 {
		t.Errorf("KL of a model with itself = %g, want 0", got[1][0])
	}
	wantGrad := (0.5 - p0) / 2
	if math.Abs(float64(got[2][0])-wantGrad) > 1e-6 || math.Abs(float64(got[2][1])+wantGrad) > 1e-6 {
		t.Errorf("gradient to the student = %v, want [%.4f %.4f]", got[2], wantGrad, -wantGrad)
	}
	if got[3][0] != 0 || got[3][1] != 0 {
		t.Errorf("gradient to the teacher = %v, want [0 0]", got[3])
	}
}

// Where the KL counts: a tag head over real tokens but [CLS] (tokens
// 7 5 9 0: weights 0 1 1 0), a classify head over examples with a real
// token (a padding row weighs 0).
func TestLwFDistillWeight(t *testing.T) {
	tokens := tensors.FromFlatDataAndDimensions([]int32{7, 5, 9, 0, 0, 0, 0, 0}, 2, 4)
	got := evalNodes(t, func(in []*Node) []*Node {
		mask := NotEqual(in[0], ScalarZero(in[0].Graph(), dtypes.Int32))
		return []*Node{distillWeight(tasks.Tag, mask), distillWeight(tasks.Classify, mask)}
	}, tokens)
	if !sameBits(got[0], []float32{0, 1, 1, 0, 0, 0, 0, 0}) {
		t.Errorf("tag weights = %v, want [0 1 1 0 0 0 0 0]", got[0])
	}
	if !sameBits(got[1], []float32{1, 0}) {
		t.Errorf("classify weights = %v, want [1 0]", got[1])
	}
}

// alpha = 0 is finetune bit for bit; alpha = 1 changes what is learnt.
func TestLwFAlpha(t *testing.T) {
	ft := finetuneSeed1(t).out
	if zero := runStrategy(t, "lwf", map[string]string{"alpha": "0"}, 1); !sameMatrix(zero, ft) {
		t.Errorf("lwf alpha=0 R = %v, want finetune's %v", zero.R, ft.R)
	}
	if one := runStrategy(t, "lwf", map[string]string{"alpha": "1"}, 1); sameMatrix(one, ft) {
		t.Errorf("lwf alpha=1 R = %v, the same as finetune's", one.R)
	}
}
