package metrics

import (
	"math"
	"testing"
)

var nan = math.NaN()

// worked is the 3-task matrix the expected values below are worked
// from by hand (rows: after task i; columns: task j; 0-based):
//
//	        task0  task1  task2
//	after0  0.90   0.20   0.30
//	after1  0.95   0.80   0.40
//	after2  0.60   0.50   0.85
//
// with the untrained scores b = (0.10, 0.15, 0.30) and the cumulative
// run's diagonal a* = (0.95, 0.90, 0.85).
var (
	worked = Matrix{
		{0.90, 0.20, 0.30},
		{0.95, 0.80, 0.40},
		{0.60, 0.50, 0.85},
	}
	workedB   = []float64{0.10, 0.15, 0.30}
	workedRef = []float64{0.95, 0.90, 0.85}
)

// with returns a copy of m with cell [i][j] set to x.
func with(m Matrix, i, j int, x float64) Matrix {
	c := make(Matrix, len(m))
	for k := range m {
		c[k] = append([]float64(nil), m[k]...)
	}
	c[i][j] = x
	return c
}

const tol = 1e-12

func checkValue(t *testing.T, got, want Value) {
	t.Helper()
	if got.Defined != want.Defined {
		t.Fatalf("got %v, want %v", got, want)
	}
	if want.Defined && math.Abs(got.X-want.X) > tol {
		t.Fatalf("got %.15g, want %.15g", got.X, want.X)
	}
}

func TestACC(t *testing.T) {
	tests := []struct {
		name string
		r    Matrix
		want Value
	}{
		// (0.60 + 0.50 + 0.85) / 3 = 1.95 / 3 = 0.65.
		{"worked", worked, Of(0.65)},
		// One task: the only cell.
		{"one task", Matrix{{0.7}}, Of(0.7)},
		// A joint run measures only the last row: (0.8 + 0.6) / 2 = 0.7.
		{"joint, last row only", Matrix{{nan, nan}, {0.8, 0.6}}, Of(0.7)},
		// Cells above the diagonal are not needed.
		{"upper cells not measured", with(worked, 0, 2, nan), Of(0.65)},
		{"last-row cell not measured", with(worked, 2, 1, nan), Undefined},
		{"no tasks", Matrix{}, Undefined},
		{"not square", Matrix{{0.5, 0.5}}, Undefined},
		{"ragged", Matrix{{0.5, 0.5}, {0.5}}, Undefined},
		{"infinite cell", with(worked, 0, 0, math.Inf(1)), Undefined},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkValue(t, ACC(tt.r), tt.want) })
	}
}

func TestBWT(t *testing.T) {
	tests := []struct {
		name string
		r    Matrix
		want Value
	}{
		// ((0.60 - 0.90) + (0.50 - 0.80)) / 2 = (-0.30 - 0.30) / 2 = -0.30.
		{"worked", worked, Of(-0.30)},
		// Row 1's rise of task 0 to 0.95 does not enter BWT.
		{"middle row not needed", with(worked, 1, 0, nan), Of(-0.30)},
		// Positive transfer: (0.7 - 0.6) / 1 = 0.1.
		{"positive", Matrix{{0.6, nan}, {0.7, 0.9}}, Of(0.1)},
		{"one task divides by T-1 = 0", Matrix{{0.7}}, Undefined},
		{"diagonal cell not measured", with(worked, 1, 1, nan), Undefined},
		{"last-row cell not measured", with(worked, 2, 0, nan), Undefined},
		{"joint, last row only", Matrix{{nan, nan}, {0.8, 0.6}}, Undefined},
		{"no tasks", nil, Undefined},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkValue(t, BWT(tt.r), tt.want) })
	}
}

func TestFWT(t *testing.T) {
	tests := []struct {
		name string
		r    Matrix
		b    []float64
		want Value
	}{
		// ((R[0][1] - b1) + (R[1][2] - b2)) / 2
		//   = ((0.20 - 0.15) + (0.40 - 0.30)) / 2 = (0.05 + 0.10) / 2 = 0.075.
		{"worked", worked, workedB, Of(0.075)},
		// b[0] never enters the formula.
		{"b0 not measured", worked, []float64{nan, 0.15, 0.30}, Of(0.075)},
		// Cells R[0][2] and below the diagonal do not enter it either.
		{"far upper cell not measured", with(worked, 0, 2, nan), workedB, Of(0.075)},
		{"one task divides by T-1 = 0", Matrix{{0.7}}, []float64{0.5}, Undefined},
		{"cell above the diagonal left empty", with(worked, 1, 2, nan), workedB, Undefined},
		{"untrained score not measured", worked, []float64{0.10, nan, 0.30}, Undefined},
		{"no untrained scores", worked, nil, Undefined},
		{"untrained scores too short", worked, workedB[:2], Undefined},
		{"untrained scores too long", worked, append(workedB, 0.1), Undefined},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkValue(t, FWT(tt.r, tt.b), tt.want) })
	}
}

func TestForgetting(t *testing.T) {
	tests := []struct {
		name string
		r    Matrix
		want Value
	}{
		// Task 0: max(R[0][0], R[1][0]) - R[2][0] = max(0.90, 0.95) - 0.60 = 0.35.
		// Task 1: max(R[1][1]) - R[2][1] = 0.80 - 0.50 = 0.30.
		// F = (0.35 + 0.30) / 2 = 0.325 (while -BWT = 0.30: the maximum
		// counts the rise of task 0 to 0.95 after task 1).
		{"worked", worked, Of(0.325)},
		// The maximum is over the measured cells: task 0's is now
		// max(0.90) - 0.60 = 0.30, so F = (0.30 + 0.30) / 2 = 0.30.
		{"one cell of the maximum not measured", with(worked, 1, 0, nan), Of(0.30)},
		// Task 0's maximum still has R[1][0] = 0.95: F = 0.325 as worked.
		{"diagonal not measured, later cell is", with(worked, 0, 0, nan), Of(0.325)},
		// Rows from before task j was trained do not count (l starts at
		// j): task 1's max is R[1][1] = 0.80 even with R[0][1] = 0.99.
		{"earlier rows do not count", with(worked, 0, 1, 0.99), Of(0.325)},
		// Improvement gives negative forgetting: 0.6 - 0.7 = -0.1.
		{"negative", Matrix{{0.6, nan}, {0.7, 0.9}}, Of(-0.1)},
		{"none of the maximum measured", Matrix{{nan, nan}, {0.5, 0.6}}, Undefined},
		{"last-row cell not measured", with(worked, 2, 1, nan), Undefined},
		{"one task divides by T-1 = 0", Matrix{{0.7}}, Undefined},
		{"joint, last row only", Matrix{{nan, nan}, {0.8, 0.6}}, Undefined},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkValue(t, Forgetting(tt.r), tt.want) })
	}
}

func TestIntransigence(t *testing.T) {
	tests := []struct {
		name string
		r    Matrix
		ref  []float64
		want Value
	}{
		// ((0.95 - 0.90) + (0.90 - 0.80) + (0.85 - 0.85)) / 3
		//   = (0.05 + 0.10 + 0) / 3 = 0.05.
		{"worked", worked, workedRef, Of(0.05)},
		// A run against its own diagonal: 0.
		{"own diagonal", worked, worked.Diagonal(), Of(0)},
		// T = 1 is defined: (0.8 - 0.7) / 1 = 0.1.
		{"one task", Matrix{{0.7}}, []float64{0.8}, Of(0.1)},
		{"no reference", worked, nil, Undefined},
		{"reference not measured", worked, []float64{0.95, nan, 0.85}, Undefined},
		{"reference too short", worked, workedRef[:2], Undefined},
		{"diagonal not measured", with(worked, 2, 2, nan), workedRef, Undefined},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkValue(t, Intransigence(tt.r, tt.ref), tt.want)
		})
	}
}

func TestLA(t *testing.T) {
	tests := []struct {
		name string
		r    Matrix
		want Value
	}{
		// (0.90 + 0.80 + 0.85) / 3 = 2.55 / 3 = 0.85.
		{"worked", worked, Of(0.85)},
		{"one task", Matrix{{0.7}}, Of(0.7)},
		{"diagonal not measured", with(worked, 0, 0, nan), Undefined},
		{"joint, last row only", Matrix{{nan, nan}, {0.8, 0.6}}, Undefined},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkValue(t, LA(tt.r), tt.want) })
	}
}

func TestFewShotAmplification(t *testing.T) {
	tests := []struct {
		name      string
		few, full Value
		want      Value
	}{
		// 0.14 / 0.10 - 1 = 0.4: the claimed "40% more forgetting".
		{"forty percent", Of(0.14), Of(0.10), Of(0.4)},
		// 0.05 / 0.10 - 1 = -0.5: less forgetting with few shots.
		{"less forgetting", Of(0.05), Of(0.10), Of(-0.5)},
		{"full forgetting zero", Of(0.14), Of(0), Undefined},
		{"full forgetting negative", Of(0.14), Of(-0.02), Undefined},
		{"few-shot undefined", Undefined, Of(0.10), Undefined},
		{"full undefined", Of(0.14), Undefined, Undefined},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkValue(t, FewShotAmplification(tt.few, tt.full), tt.want)
		})
	}
}

func TestCompute(t *testing.T) {
	tests := []struct {
		name           string
		r              Matrix
		untrained, ref []float64
		want           Summary
	}{
		// Each value as worked in the tests above.
		{"worked, all references", worked, workedB, workedRef, Summary{
			ACC: Of(0.65), BWT: Of(-0.30), FWT: Of(0.075),
			Forgetting: Of(0.325), Intransigence: Of(0.05), LA: Of(0.85),
		}},
		{"worked, no references", worked, nil, nil, Summary{
			ACC: Of(0.65), BWT: Of(-0.30), Forgetting: Of(0.325), LA: Of(0.85),
		}},
		{"invalid matrix", Matrix{{0.5, 0.5}}, []float64{0, 0}, []float64{1, 1}, Summary{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Compute(tt.r, tt.untrained, tt.ref)
			for _, c := range []struct {
				name      string
				got, want Value
			}{
				{"ACC", got.ACC, tt.want.ACC},
				{"BWT", got.BWT, tt.want.BWT},
				{"FWT", got.FWT, tt.want.FWT},
				{"Forgetting", got.Forgetting, tt.want.Forgetting},
				{"Intransigence", got.Intransigence, tt.want.Intransigence},
				{"LA", got.LA, tt.want.LA},
			} {
				t.Run(c.name, func(t *testing.T) { checkValue(t, c.got, c.want) })
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		r       Matrix
		wantErr bool
	}{
		{"worked", worked, false},
		{"not measured cells are fine", Matrix{{nan, nan}, {nan, nan}}, false},
		{"no tasks", Matrix{}, true},
		{"nil", nil, true},
		{"wide", Matrix{{1, 2}}, true},
		{"ragged", Matrix{{1, 2}, {1}}, true},
		{"infinite", Matrix{{math.Inf(-1)}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.r.Validate(); (err != nil) != tt.wantErr {
				t.Fatalf("Validate() = %v, want error: %v", err, tt.wantErr)
			}
		})
	}
}
