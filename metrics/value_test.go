package metrics

import (
	"encoding/json"
	"math"
	"testing"
)

func TestValue(t *testing.T) {
	half := 0.5
	tests := []struct {
		name     string
		v        Value
		wantJSON string
		wantStr  string
		wantPtr  *float64
	}{
		{"defined", Of(0.5), "0.5", "0.5", &half},
		{"zero is defined", Of(0), "0", "0", new(float64)},
		{"undefined", Undefined, "null", "n/a", nil},
		{"NaN is undefined", Of(math.NaN()), "null", "n/a", nil},
		{"infinity is undefined", Of(math.Inf(1)), "null", "n/a", nil},
		{"from nil", FromPtr(nil), "null", "n/a", nil},
		{"from pointer", FromPtr(&half), "0.5", "0.5", &half},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.wantJSON {
				t.Errorf("JSON %s, want %s", b, tt.wantJSON)
			}
			if s := tt.v.String(); s != tt.wantStr {
				t.Errorf("String() = %q, want %q", s, tt.wantStr)
			}
			p := tt.v.Ptr()
			if (p == nil) != (tt.wantPtr == nil) || (p != nil && *p != *tt.wantPtr) {
				t.Errorf("Ptr() = %v, want %v", p, tt.wantPtr)
			}
			var back Value
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if back != tt.v {
				t.Errorf("JSON round trip gave %v, want %v", back, tt.v)
			}
		})
	}
}

func TestSummaryJSON(t *testing.T) {
	s := Summary{ACC: Of(0.65), BWT: Of(-0.3), LA: Of(0.85)}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"acc":0.65,"bwt":-0.3,"fwt":null,"forgetting":null,"intransigence":null,"la":0.85}`
	if string(b) != want {
		t.Errorf("got %s\nwant %s", b, want)
	}
}

func TestAll(t *testing.T) {
	// Every metric of the design's table, by key, with its direction.
	want := map[string]bool{
		"acc": true, "bwt": true, "fwt": true, "forgetting": false,
		"intransigence": false, "la": true, "fewshot_amplification": false,
		"wall_seconds": false, "examples_per_second": true,
		"peak_memory_bytes": false, "trainable_params": false,
		"params_added_pct": false, "examples_stored": false,
	}
	seen := map[string]bool{}
	for _, m := range All() {
		if seen[m.Key] {
			t.Errorf("key %q listed twice", m.Key)
		}
		seen[m.Key] = true
		higher, ok := want[m.Key]
		if !ok {
			t.Errorf("unexpected key %q", m.Key)
			continue
		}
		if m.HigherIsBetter != higher {
			t.Errorf("%s: HigherIsBetter = %v, want %v", m.Key, m.HigherIsBetter, higher)
		}
		if m.Name == "" || m.Formula == "" || m.Source == "" {
			t.Errorf("%s: incomplete %+v", m.Key, m)
		}
	}
	for k := range want {
		if !seen[k] {
			t.Errorf("metric %q missing", k)
		}
	}
	if _, ok := Lookup("forgetting"); !ok {
		t.Error(`Lookup("forgetting") found nothing`)
	}
}
