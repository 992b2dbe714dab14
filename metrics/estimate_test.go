package metrics

import (
	"encoding/json"
	"math"
	"testing"
)

func TestMeanCI(t *testing.T) {
	// Expected half-widths use t quantiles from a printed Student-t
	// table (two-sided 95%): t(1) = 12.706, t(2) = 4.303, t(4) = 2.776,
	// so they hold to the table's 3 decimals; htol allows for that.
	const htol = 5e-4
	tests := []struct {
		name        string
		xs          []float64
		wantMean    float64
		wantHalf    float64
		wantN       int
		wantSkipped int
		wantCI      bool
	}{
		// mean 0.7; s = sqrt((0.01 + 0 + 0.01) / 2) = 0.1;
		// half = 4.303 * 0.1 / sqrt(3) = 0.2484.
		{"three seeds", []float64{0.6, 0.7, 0.8}, 0.7, 0.2484, 3, 0, true},
		// mean 0.6; s = sqrt((0.01 + 0.01) / 1) = 0.1414;
		// half = 12.706 * 0.1414 / sqrt(2) = 1.2706.
		{"two seeds", []float64{0.5, 0.7}, 0.6, 1.2706, 2, 0, true},
		// mean 0.3; deviations -0.2, -0.1, 0, 0.1, 0.2, s = sqrt(0.1 / 4)
		// = 0.1581; half = 2.776 * 0.1581 / sqrt(5) = 0.1963.
		{"five seeds", []float64{0.1, 0.2, 0.3, 0.4, 0.5}, 0.3, 0.1963, 5, 0, true},
		// No spread, no width.
		{"equal values", []float64{0.4, 0.4, 0.4}, 0.4, 0, 3, 0, true},
		// The NaN is left out: as "two seeds".
		{"undefined skipped", []float64{0.5, nan, 0.7}, 0.6, 1.2706, 2, 1, true},
		{"one seed", []float64{0.42}, 0.42, 0, 1, 0, false},
		{"one defined of two", []float64{nan, 0.42}, 0.42, 0, 1, 1, false},
		{"all undefined", []float64{nan, nan}, 0, 0, 0, 2, false},
		{"none", nil, 0, 0, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := MeanCI(tt.xs)
			if e.N != tt.wantN || e.Skipped != tt.wantSkipped || e.HasInterval != tt.wantCI {
				t.Fatalf("got %+v, want N %d, Skipped %d, HasInterval %v",
					e, tt.wantN, tt.wantSkipped, tt.wantCI)
			}
			if e.HasMean() != (tt.wantN > 0) || e.MeanValue().Defined != (tt.wantN > 0) {
				t.Fatalf("HasMean() = %v with N = %d", e.HasMean(), e.N)
			}
			if math.Abs(e.Mean-tt.wantMean) > tol {
				t.Errorf("mean %.15g, want %.15g", e.Mean, tt.wantMean)
			}
			if math.Abs(e.HalfWidth()-tt.wantHalf) > htol {
				t.Errorf("half-width %.6g, want %.4g", e.HalfWidth(), tt.wantHalf)
			}
			if e.HasInterval && math.Abs(e.Lo+e.Hi-2*e.Mean) > tol {
				t.Errorf("interval [%g, %g] not centred on %g", e.Lo, e.Hi, e.Mean)
			}
		})
	}
}

func TestMeanCIValues(t *testing.T) {
	// As "undefined skipped" above.
	e := MeanCIValues([]Value{Of(0.5), Undefined, Of(0.7)})
	if e.N != 2 || e.Skipped != 1 || math.Abs(e.Mean-0.6) > tol {
		t.Fatalf("got %+v", e)
	}
}

func TestEstimateJSON(t *testing.T) {
	tests := []struct {
		name string
		e    Estimate
		want string
	}{
		{"interval", Estimate{Mean: 0.5, Lo: 0.25, Hi: 0.75, N: 3, HasInterval: true},
			`{"mean":0.5,"lo":0.25,"hi":0.75,"n":3,"skipped":0}`},
		{"one seed", Estimate{Mean: 0.5, N: 1, Skipped: 1},
			`{"mean":0.5,"lo":null,"hi":null,"n":1,"skipped":1}`},
		{"none", Estimate{Skipped: 2},
			`{"mean":null,"lo":null,"hi":null,"n":0,"skipped":2}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.e)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("got %s, want %s", b, tt.want)
			}
		})
	}
}
