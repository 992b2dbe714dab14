package results

import (
	"math"
	"testing"
)

func TestWelchTTest(t *testing.T) {
	// With equal sizes n and equal variances, df = 2(n-1) exactly; so
	// a = {0, 1, 2} and b = a + d (both variances 1, n = 3) have
	// SE = sqrt(1/3 + 1/3) = 0.816497, df = 4 and t = d / SE. The
	// shifts put t at the printed quantiles of Student's t with 4
	// degrees of freedom: t(0.975) = 2.776445 (two-sided p = 0.05) and
	// t(0.995) = 4.604095 (p = 0.01).
	se := math.Sqrt(2.0 / 3)
	shift := func(xs []float64, d float64) []float64 {
		out := make([]float64, len(xs))
		for i, x := range xs {
			out[i] = x + d
		}
		return out
	}
	a := []float64{0, 1, 2}
	for _, tc := range []struct {
		name      string
		a, b      []float64
		t, df, p  float64
		tolT, tol float64
	}{
		{"p 0.05", a, shift(a, 2.776445*se), 2.776445, 4, 0.05, 1e-6, 1e-6},
		{"p 0.01", a, shift(a, 4.604095*se), 4.604095, 4, 0.01, 1e-6, 1e-6},
		{"no change", a, a, 0, 4, 1, 0, 1e-12},
		{"negative change", a, shift(a, -2.776445*se), -2.776445, 4, 0.05, 1e-6, 1e-6},
		// Unequal variances: a = {1, 2, 3} (s² = 1, n = 3), b = {1, 3, 5,
		// 7, 9} (s² = 10, n = 5). s²/n = 1/3 and 2; SE = sqrt(7/3);
		// t = (5 - 2) / sqrt(7/3) = 1.963961; df = (7/3)² / ((1/3)²/2 +
		// 2²/4) = (49/9) / (19/18) = 98/19 = 5.157895. p is only checked
		// to lie between the two-sided p of t(5) and t(6) at 1.963961
		// (0.1067 and 0.0972, bracketing by df).
		{"unequal variances", []float64{1, 2, 3}, []float64{1, 3, 5, 7, 9},
			1.963961, 98.0 / 19, -1, 1e-6, 1e-9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := WelchTTest(tc.a, tc.b)
			if !ok {
				t.Fatal("not ok")
			}
			if math.Abs(got.T-tc.t) > tc.tolT || math.Abs(got.DF-tc.df) > 1e-9 {
				t.Errorf("t = %.7f, df = %.7f; want %.7f, %.7f", got.T, got.DF, tc.t, tc.df)
			}
			if tc.p >= 0 && math.Abs(got.P-tc.p) > tc.tol {
				t.Errorf("p = %.9f, want %g", got.P, tc.p)
			}
			if tc.p < 0 && (got.P < 0.0972 || got.P > 0.1067) {
				t.Errorf("p = %.5f, want between 0.0972 and 0.1067", got.P)
			}
		})
	}
}

func TestWelchTTestEdges(t *testing.T) {
	if _, ok := WelchTTest([]float64{1}, []float64{1, 2, 3}); ok {
		t.Error("one value on a side: want not ok")
	}
	// No spread on either side: runs that reproduce bit for bit.
	if r, _ := WelchTTest([]float64{0.5, 0.5, 0.5}, []float64{0.5, 0.5, 0.5}); r.P != 1 {
		t.Errorf("equal constants: p = %v, want 1", r.P)
	}
	if r, _ := WelchTTest([]float64{0.5, 0.5, 0.5}, []float64{0.6, 0.6, 0.6}); r.P != 0 ||
		!math.IsInf(r.T, 1) {
		t.Errorf("different constants: t = %v, p = %v; want +Inf, 0", r.T, r.P)
	}
}
