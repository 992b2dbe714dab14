package metrics

import (
	"errors"
	"math"
	"testing"
)

// checkDiagnostic checks a diagnostic's value and whether it failed.
func checkDiagnostic(t *testing.T, got Value, err error, want Value, wantErr bool) {
	t.Helper()
	if (err != nil) != wantErr {
		t.Fatalf("error %v, want error: %v", err, wantErr)
	}
	if !wantErr {
		checkValue(t, got, want)
	}
}

func TestLinearCKA(t *testing.T) {
	// base has column means 0 and 1.5; centred it is
	// [[-2,-1.5],[0,0.5],[2,-0.5],[0,1.5]], not degenerate.
	base := [][]float64{{-2, 0}, {0, 2}, {2, 1}, {0, 3}}
	inf := math.Inf(1)
	tests := []struct {
		name    string
		x, y    [][]float64
		want    Value
		wantErr bool
	}{
		// Y = X: the numerator ||X^T X||_F^2 equals the denominator.
		{"identical", base, base, Of(1), false},
		// Y = 3X: numerator 9 ||X^T X||^2, denominator ||X^T X|| 9 ||X^T X||.
		{"scaled by 3", base, mapRows(base, func(r []float64) []float64 {
			return []float64{3 * r[0], 3 * r[1]}
		}), Of(1), false},
		// Y = XQ, Q = [[0.6, -0.8], [0.8, 0.6]] orthogonal; centring
		// commutes with Q, Y^T X = Q^T X^T X and Y^T Y = Q^T X^T X Q
		// have the Frobenius norm of X^T X, so CKA = 1.
		{"rotated", base, mapRows(base, func(r []float64) []float64 {
			return []float64{0.6*r[0] + 0.8*r[1], -0.8*r[0] + 0.6*r[1]}
		}), Of(1), false},
		// Both already centred; y is zero wherever x is not, so
		// Y^T X = sum_i y_i x_i = 0 and CKA = 0.
		{"orthogonal", [][]float64{{1, 2}, {-1, -2}, {0, 0}, {0, 0}},
			[][]float64{{0}, {0}, {5}, {-5}}, Of(0), false},
		// x centred, y = [[1,0],[-1,0],[0,1],[0,-1]] centred:
		// X^T X = [2], norm 2; Y^T Y = diag(2, 2), norm 2 sqrt 2;
		// Y^T X = [2, 0]^T, squared norm 4. CKA = 4 / (4 sqrt 2).
		{"partial", [][]float64{{1}, {-1}, {0}, {0}},
			[][]float64{{1, 0}, {-1, 0}, {0, 1}, {0, -1}}, Of(1 / math.Sqrt2), false},
		// As "partial" with x shifted by 10: centring removes the shift.
		// (Uncentred, X^T X = 402 and the answer 4 / (402 · 2 sqrt 2) = 0.0035.)
		{"partial, shifted", [][]float64{{11}, {9}, {10}, {10}},
			[][]float64{{1, 0}, {-1, 0}, {0, 1}, {0, -1}}, Of(1 / math.Sqrt2), false},
		// Entries of 1e100 give fourth powers past the float64 range
		// unless each matrix is rescaled first; CKA is still 1.
		{"huge identical", [][]float64{{1e100}, {-1e100}, {0}},
			[][]float64{{1e100}, {-1e100}, {0}}, Of(1), false},
		// Every column constant: the centred x is zero.
		{"constant x", [][]float64{{0.1, 7}, {0.1, 7}, {0.1, 7}},
			[][]float64{{1}, {2}, {3}}, Undefined, false},
		{"constant y", [][]float64{{1}, {2}, {3}},
			[][]float64{{4}, {4}, {4}}, Undefined, false},
		{"row counts differ", base, base[:3], Undefined, true},
		{"one row", [][]float64{{1}}, [][]float64{{2}}, Undefined, true},
		{"ragged", [][]float64{{1, 2}, {3}}, [][]float64{{1}, {2}}, Undefined, true},
		{"no columns", [][]float64{{}, {}}, [][]float64{{1}, {2}}, Undefined, true},
		{"NaN", [][]float64{{1}, {nan}}, [][]float64{{1}, {2}}, Undefined, true},
		{"infinite", [][]float64{{1}, {2}}, [][]float64{{1}, {inf}}, Undefined, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LinearCKA(tt.x, tt.y)
			checkDiagnostic(t, got, err, tt.want, tt.wantErr)
		})
	}
}

// mapRows returns f applied to each row of m.
func mapRows(m [][]float64, f func([]float64) []float64) [][]float64 {
	out := make([][]float64, len(m))
	for i, r := range m {
		out[i] = f(r)
	}
	return out
}

func TestMeanKL(t *testing.T) {
	tests := []struct {
		name    string
		p, q    [][]float64
		want    Value
		wantErr bool
	}{
		// Every term p_c log(p_c / p_c) = 0.
		{"identical", [][]float64{{0.2, 0.8}, {0.5, 0.5}},
			[][]float64{{0.2, 0.8}, {0.5, 0.5}}, Of(0), false},
		// 1 log(1 / 0.5) + 0 = log 2.
		{"certain against uniform", [][]float64{{1, 0}}, [][]float64{{0.5, 0.5}},
			Of(math.Ln2), false},
		// 0.5 log(0.5/0.25) + 0.5 log(0.5/0.75) = 0.5 log(4/3). Reversed,
		// 0.25 log(0.5) + 0.75 log(1.5) = 0.1308 instead of 0.1438.
		{"direction", [][]float64{{0.5, 0.5}}, [][]float64{{0.25, 0.75}},
			Of(0.5 * math.Log(4.0/3)), false},
		// Rows log 2 and 0: the mean is log 2 / 2.
		{"mean over rows", [][]float64{{1, 0}, {0.5, 0.5}},
			[][]float64{{0.5, 0.5}, {0.5, 0.5}}, Of(math.Ln2 / 2), false},
		// p = 0 terms contribute 0 even where q = 0 (no 0 log 0/0).
		{"zero against zero", [][]float64{{1, 0}}, [][]float64{{1, 0}}, Of(0), false},
		// Sums within 1e-6 of 1 are distributions.
		{"sum within tolerance", [][]float64{{0.5, 0.5000005}},
			[][]float64{{0.5, 0.5000005}}, Of(0), false},
		{"no rows", nil, nil, Undefined, false},
		{"row counts differ", [][]float64{{1}}, nil, Undefined, true},
		{"classes differ", [][]float64{{1}}, [][]float64{{1, 0}}, Undefined, true},
		{"no classes", [][]float64{{}}, [][]float64{{}}, Undefined, true},
		{"sum off", [][]float64{{0.5, 0.4}}, [][]float64{{0.5, 0.5}}, Undefined, true},
		{"negative", [][]float64{{1.5, -0.5}}, [][]float64{{0.5, 0.5}}, Undefined, true},
		{"NaN", [][]float64{{0.5, 0.5}}, [][]float64{{nan, 1}}, Undefined, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MeanKL(tt.p, tt.q)
			checkDiagnostic(t, got, err, tt.want, tt.wantErr)
		})
	}

	// q = 0 where p > 0: KL is +Inf, reported as ErrInfiniteKL.
	_, err := MeanKL([][]float64{{0.5, 0.5}}, [][]float64{{1, 0}})
	if !errors.Is(err, ErrInfiniteKL) {
		t.Errorf("p = (0.5, 0.5), q = (1, 0): error %v, want ErrInfiniteKL", err)
	}
}

func TestMassOn(t *testing.T) {
	tests := []struct {
		name    string
		w       [][]float64
		keys    [][]bool
		want    Value
		wantErr bool
	}{
		// Row 0: 0.5 + 0.2 = 0.7; row 1 has no key and is left out;
		// row 2: 0.4. Mean (0.7 + 0.4) / 2 = 0.55 (0.3667 if row 1
		// counted as 0).
		{"by hand",
			[][]float64{{0.5, 0.3, 0.2}, {0.1, 0.1, 0.8}, {0.6, 0.4, 0}},
			[][]bool{{true, false, true}, {false, false, false}, {false, true, false}},
			Of(0.55), false},
		// A key with weight 0 is still a key: mass 0, counted.
		{"zero mass", [][]float64{{1, 0}, {0, 1}}, [][]bool{{false, true}, {false, true}},
			Of(0.5), false},
		{"no key anywhere", [][]float64{{0.5, 0.5}}, [][]bool{{false, false}},
			Undefined, false},
		{"no rows", nil, nil, Undefined, false},
		{"row counts differ", [][]float64{{1}}, nil, Undefined, true},
		{"lengths differ", [][]float64{{0.5, 0.5}}, [][]bool{{true}}, Undefined, true},
		{"negative", [][]float64{{-0.5, 1.5}}, [][]bool{{true, true}}, Undefined, true},
		{"NaN", [][]float64{{nan, 1}}, [][]bool{{false, true}}, Undefined, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MassOn(tt.w, tt.keys)
			checkDiagnostic(t, got, err, tt.want, tt.wantErr)
		})
	}
}

func TestParamDistance(t *testing.T) {
	tests := []struct {
		name          string
		before, after []float32
		wantAbs       Value
		wantRel       Value
		wantErr       bool
	}{
		// after - before = (-3, -4), norm 5; ||before|| = 5, rel 1.
		{"to zero", []float32{3, 4}, []float32{0, 0}, Of(5), Of(1), false},
		// Difference (0, 1), norm 1; rel 1 / 5.
		{"small step", []float32{3, 4}, []float32{3, 5}, Of(1), Of(0.2), false},
		// Nothing moved: both are a defined 0.
		{"unchanged", []float32{1, 2, 2}, []float32{1, 2, 2}, Of(0), Of(0), false},
		// ||before|| = 0: abs 5, rel undefined.
		{"from zero", []float32{0, 0}, []float32{3, 4}, Of(5), Undefined, false},
		{"lengths differ", []float32{1}, []float32{1, 2}, Undefined, Undefined, true},
		{"empty", nil, nil, Undefined, Undefined, true},
		{"NaN", []float32{1}, []float32{float32(nan)}, Undefined, Undefined, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			abs, rel, err := ParamDistance(tt.before, tt.after)
			checkDiagnostic(t, abs, err, tt.wantAbs, tt.wantErr)
			checkDiagnostic(t, rel, err, tt.wantRel, tt.wantErr)
		})
	}
}

func TestInactiveShare(t *testing.T) {
	// Three examples (rows), four units (columns), eps = 0.1:
	//   unit 0 responds before (1), on no example after: silenced;
	//   unit 1 never responds before: not counted, though it does after;
	//   unit 2 responds before (0.5) and after (0.3, another example);
	//   unit 3 responds before (0.2); after, 0.05 and 0.1 are not above
	//   eps: silenced.
	// Active before: units 0, 2, 3; silenced 0 and 3: share 2/3.
	// (Counting unit 1 would give 2/4; reading "above" as ">=", 1/3.)
	before := [][]float64{
		{1, 0, 0, 0.2},
		{0, 0, 0.5, 0.2},
		{0, 0, 0, 0},
	}
	after := [][]float64{
		{0, 2, 0, 0.05},
		{0, 0, 0, 0.1},
		{0, 0, 0.3, 0},
	}
	tests := []struct {
		name          string
		before, after [][]float64
		eps           float64
		want          Value
		wantErr       bool
	}{
		{"by hand", before, after, 0.1, Of(2.0 / 3), false},
		// With eps = 0 unit 3 still responds after (0.05): 1/3.
		{"eps 0", before, after, 0, Of(1.0 / 3), false},
		{"none active before", [][]float64{{0, 0.1}}, [][]float64{{1, 1}}, 0.1,
			Undefined, false},
		{"no examples", nil, nil, 0, Undefined, true},
		{"examples differ", before, after[:2], 0, Undefined, true},
		{"units differ", [][]float64{{1, 1}}, [][]float64{{1}}, 0, Undefined, true},
		{"NaN", [][]float64{{nan}}, [][]float64{{1}}, 0, Undefined, true},
		{"eps NaN", [][]float64{{1}}, [][]float64{{1}}, nan, Undefined, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := InactiveShare(tt.before, tt.after, tt.eps)
			checkDiagnostic(t, got, err, tt.want, tt.wantErr)
		})
	}
}
