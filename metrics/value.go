package metrics

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Value is a metric that may be undefined. The zero Value is undefined.
type Value struct {
	X       float64
	Defined bool
}

// Of returns x as a defined Value, or an undefined one when x is NaN or
// infinite, so that a non-finite number can never pass for a score.
func Of(x float64) Value {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return Value{}
	}
	return Value{X: x, Defined: true}
}

// Undefined is the Value of a metric that cannot be defined.
var Undefined = Value{}

// FromPtr converts a nullable number, as stored in Parquet, to a Value:
// nil (or a non-finite number) is undefined.
func FromPtr(p *float64) Value {
	if p == nil {
		return Value{}
	}
	return Of(*p)
}

// Ptr converts v to a nullable number for Parquet: nil when undefined.
func (v Value) Ptr() *float64 {
	if !v.Defined {
		return nil
	}
	x := v.X
	return &x
}

// String formats v with %g, or "n/a" when undefined.
func (v Value) String() string {
	if !v.Defined {
		return "n/a"
	}
	return strconv.FormatFloat(v.X, 'g', -1, 64)
}

// MarshalJSON writes v as a number, or null when undefined.
func (v Value) MarshalJSON() ([]byte, error) {
	if !v.Defined {
		return []byte("null"), nil
	}
	if math.IsNaN(v.X) || math.IsInf(v.X, 0) {
		return nil, fmt.Errorf("metrics: defined value is %v", v.X)
	}
	return json.Marshal(v.X)
}

// UnmarshalJSON reads a number, or null as undefined.
func (v *Value) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*v = Value{}
		return nil
	}
	var x float64
	if err := json.Unmarshal(b, &x); err != nil {
		return err
	}
	*v = Value{X: x, Defined: true}
	return nil
}
