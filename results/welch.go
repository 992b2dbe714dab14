package results

import (
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// MinSeeds is the fewest seeds on each side for which [Compare] runs a
// test. Below it no change is called significant: Welch's t with two
// values per side rests on standard deviations of one degree of freedom
// each, and the test's validity on a normality that two values cannot
// show.
const MinSeeds = 3

// TTest is the outcome of Welch's two-sample t-test.
type TTest struct {
	T  float64 // (mean(b) - mean(a)) / SE; ±Inf when SE = 0 and the means differ
	DF float64 // Welch–Satterthwaite degrees of freedom
	P  float64 // two-sided p-value
}

// WelchTTest tests whether the means of a and b differ without assuming
// equal variances (Welch 1947):
//
//	t  = (mean(b) - mean(a)) / sqrt(s²a/na + s²b/nb)
//	df = (s²a/na + s²b/nb)² / ((s²a/na)²/(na-1) + (s²b/nb)²/(nb-1))
//	p  = 2 · P(T_df > |t|)
//
// s² the sample variances. It needs at least two values on each side
// (ok false otherwise). When both samples have no spread, p is 1 if the
// means are equal and 0 if they differ: every value of b then differs
// from every value of a by the same amount, which seeds that reproduce
// bit for bit do show.
func WelchTTest(a, b []float64) (r TTest, ok bool) {
	na, nb := float64(len(a)), float64(len(b))
	if len(a) < 2 || len(b) < 2 {
		return TTest{}, false
	}
	ma, va := stat.MeanVariance(a, nil)
	mb, vb := stat.MeanVariance(b, nil)
	qa, qb := va/na, vb/nb
	se := math.Sqrt(qa + qb)
	diff := mb - ma

	// No spread on either side.
	if se == 0 {
		if diff == 0 {
			return TTest{T: 0, DF: na + nb - 2, P: 1}, true
		}
		return TTest{T: math.Copysign(math.Inf(1), diff), DF: na + nb - 2, P: 0}, true
	}

	r.T = diff / se
	r.DF = (qa + qb) * (qa + qb) / (qa*qa/(na-1) + qb*qb/(nb-1))
	r.P = 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: r.DF}.Survival(math.Abs(r.T))
	return r, true
}
