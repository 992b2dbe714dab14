package metrics

import (
	"encoding/json"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Estimate is a metric's mean over seeds with its 95% Student-t interval.
// The mean is defined when N >= 1; the interval [Lo, Hi] only when
// HasInterval (N >= 2). Undefined values are not in N; Skipped counts
// them.
type Estimate struct {
	Mean, Lo, Hi float64
	N            int // defined values the mean is over
	Skipped      int // undefined values left out
	HasInterval  bool
}

// HasMean reports whether the mean is defined: at least one value.
func (e Estimate) HasMean() bool { return e.N > 0 }

// MeanValue returns the mean as a Value, undefined when N = 0.
func (e Estimate) MeanValue() Value {
	if !e.HasMean() {
		return Undefined
	}
	return Of(e.Mean)
}

// HalfWidth returns (Hi - Lo) / 2, the "±" of the interval, or 0 when
// there is no interval.
func (e Estimate) HalfWidth() float64 {
	if !e.HasInterval {
		return 0
	}
	return (e.Hi - e.Lo) / 2
}

// MarshalJSON writes {"mean", "lo", "hi", "n", "skipped"}, with null for
// a mean or bounds that are not defined.
func (e Estimate) MarshalJSON() ([]byte, error) {
	var out struct {
		Mean    Value `json:"mean"`
		Lo      Value `json:"lo"`
		Hi      Value `json:"hi"`
		N       int   `json:"n"`
		Skipped int   `json:"skipped"`
	}
	out.Mean = e.MeanValue()
	if e.HasInterval {
		out.Lo, out.Hi = Of(e.Lo), Of(e.Hi)
	}
	out.N, out.Skipped = e.N, e.Skipped
	return json.Marshal(out)
}

// MeanCI returns the mean of xs and its 95% Student-t interval,
//
//	mean ± t_{0.975, n-1} · s / sqrt(n),
//
// s the sample standard deviation. NaN entries are undefined values:
// left out and counted in Skipped. With one value the mean is given and
// the interval is not; with none, neither is.
func MeanCI(xs []float64) Estimate {
	var (
		e       Estimate
		defined = make([]float64, 0, len(xs))
	)
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			e.Skipped++
			continue
		}
		defined = append(defined, x)
	}
	e.N = len(defined)

	switch e.N {
	case 0:
		return e
	case 1:
		e.Mean = defined[0]
		return e
	}

	// The interval: Student's t with n-1 degrees of freedom.
	mean, sd := stat.MeanStdDev(defined, nil)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(e.N - 1)}.Quantile(0.975)
	half := t * sd / math.Sqrt(float64(e.N))
	e.Mean, e.Lo, e.Hi, e.HasInterval = mean, mean-half, mean+half, true
	return e
}

// MeanCIValues is [MeanCI] over Values: undefined ones are skipped.
func MeanCIValues(vs []Value) Estimate {
	xs := make([]float64, len(vs))
	for i, v := range vs {
		if v.Defined {
			xs[i] = v.X
		} else {
			xs[i] = math.NaN()
		}
	}
	return MeanCI(xs)
}
