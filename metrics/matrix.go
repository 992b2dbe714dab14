package metrics

import (
	"errors"
	"fmt"
	"math"
)

// Matrix is a run's accuracy matrix: R[i][j] is the score on task j after
// training through task i, both 0-based (the papers' R_{i+1,j+1}). A cell
// that was not measured is NaN.
type Matrix [][]float64

// NewMatrix returns a t×t matrix with every cell NaN (not measured).
func NewMatrix(t int) Matrix {
	m := make(Matrix, t)
	for i := range m {
		m[i] = make([]float64, t)
		for j := range m[i] {
			m[i][j] = math.NaN()
		}
	}
	return m
}

// T returns the number of tasks, the matrix's number of rows.
func (m Matrix) T() int { return len(m) }

// Validate reports whether m is a matrix the metrics can read: at least
// one task, square, and every cell finite or NaN (infinities are errors).
func (m Matrix) Validate() error {
	if len(m) == 0 {
		return errors.New("accuracy matrix has no tasks")
	}
	t := len(m)
	for i, row := range m {
		if len(row) != t {
			return fmt.Errorf("accuracy matrix is not square: row %d has %d cells, want %d",
				i, len(row), t)
		}
		for j, x := range row {
			if math.IsInf(x, 0) {
				return fmt.Errorf("accuracy matrix cell [%d][%d] is %v", i, j, x)
			}
		}
	}
	return nil
}

// Diagonal returns R[k][k] for every k: each task's score right after it
// was trained. A cumulative run's diagonal is the a*_k of Intransigence.
func (m Matrix) Diagonal() []float64 {
	d := make([]float64, len(m))
	for k := range m {
		if k < len(m[k]) {
			d[k] = m[k][k]
		} else {
			d[k] = math.NaN()
		}
	}
	return d
}
