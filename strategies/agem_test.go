package strategies

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/clbench/clbench/bench"
	"github.com/clbench/clbench/metrics"
)

// project runs agemProject on a gradient and a reference gradient of
// two parameters, a vector of 2 and a vector of 1.
func project(t *testing.T, g, ref [2][]float32) [2][]float32 {
	t.Helper()
	backend, _, err := bench.NewBackend("")
	if err != nil {
		t.Fatal(err)
	}
	args := []any{}
	for _, v := range [][]float32{g[0], g[1], ref[0], ref[1]} {
		args = append(args, tensors.FromFlatDataAndDimensions(append([]float32(nil), v...), len(v)))
	}
	out, err := ExecOnceN(backend, func(in []*Node) []*Node {
		return agemProject(in[:2], in[2:])
	}, args...)
	if err != nil {
		t.Fatal(err)
	}
	return [2][]float32{
		tensors.MustCopyFlatData[float32](out[0]),
		tensors.MustCopyFlatData[float32](out[1]),
	}
}

func TestAGEMProjectionAgainstReference(t *testing.T) {
	// g = ([1, 0], [1]), g_ref = ([0, 1], [-1]): the dot product over
	// both parameters is 0 + 0 - 1 = -1 < 0 and g_ref.g_ref = 2, so
	// g' = g - (-1/2) g_ref = ([1, 0.5], [0.5]).
	g := [2][]float32{{1, 0}, {1}}
	ref := [2][]float32{{0, 1}, {-1}}
	got := project(t, g, ref)
	want := [2][]float32{{1, 0.5}, {0.5}}
	for p := range want {
		for i := range want[p] {
			if math.Abs(float64(got[p][i]-want[p][i])) > 1e-6 {
				t.Errorf("projected g = %v, want %v", got, want)
			}
		}
	}
	// The result is orthogonal to g_ref: 0*1 + 1*0.5 + (-1)*0.5 = 0.
	dot := got[0][0]*ref[0][0] + got[0][1]*ref[0][1] + got[1][0]*ref[1][0]
	if math.Abs(float64(dot)) > 1e-6 {
		t.Errorf("projected g . g_ref = %g, want 0", dot)
	}
}

func TestAGEMProjectionLeavesAgreeingGradient(t *testing.T) {
	// g.g_ref = 1*1 + 2*0 + 3*(-0.1) = 0.7 >= 0: g is unchanged, bit
	// for bit. The second parameter alone points against g_ref, so a
	// projection done per parameter instead of jointly would change it.
	g := [2][]float32{{1, 2}, {3}}
	ref := [2][]float32{{1, 0}, {-0.1}}
	got := project(t, g, ref)
	for p := range g {
		for i := range g[p] {
			if math.Float32bits(got[p][i]) != math.Float32bits(g[p][i]) {
				t.Errorf("g = %v changed to %v; want unchanged", g, got)
			}
		}
	}
}

// The projection reaches training. Without it agem would be finetune
// bit for bit: the memory batch has weight 0, so it adds nothing to the
// loss, and the old head it uses gets a zero gradient and so no Adam
// update (the moments start at zero each task).
func TestAGEMChangesTraining(t *testing.T) {
	ft := finetuneRun(t)
	ag := runStrategy(t, "agem", nil, 1)
	if sameMatrix(ag, ft) {
		t.Errorf("agem gave finetune's R %v; no gradient was projected", ag.R)
	}
	t.Logf("forgetting: agem %.3f, finetune %.3f",
		metrics.Forgetting(ag.R).X, metrics.Forgetting(ft.R).X)
	if ag.Cost.ExamplesStored != 200 {
		t.Errorf("examples stored = %d, want 200 (the memory of replay)", ag.Cost.ExamplesStored)
	}
}
