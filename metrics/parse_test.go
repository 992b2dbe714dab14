package metrics

import (
	"math"
	"strings"
	"testing"
)

// sameMatrix reports whether a and b have the same shape and cells, NaN
// equal to NaN.
func sameMatrix(a, b Matrix) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameVector(a[i], b[i]) {
			return false
		}
	}
	return true
}

func sameVector(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for j := range a {
		if a[j] != b[j] && !(math.IsNaN(a[j]) && math.IsNaN(b[j])) {
			return false
		}
	}
	return true
}

func TestParseMatrixCSV(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Matrix
		wantErr string // a part of the error; "" for none
	}{
		{"worked", "0.90,0.20,0.30\n0.95,0.80,0.40\n0.60,0.50,0.85\n", worked, ""},
		{"upper cells empty", "0.9,,\n0.95,0.8,\n0.6,0.5,0.85", Matrix{
			{0.9, nan, nan}, {0.95, 0.8, nan}, {0.6, 0.5, 0.85},
		}, ""},
		{"spaces, CRLF and blank lines", "\n 0.9 , \r\n\r\n0.7, 0.8\r\n\n", Matrix{
			{0.9, nan}, {0.7, 0.8},
		}, ""},
		{"NaN written out", "NaN,NaN\n0.8,0.6\n", Matrix{{nan, nan}, {0.8, 0.6}}, ""},
		{"one task", "0.7\n", Matrix{{0.7}}, ""},
		{"empty diagonal", "0.9,\n0.7,\n", nil, "m.csv:2: cell 2: empty"},
		{"empty below diagonal", "0.9,\n,0.8\n", nil, "m.csv:2: cell 1: empty"},
		{"not a number", "0.9,\n0.7,x\n", nil, `m.csv:2: cell 2: "x" is not a number`},
		{"infinite", "Inf\n", nil, `m.csv:1: cell 1: "Inf" is infinite`},
		{"ragged", "0.9,\n\n0.7,0.8,0.1\n", nil, "m.csv:3: 3 cells, want 2 as on line 1"},
		{"too many rows", "0.9,\n0.7,0.8\n0.6,0.5\n", nil, "m.csv:3: 3 rows of 2 cells"},
		{"too few rows", "0.9,,\n0.7,0.8,\n", nil, "m.csv:2: 2 rows of 3 cells"},
		{"empty file", "\n\n", nil, "m.csv: no rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMatrixCSV(strings.NewReader(tt.in), "m.csv")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !sameMatrix(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseVectorCSV(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		t       int
		want    []float64
		wantErr string
	}{
		{"three", "0.10,0.15,0.30\n", 3, workedB, ""},
		{"any length", "0.5, 0.25", 0, []float64{0.5, 0.25}, ""},
		{"NaN written out", "NaN,0.15\n", 2, []float64{nan, 0.15}, ""},
		{"wrong length", "0.1,0.2\n", 3, nil, "b.csv:1: 2 cells, want 3"},
		{"empty cell", "0.1,,0.3\n", 3, nil, "b.csv:1: cell 2: empty"},
		{"two lines", "0.1,0.2\n0.1,0.2\n", 2, nil, "b.csv:2: more than one line"},
		{"empty file", "", 2, nil, "b.csv: no line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseVectorCSV(strings.NewReader(tt.in), "b.csv", tt.t)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !sameVector(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseMatrixCSVScoresAreFractions(t *testing.T) {
	// A matrix on a 0-100 scale would give ACC 66.7 silently: rejected.
	_, err := ParseMatrixCSV(strings.NewReader("90,\n60,80\n"), "R.csv")
	if err == nil || !strings.Contains(err.Error(), "R.csv:1") || !strings.Contains(err.Error(), "[0, 1]") {
		t.Fatalf("err = %v, want R.csv:1 and the [0, 1] range", err)
	}
}

func TestParseMatrixCSVAcceptsByteOrderMark(t *testing.T) {
	m, err := ParseMatrixCSV(strings.NewReader("\ufeff0.9,\n0.6,0.8\n"), "R.csv")
	if err != nil {
		t.Fatal(err)
	}
	if m[0][0] != 0.9 {
		t.Errorf("R[0][0] = %v, want 0.9", m[0][0])
	}
}
