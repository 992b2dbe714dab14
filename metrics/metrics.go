package metrics

import "math"

// ACC is the average accuracy after the last task (Lopez-Paz and Ranzato
// 2017, GEM): (1/T) sum_j R[T-1][j]. It is undefined when a cell of the
// last row is NaN.
func ACC(r Matrix) Value {
	if r.Validate() != nil {
		return Undefined
	}
	last := r[r.T()-1]
	return mean(len(last), func(j int) float64 { return last[j] })
}

// BWT is backward transfer (GEM): (1/(T-1)) sum_{j<T-1} (R[T-1][j] -
// R[j][j]), the average change in a task's score between just after it
// was trained and the end of the stream. Negative is forgetting. It is
// undefined when T = 1 or a needed cell is NaN.
func BWT(r Matrix) Value {
	if r.Validate() != nil || r.T() < 2 {
		return Undefined
	}
	last := r[r.T()-1]
	return mean(r.T()-1, func(j int) float64 { return last[j] - r[j][j] })
}

// FWT is forward transfer (GEM): (1/(T-1)) sum_{j>=1} (R[j-1][j] - b[j]),
// how much training on the earlier tasks helps task j before it is seen,
// against b[j], the untrained model's score on task j. b[0] is not used.
// It is undefined when T = 1, len(b) != T, or a needed cell or b[j] is
// NaN. Cells above the diagonal are often not measured, so FWT is the
// metric most often undefined.
func FWT(r Matrix, b []float64) Value {
	if r.Validate() != nil || r.T() < 2 || len(b) != r.T() {
		return Undefined
	}
	return mean(r.T()-1, func(k int) float64 {
		j := k + 1
		return r[j-1][j] - b[j]
	})
}

// Forgetting is the average forgetting of Chaudhry et al. 2018 (RWalk):
// (1/(T-1)) sum_{j<T-1} (max_{l=j..T-2} R[l][j] - R[T-1][j]), how far each
// earlier task ends below the best score it had once trained. The
// maximum is over the measured R[l][j]; a task's term is undefined when
// none of them, or R[T-1][j], was measured, and then so is Forgetting.
// It is undefined when T = 1.
func Forgetting(r Matrix) Value {
	if r.Validate() != nil || r.T() < 2 {
		return Undefined
	}
	t := r.T()
	return mean(t-1, func(j int) float64 {
		best := math.NaN()
		for l := j; l <= t-2; l++ {
			if x := r[l][j]; !math.IsNaN(x) && (math.IsNaN(best) || x > best) {
				best = x
			}
		}
		return best - r[t-1][j]
	})
}

// Intransigence is Chaudhry et al. 2018's inability to learn a new task:
// (1/T) sum_k (ref[k] - R[k][k]), ref[k] a reference model's score on task
// k right after training through task k (clbench's reference is the
// `cumulative` run's diagonal, [Matrix.Diagonal]). It is undefined when
// len(ref) != T or a needed cell or ref[k] is NaN.
func Intransigence(r Matrix, ref []float64) Value {
	if r.Validate() != nil || len(ref) != r.T() {
		return Undefined
	}
	return mean(r.T(), func(k int) float64 { return ref[k] - r[k][k] })
}

// LA is learning accuracy (Riemer et al. 2019), a measure of plasticity:
// (1/T) sum_j R[j][j], each task's score right after it was trained. It is
// undefined when a diagonal cell is NaN.
func LA(r Matrix) Value {
	if r.Validate() != nil {
		return Undefined
	}
	return mean(r.T(), func(j int) float64 { return r[j][j] })
}

// FewShotAmplification is F_fewshot/F_full - 1: how much more a strategy
// forgets on a stream when the later tasks keep few examples (0.4 is the
// article's "40% more"). It is undefined when either forgetting is
// undefined or F_full <= 0, where the ratio means nothing.
func FewShotAmplification(fewShotForgetting, fullForgetting Value) Value {
	if !fewShotForgetting.Defined || !fullForgetting.Defined || fullForgetting.X <= 0 {
		return Undefined
	}
	return Of(fewShotForgetting.X/fullForgetting.X - 1)
}

// mean returns (1/n) sum_{k<n} term(k), undefined when n = 0 or any term
// is NaN.
func mean(n int, term func(k int) float64) Value {
	if n == 0 {
		return Undefined
	}
	var sum float64
	for k := 0; k < n; k++ {
		x := term(k)
		if math.IsNaN(x) {
			return Undefined
		}
		sum += x
	}
	return Of(sum / float64(n))
}
