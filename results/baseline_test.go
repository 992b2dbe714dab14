package results

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/clbench/clbench/metrics"
)

func TestAgainstBaseline(t *testing.T) {
	set := setOf([]fixture{
		// finetune: forgetting R[1][1]-R[2][1] = 0.4, 0.3, 0.2; ACC 0.6, 0.7, 0.8.
		{snd, 0, "finetune", 1, metrics.Matrix{{0.9, nan}, {0.5, 0.7}}, StatusOK, nil, 10, 0},
		{snd, 0, "finetune", 2, metrics.Matrix{{0.9, nan}, {0.6, 0.8}}, StatusOK, nil, 10, 0},
		{snd, 0, "finetune", 3, metrics.Matrix{{0.9, nan}, {0.7, 0.9}}, StatusOK, nil, 10, 0},
		// adapter: forgetting 0 and ACC (0.9+0.6)/2 = 0.75 at every seed.
		{snd, 0, "adapter", 1, metrics.Matrix{{0.9, nan}, {0.9, 0.6}}, StatusOK, nil, 10, 0},
		{snd, 0, "adapter", 2, metrics.Matrix{{0.9, nan}, {0.9, 0.6}}, StatusOK, nil, 10, 0},
		{snd, 0, "adapter", 3, metrics.Matrix{{0.9, nan}, {0.9, 0.6}}, StatusOK, nil, 10, 0},
		// A board without finetune.
		{"amazon-domains", 64, "ewc", 1, metrics.Matrix{{0.8}}, StatusOK, nil, 3, 0},
	}...)
	c, err := AgainstBaseline(set, "finetune", CompareOptions{Alpha: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	byMetric := map[string]Change{}
	for _, ch := range c.Changes {
		if ch.Strategy != "adapter" {
			t.Errorf("change of %s: only adapter is compared with finetune", ch.Strategy)
		}
		byMetric[ch.Metric.Key] = ch
	}

	// Forgetting: Welch's t of [0.4 0.3 0.2] against [0 0 0]: SE =
	// sqrt(0.01/3), t = -0.3/SE = -5.196, df = 2; with 2 degrees of
	// freedom P(T > t) = (1 - t/sqrt(t²+2))/2, so p = 1 - 5.196/sqrt(29)
	// = 0.0351: significant at 0.05, and lower forgetting is better.
	f := byMetric["forgetting"]
	if math.Abs(f.Delta+30) > 1e-9 || math.Abs(f.Test.P-0.0351) > 5e-4 || !f.Better || f.Regressed {
		t.Errorf("forgetting: Δ %.3f, p %.4f, better %t, regressed %t; want -30 points, "+
			"p 0.0351, better, no regression", f.Delta, f.Test.P, f.Better, f.Regressed)
	}
	// ACC: 0.75 against mean 0.7, t = 0.05/sqrt(0.01/3) = 0.866, p = 0.48.
	a := byMetric["acc"]
	if math.Abs(a.Delta-5) > 1e-9 || a.Significant {
		t.Errorf("ACC: Δ %.3f, significant %t; want +5 points, not significant", a.Delta, a.Significant)
	}
	if len(c.Notes) != 1 || !strings.Contains(c.Notes[0], "amazon-domains@1, 64 shots has no finetune runs") {
		t.Errorf("notes %q: want one saying amazon-domains has no finetune", c.Notes)
	}

	// The text table names its sides.
	var buf bytes.Buffer
	if err := RenderComparison(&buf, c, "table"); err != nil {
		t.Fatal(err)
	}
	head := strings.SplitN(buf.String(), "\n", 3)[1]
	if !strings.Contains(head, "finetune") || !strings.Contains(head, "strategy") ||
		strings.Contains(head, " old ") {
		t.Errorf("header %q: want the sides named finetune and strategy", head)
	}

	if _, err := AgainstBaseline(set, "lwf", CompareOptions{Alpha: 0.05}); err == nil {
		t.Error("no error for a baseline that no board has")
	}
}

// A baseline comparison renders in every format. It does not gate, so
// its JSON says "gates": false with null thresholds and an empty gate
// (it once held an infinite threshold, which JSON cannot encode).
func TestAgainstBaselineRenders(t *testing.T) {
	c, err := AgainstBaseline(setOf(fixtures...), "finetune", CompareOptions{Alpha: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range Formats {
		var buf bytes.Buffer
		if err := RenderBaseline(&buf, c, format); err != nil {
			t.Errorf("%s: %v", format, err)
		}
		if !strings.Contains(buf.String(), "ewc") {
			t.Errorf("%s: no row of ewc:\n%s", format, buf.String())
		}
	}
	var buf bytes.Buffer
	if err := RenderComparison(&buf, c, "json"); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Gates         *bool    `json:"gates"`
		Threshold     *float64 `json:"threshold_points"`
		CostThreshold *float64 `json:"cost_threshold_percent"`
		Gate          []string `json:"gate"`
		Regressions   int      `json:"regressions"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Gates == nil || *got.Gates || got.Threshold != nil || got.CostThreshold != nil ||
		got.Gate == nil || len(got.Gate) != 0 || got.Regressions != 0 {
		t.Errorf("JSON head %s: want gates false, null thresholds, gate [] and no regressions",
			strings.SplitN(buf.String(), `"changes"`, 2)[0])
	}
}

// setOf is a set of the fixtures' runs and cells, in memory.
func setOf(fs ...fixture) *Set {
	set := &Set{}
	for _, f := range fs {
		run, cells := runOf(f)
		set.Runs = append(set.Runs, run)
		set.Cells = append(set.Cells, cells...)
	}
	return set
}
