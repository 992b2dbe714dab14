package metrics

import (
	"errors"
	"fmt"
	"math"
)

// This file holds the forgetting diagnostics: quantities that explain
// why a model forgot, computed from what a training run records before
// and after a task (representations, predictions, attention weights,
// parameters, activations) rather than from the accuracy matrix.

// LinearCKA is linear centered kernel alignment (Kornblith et al. 2019,
// "Similarity of Neural Network Representations Revisited") between two
// representations of the same n examples: row i of x and of y describe
// example i; x has dx columns and y has dy, which may differ. With X and
// Y the matrices column-centred (each column minus its mean over the n
// rows),
//
//	CKA(X, Y) = ||Y^T X||_F^2 / (||X^T X||_F ||Y^T Y||_F),
//
// which lies in [0, 1], is 1 for identical representations, and is
// unchanged when either is scaled or multiplied on the right by an
// orthogonal matrix. A column whose entries are all equal centres to
// exactly zero. CKA is undefined when every column of x, or of y, is
// constant: a centred matrix that is all zero has no direction to align.
// The cost is O(n (dx^2 + dy^2 + dx dy)).
//
// It is an error when len(x) != len(y), n < 2, rows of a matrix have
// different lengths or none, or an entry is NaN or infinite.
func LinearCKA(x, y [][]float64) (Value, error) {
	if len(x) != len(y) {
		return Undefined, fmt.Errorf("linear CKA: %d rows against %d", len(x), len(y))
	}
	if len(x) < 2 {
		return Undefined, fmt.Errorf("linear CKA: %d rows, want at least 2", len(x))
	}
	xc, err := centred(x)
	if err != nil {
		return Undefined, fmt.Errorf("linear CKA: first representation: %w", err)
	}
	yc, err := centred(y)
	if err != nil {
		return Undefined, fmt.Errorf("linear CKA: second representation: %w", err)
	}
	if xc == nil || yc == nil {
		return Undefined, nil
	}

	// The three Frobenius norms, from the cross-products of columns.
	yx := crossFrobenius2(yc, xc)
	xx := math.Sqrt(crossFrobenius2(xc, xc))
	yy := math.Sqrt(crossFrobenius2(yc, yc))
	return Of(yx / (xx * yy)), nil
}

// centred returns m's columns minus their means, divided by the largest
// centred entry's magnitude (CKA does not change under scaling, and this
// keeps the fourth powers in its norms from overflowing). It returns nil
// when every column is constant. Rows must all have the same, non-zero
// length and finite entries.
func centred(m [][]float64) ([][]float64, error) {
	d := len(m[0])
	if d == 0 {
		return nil, errors.New("rows have no columns")
	}
	for i, row := range m {
		if len(row) != d {
			return nil, fmt.Errorf("row %d has %d columns, row 0 has %d", i, len(row), d)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("entry [%d][%d] is %v", i, j, v)
			}
		}
	}

	// Centre each column; a constant one becomes exactly zero, where
	// subtracting its computed mean could leave rounding noise.
	c := make([][]float64, len(m))
	for i := range c {
		c[i] = make([]float64, d)
	}
	var largest float64
	for j := 0; j < d; j++ {
		constant := true
		var sum float64
		for i := range m {
			sum += m[i][j]
			constant = constant && m[i][j] == m[0][j]
		}
		if constant {
			continue
		}
		mean := sum / float64(len(m))
		for i := range m {
			c[i][j] = m[i][j] - mean
			largest = math.Max(largest, math.Abs(c[i][j]))
		}
	}
	if largest == 0 {
		return nil, nil
	}

	// Scale to a largest magnitude of 1.
	for i := range c {
		for j := range c[i] {
			c[i][j] /= largest
		}
	}
	return c, nil
}

// crossFrobenius2 returns ||A^T B||_F^2 for a (n x da) and b (n x db):
// the sum over column pairs (k, l) of (sum_i a[i][k] b[i][l])^2.
func crossFrobenius2(a, b [][]float64) float64 {
	da, db := len(a[0]), len(b[0])
	var total float64
	for k := 0; k < da; k++ {
		for l := 0; l < db; l++ {
			var dot float64
			for i := range a {
				dot += a[i][k] * b[i][l]
			}
			total += dot * dot
		}
	}
	return total
}

// ErrInfiniteKL is wrapped by the error of [MeanKL] when a row's
// divergence is +Inf, which a Value cannot hold.
var ErrInfiniteKL = errors.New("KL divergence is +Inf")

// MeanKL is the mean over rows of the Kullback-Leibler divergence
// (Kullback and Leibler 1951, "On Information and Sufficiency") of q_i
// from p_i, in nats:
//
//	MeanKL = (1/n) sum_i KL(p_i || q_i),
//	KL(p || q) = sum_c p_c log(p_c / q_c),
//
// where each row is a probability distribution over the same classes,
// e.g. p the predictions on probe examples before a task and q after
// it. A term with p_c = 0 contributes 0 (the limit of t log t as t goes
// to 0), whatever q_c is.
//
// A term with q_c = 0 and p_c > 0 makes KL(p_i || q_i) = +Inf. A Value
// cannot hold an infinity (see [Of]), and an undefined Value would hide
// a model that now rules out a class the old one allowed, so MeanKL
// then returns an error wrapping [ErrInfiniteKL] that names the row and
// class; a caller expecting such zeros (a float32 softmax can underflow)
// should smooth q first.
//
// MeanKL is undefined when there are no rows. It is an error when p and
// q have different numbers of rows, two rows of a pair have different
// lengths or none, an entry is negative or not finite, or a row does not
// sum to 1 within 1e-6.
func MeanKL(p, q [][]float64) (Value, error) {
	if len(p) != len(q) {
		return Undefined, fmt.Errorf("mean KL: %d rows against %d", len(p), len(q))
	}
	if len(p) == 0 {
		return Undefined, nil
	}
	var sum float64
	for i := range p {
		if len(p[i]) != len(q[i]) || len(p[i]) == 0 {
			return Undefined, fmt.Errorf("mean KL: row %d has %d classes against %d",
				i, len(p[i]), len(q[i]))
		}
		if err := checkDistribution(p[i]); err != nil {
			return Undefined, fmt.Errorf("mean KL: row %d of p: %w", i, err)
		}
		if err := checkDistribution(q[i]); err != nil {
			return Undefined, fmt.Errorf("mean KL: row %d of q: %w", i, err)
		}
		for c, pc := range p[i] {
			if pc == 0 {
				continue
			}
			qc := q[i][c]
			if qc == 0 {
				return Undefined, fmt.Errorf("mean KL: row %d, class %d: p = %g, q = 0: %w",
					i, c, pc, ErrInfiniteKL)
			}
			sum += pc * math.Log(pc/qc)
		}
	}
	return Of(sum / float64(len(p))), nil
}

// checkDistribution reports whether row has finite, non-negative entries
// summing to 1 within 1e-6.
func checkDistribution(row []float64) error {
	var sum float64
	for c, v := range row {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return fmt.Errorf("class %d has probability %v", c, v)
		}
		sum += v
	}
	if math.Abs(sum-1) > 1e-6 {
		return fmt.Errorf("probabilities sum to %v, not 1", sum)
	}
	return nil
}

// MassOn is the mean attention mass on key positions: for each row i
// (one query, or one example's pooled attention) whose keys[i] marks at
// least one position,
//
//	mass_i = sum_{k : keys[i][k]} weights[i][k],
//
// and MassOn is the mean of mass_i over those rows. Rows with no key
// position are left out; MassOn is undefined when no row has one. The
// weights need not sum to 1 (a row may leave out padding), so the mass
// is read as a share only when they do. This is clbench's own summary
// of where attention goes; no paper fixes it in this form.
//
// It is an error when weights and keys have different numbers of rows,
// a pair of rows has different lengths, or a weight is negative or not
// finite.
func MassOn(weights [][]float64, keys [][]bool) (Value, error) {
	if len(weights) != len(keys) {
		return Undefined, fmt.Errorf("attention mass: %d rows of weights against %d of keys",
			len(weights), len(keys))
	}
	var (
		sum  float64
		rows int
	)
	for i, row := range weights {
		if len(row) != len(keys[i]) {
			return Undefined, fmt.Errorf("attention mass: row %d has %d weights against %d keys",
				i, len(row), len(keys[i]))
		}
		var (
			mass   float64
			hasKey bool
		)
		for k, w := range row {
			if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
				return Undefined, fmt.Errorf("attention mass: weight [%d][%d] is %v", i, k, w)
			}
			if keys[i][k] {
				mass += w
				hasKey = true
			}
		}
		if hasKey {
			sum += mass
			rows++
		}
	}
	if rows == 0 {
		return Undefined, nil
	}
	return Of(sum / float64(rows)), nil
}

// ParamDistance is how far training moved a model's parameters, both
// flattened into vectors in the same order:
//
//	abs = ||after - before||_2,
//	rel = abs / ||before||_2,
//
// computed in float64, the Euclidean distance in parameter space.
// rel is undefined when before is all zero. It is
// an error when the vectors have different lengths or none, or an entry
// is not finite.
func ParamDistance(before, after []float32) (abs, rel Value, err error) {
	if len(before) != len(after) {
		return Undefined, Undefined, fmt.Errorf("parameter distance: %d parameters against %d",
			len(before), len(after))
	}
	if len(before) == 0 {
		return Undefined, Undefined, errors.New("parameter distance: no parameters")
	}
	var diff2, base2 float64
	for i := range before {
		b, a := float64(before[i]), float64(after[i])
		if math.IsNaN(b) || math.IsInf(b, 0) || math.IsNaN(a) || math.IsInf(a, 0) {
			return Undefined, Undefined, fmt.Errorf(
				"parameter distance: parameter %d is %v before and %v after", i, b, a)
		}
		diff2 += (a - b) * (a - b)
		base2 += b * b
	}
	abs = Of(math.Sqrt(diff2))
	if base2 == 0 {
		return abs, Undefined, nil
	}
	return abs, Of(abs.X / math.Sqrt(base2)), nil
}

// InactiveShare is the share of units that training silenced. before and
// after hold activations on the same probe examples (rows) of the same
// units (columns). A unit responds on an example when its activation is
// above eps. With
//
//	A = units that respond on at least one example before,
//
// InactiveShare is the fraction of A that responds on no example after.
// It counts the units that stop firing, as dead ReLU units are counted
// in the study of plasticity loss (Lyle et al. 2023, "Understanding
// Plasticity in Neural Networks"; Dohare et al. 2024, "Loss of
// Plasticity in Deep Continual Learning"). It is undefined when A is
// empty.
//
// It is an error when the matrices differ in shape, have no rows or
// ragged rows, eps or an entry is not finite.
func InactiveShare(before, after [][]float64, eps float64) (Value, error) {
	if math.IsNaN(eps) || math.IsInf(eps, 0) {
		return Undefined, fmt.Errorf("inactive share: eps is %v", eps)
	}
	if len(before) != len(after) {
		return Undefined, fmt.Errorf("inactive share: %d examples before against %d after",
			len(before), len(after))
	}
	if len(before) == 0 {
		return Undefined, errors.New("inactive share: no examples")
	}
	units := len(before[0])
	respondsBefore := make([]bool, units)
	respondsAfter := make([]bool, units)
	for i := range before {
		if len(before[i]) != units || len(after[i]) != units {
			return Undefined, fmt.Errorf(
				"inactive share: example %d has %d units before and %d after, want %d",
				i, len(before[i]), len(after[i]), units)
		}
		for u := 0; u < units; u++ {
			b, a := before[i][u], after[i][u]
			if math.IsNaN(b) || math.IsInf(b, 0) || math.IsNaN(a) || math.IsInf(a, 0) {
				return Undefined, fmt.Errorf(
					"inactive share: example %d, unit %d is %v before and %v after", i, u, b, a)
			}
			respondsBefore[u] = respondsBefore[u] || b > eps
			respondsAfter[u] = respondsAfter[u] || a > eps
		}
	}

	// The share of the units active before that are silent after.
	var active, silenced int
	for u := 0; u < units; u++ {
		if !respondsBefore[u] {
			continue
		}
		active++
		if !respondsAfter[u] {
			silenced++
		}
	}
	if active == 0 {
		return Undefined, nil
	}
	return Of(float64(silenced) / float64(active)), nil
}
