package strategies

import (
	"math"
	"testing"

	"github.com/clbench/clbench/bench"
)

// siImportanceOf by hand, xi = 1. Weight 0 ran from start 0 through
// prev 1 to end 3, with 2 integrated so far and a last gradient of -1:
// omega = 2 - (-1)(3 - 1) = 4, Delta = 3, importance 4/(9 + 1) = 0.4.
// Weight 1 never moved: omega 0.5 stays, Delta 0, importance 0.5/1.
// Weight 2's moves raised the loss (omega -1 < 0): clipped to 0.
func TestSIImportanceByHand(t *testing.T) {
	end := []float32{3, 7, 1}
	start := []float32{0, 7, 0}
	prev := []float32{1, 7, 1}
	grad := []float32{-1, 5, 0}
	omega := []float32{2, 0.5, -1}
	got := siImportanceOf(end, start, prev, grad, omega, 1)
	want := []float32{0.4, 0.5, 0}
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > 1e-6 {
			t.Errorf("importance[%d] = %g, want %g", i, got[i], want[i])
		}
	}
}

// The path integral is kept in the training graph without touching
// training: with c = 0 si is finetune bit for bit. Over the first
// task, whose loss falls from about ln 2 towards 0, the integral of
// -g * delta summed over weights must be positive (it approximates
// the loss's decrease), and the importances that follow non-zero.
func TestSIPathIntegral(t *testing.T) {
	probe := &snapshotAfter{inner: newStrategy(t, "si", map[string]string{"c": "0"})}
	var integral, importance float64
	probe.after = func(s *bench.Session, task int) error {
		if task != 0 {
			return nil
		}
		p := probe.inner.(*si)
		omega, err := paramValues(s, p.paths, siOmega)
		if err != nil {
			return err
		}
		for _, v := range omega {
			for _, x := range v {
				integral += float64(x)
			}
		}
		for _, v := range p.importance {
			for _, x := range v {
				importance += float64(x)
			}
		}
		return nil
	}
	out := runWith(t, probe, 1)
	if ft := finetuneSeed1(t).out; !sameMatrix(out, ft) {
		t.Errorf("si c=0 R = %v, want finetune's %v bit for bit", out.R, ft.R)
	}
	if !(integral > 0) {
		t.Errorf("path integral over the first task = %g, want > 0", integral)
	}
	if !(importance > 0) {
		t.Errorf("sum of importances after the first task = %g, want > 0", importance)
	}
}
