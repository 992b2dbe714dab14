package results

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// side builds a result set in memory: for each strategy, one completed
// run per value of forgetting, seeds 1, 2, ...; ACC is 0.8 - F/2 and LA
// 0.9 so that ACC moves with forgetting while LA stays put. No cells:
// intransigence is undefined.
type sideRuns map[string][]float64 // strategy -> forgetting per seed

func makeSet(stream string, runs sideRuns, edit func(*Run)) *Set {
	s := &Set{}
	for strategy, fs := range runs {
		for i, f := range fs {
			r := Run{
				RunID: fmt.Sprintf("%s-%s-%d", stream, strategy, i+1), Stream: stream,
				StreamVersion: "1", Strategy: strategy, Seed: int64(i + 1), NumTasks: 2,
				Status: StatusOK, Backend: "go", ModelConfig: `{"name":"tiny"}`,
				ACC: ptr(0.8 - f/2), BWT: ptr(-f), Forgetting: ptr(f), LA: ptr(0.9),
				WallSeconds: 10,
			}
			if edit != nil {
				edit(&r)
			}
			s.Runs = append(s.Runs, r)
		}
	}
	return s
}

// fiveSeeds are forgetting values with mean 0.2 and sample variance
// 0.00025 (deviations 0, ±0.02, ±0.01: sum of squares 0.001, over 4).
var fiveSeeds = []float64{0.20, 0.22, 0.18, 0.21, 0.19}

func plus(xs []float64, d float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x + d
	}
	return out
}

func defaults() CompareOptions {
	return CompareOptions{Alpha: DefaultAlpha, Threshold: DefaultThreshold,
		CostThreshold: DefaultCostThreshold}
}

// change returns the change of metric key of strategy in c.
func change(t *testing.T, c *Comparison, strategy, key string) Change {
	t.Helper()
	for _, ch := range c.Changes {
		if ch.Strategy == strategy && ch.Metric.Key == key {
			return ch
		}
	}
	t.Fatalf("no change of %s for %s", key, strategy)
	return Change{}
}

func TestCompareDecisions(t *testing.T) {
	for _, tc := range []struct {
		name        string
		old, new    *Set
		opts        func(*CompareOptions)
		regressions int
		// the forgetting row of finetune
		significant, worse, better, regressed bool
		delta                                 float64 // points
	}{
		// Identical sets: every change is ~.
		{name: "identical", old: makeSet("s", sideRuns{"finetune": fiveSeeds}, nil),
			new: makeSet("s", sideRuns{"finetune": fiveSeeds}, nil)},
		// Forgetting up by 0.1 on 5 seeds a side: both variances 0.00025,
		// SE = sqrt(2 · 0.00025/5) = 0.01, t = 10 on df = 8, p < 0.001;
		// 10 points worse, beyond the 1-point threshold. ACC falls by 5
		// points (0.8 - F/2) and BWT by 10: three regressions.
		{name: "forgetting +10 points", old: makeSet("s", sideRuns{"finetune": fiveSeeds}, nil),
			new:         makeSet("s", sideRuns{"finetune": plus(fiveSeeds, 0.1)}, nil),
			regressions: 3, significant: true, worse: true, regressed: true, delta: 10},
		// The same, gating on ACC only: forgetting is worse, not a
		// regression; ACC still regresses.
		{name: "gate on acc only", old: makeSet("s", sideRuns{"finetune": fiveSeeds}, nil),
			new:  makeSet("s", sideRuns{"finetune": plus(fiveSeeds, 0.1)}, nil),
			opts: func(o *CompareOptions) { o.Gate = []string{"acc"} }, regressions: 1,
			significant: true, worse: true, delta: 10},
		// Forgetting down by 10 points: better.
		{name: "forgetting -10 points", old: makeSet("s", sideRuns{"finetune": fiveSeeds}, nil),
			new:         makeSet("s", sideRuns{"finetune": plus(fiveSeeds, -0.1)}, nil),
			significant: true, better: true, delta: -10},
		// Forgetting up by 0.5 points: t = 0.005/0.01 = 0.5, far from
		// significant.
		{name: "small noisy change", old: makeSet("s", sideRuns{"finetune": fiveSeeds}, nil),
			new:   makeSet("s", sideRuns{"finetune": plus(fiveSeeds, 0.005)}, nil),
			delta: 0.5},
		// Forgetting up by 0.5 points with no spread at all: significant
		// (p = 0), worse, but within the 1-point threshold.
		{name: "significant within threshold",
			old:         makeSet("s", sideRuns{"finetune": {0.2, 0.2, 0.2}}, nil),
			new:         makeSet("s", sideRuns{"finetune": {0.205, 0.205, 0.205}}, nil),
			significant: true, worse: true, delta: 0.5},
		// Two seeds a side: +10 points, but nothing can be significant.
		{name: "two seeds", old: makeSet("s", sideRuns{"finetune": {0.2, 0.21}}, nil),
			new:   makeSet("s", sideRuns{"finetune": {0.3, 0.31}}, nil),
			delta: 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := defaults()
			if tc.opts != nil {
				tc.opts(&o)
			}
			c, err := Compare(tc.old, tc.new, o)
			if err != nil {
				t.Fatal(err)
			}
			if c.Regressions != tc.regressions {
				t.Errorf("%d regressions, want %d", c.Regressions, tc.regressions)
			}
			ch := change(t, c, "finetune", "forgetting")
			if ch.Significant != tc.significant || ch.Worse != tc.worse ||
				ch.Better != tc.better || ch.Regressed != tc.regressed {
				t.Errorf("significant %v, worse %v, better %v, regressed %v; want %v, %v, %v, %v",
					ch.Significant, ch.Worse, ch.Better, ch.Regressed,
					tc.significant, tc.worse, tc.better, tc.regressed)
			}
			if !ch.HasDelta || ch.Delta < tc.delta-1e-9 || ch.Delta > tc.delta+1e-9 {
				t.Errorf("delta %v points, want %v", ch.Delta, tc.delta)
			}
			if tc.name == "forgetting +10 points" && (ch.Test.DF != 8 || ch.Test.P >= 0.001) {
				t.Errorf("df %v, p %v; want 8 and below 0.001", ch.Test.DF, ch.Test.P)
			}
			if tc.name == "identical" {
				for _, ch := range c.Changes {
					if ch.Significant || delta(ch) != "~" {
						t.Errorf("%s: %q, want ~", ch.Metric.Key, delta(ch))
					}
				}
			}
			if tc.name == "two seeds" {
				if ch.Tested || c.Untestable == 0 || len(ch.Notes) == 0 ||
					!strings.Contains(c.Notes[ch.Notes[0]-1], "no change can be significant") {
					t.Errorf("tested %v, untestable %d, notes %v %v; want a too-few-seeds note",
						ch.Tested, c.Untestable, ch.Notes, c.Notes)
				}
			}
		})
	}
}

func TestCompareNotes(t *testing.T) {
	old := makeSet("s", sideRuns{"finetune": fiveSeeds, "ewc": fiveSeeds}, nil)
	new := makeSet("s", sideRuns{"finetune": fiveSeeds, "lwf": fiveSeeds}, func(r *Run) {
		r.StreamVersion = "2"
		r.ModelConfig = `{"name":"small"}`
	})
	new.Runs = append(new.Runs, Run{RunID: "failed", Stream: "s", Strategy: "finetune",
		Seed: 6, Status: StatusFailed, Error: "NaN loss"})
	c, err := Compare(old, new, defaults())
	if err != nil {
		t.Fatal(err)
	}
	notes := func(strategy string) string {
		var out []string
		for _, n := range change(t, c, strategy, "acc").Notes {
			out = append(out, c.Notes[n-1])
		}
		return strings.Join(out, " | ")
	}
	for strategy, want := range map[string][]string{
		"ewc": {"only in OLD"},
		"lwf": {"only in NEW"},
		"finetune": {"NEW has 1 failed run", `stream versions differ: OLD "1", NEW "2"`,
			`model configurations differ: name "tiny" in OLD, "small" in NEW`},
	} {
		got := notes(strategy)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: notes %q lack %q", strategy, got, w)
			}
		}
	}
	// ewc (OLD only) and lwf (NEW only) are the rows nothing compares.
	if c.OneSided != 2 {
		t.Errorf("OneSided = %d, want 2 (ewc only in OLD, lwf only in NEW)", c.OneSided)
	}
}

func TestCompareErrors(t *testing.T) {
	a := makeSet("s", sideRuns{"finetune": fiveSeeds}, nil)
	b := makeSet("other", sideRuns{"finetune": fiveSeeds}, nil)
	for name, o := range map[string]CompareOptions{
		"alpha 0":        {Alpha: 0, Threshold: 1},
		"alpha 1":        {Alpha: 1, Threshold: 1},
		"threshold < 0":  {Alpha: 0.05, Threshold: -1},
		"cost Inf":       {Alpha: 0.05, Threshold: 1, CostThreshold: math.Inf(1)},
		"unknown metric": {Alpha: 0.05, Threshold: 1, Gate: []string{"speed"}},
		"empty gate":     {Alpha: 0.05, Threshold: 1, Gate: []string{}},
	} {
		if _, err := Compare(a, a, o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	_, err := Compare(a, b, defaults())
	if err == nil || !strings.Contains(err.Error(), "in common") {
		t.Errorf("nothing in common: error %v", err)
	}
}

// A cost metric gates when asked, in percent of the old mean.
func TestCompareCost(t *testing.T) {
	old := makeSet("s", sideRuns{"finetune": fiveSeeds}, nil)
	for i := range old.Runs {
		old.Runs[i].WallSeconds = []float64{10, 11, 9, 10.5, 9.5}[i]
	}
	new := makeSet("s", sideRuns{"finetune": fiveSeeds}, nil)
	for i := range new.Runs {
		new.Runs[i].WallSeconds = 2 * old.Runs[i].WallSeconds
	}
	o := defaults()
	o.Gate = []string{"wall_seconds"}
	c, err := Compare(old, new, o)
	if err != nil {
		t.Fatal(err)
	}
	// Twice as slow: +100% of the old mean of 10 s.
	ch := change(t, c, "finetune", "wall_seconds")
	if !ch.Regressed || ch.Points || ch.Delta < 100-1e-9 || ch.Delta > 100+1e-9 {
		t.Errorf("wall: regressed %v, points %v, delta %v; want a +100%% regression",
			ch.Regressed, ch.Points, ch.Delta)
	}
	if c.Regressions != 1 {
		t.Errorf("%d regressions, want 1 (scores do not gate)", c.Regressions)
	}
}

func TestRenderComparison(t *testing.T) {
	old := makeSet("s", sideRuns{"finetune": fiveSeeds, "ewc": fiveSeeds,
		"replay": {0.1, 0.1}}, nil)
	new := makeSet("s", sideRuns{"finetune": plus(fiveSeeds, 0.1), "ewc": plus(fiveSeeds, -0.05),
		"replay": {0.1, 0.1}, "lwf": {0.3}}, nil)
	c, err := Compare(old, new, defaults())
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := RenderComparison(&buf, c, format); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "compare."+format+".golden", buf.Bytes())
		})
	}
}

// A printed p-value says on its own which side of alpha it is on: three
// decimals would print 0.0496 (significant at 0.05) and 0.0504 (not) both
// as 0.050, so digits are added until the printed value does not round
// onto alpha or across it.
func TestPValueNearAlpha(t *testing.T) {
	for _, tc := range []struct {
		p, alpha  float64
		text, csv string // pValue and the CSV column
	}{
		// Far from alpha: three decimals, or four significant digits.
		{0.0123, 0.05, "p=0.012", "0.0123"},
		{0.5, 0.05, "p=0.500", "0.5"},
		{0.0004, 0.05, "p<0.001", "0.0004"},
		// Near it: 0.0496 rounds up to 0.050 = alpha, 0.0504 down to it.
		{0.0496, 0.05, "p=0.0496", "0.0496"},
		{0.0504, 0.05, "p=0.0504", "0.0504"},
		// 0.049996 is 0.05 to four significant digits: five are needed.
		{0.049996, 0.05, "p=0.049996", "0.049996"},
		// Exactly alpha prints as alpha (not significant: p < alpha fails).
		{0.05, 0.05, "p=0.050", "0.05"},
		// A smaller alpha: "p<0.001" would not say which side of 0.0005
		// 0.0007 is on.
		{0.0007, 0.0005, "p=0.0007", "0.0007"},
		{0.0004, 0.0005, "p=0.0004", "0.0004"},
	} {
		ch := Change{Tested: true, Test: TTest{P: tc.p}}
		if got := PValue(ch, tc.alpha); got != tc.text {
			t.Errorf("p %v at alpha %v: %q, want %q", tc.p, tc.alpha, got, tc.text)
		}
		if got := formatP(tc.p, tc.alpha, 'g', 4); got != tc.csv {
			t.Errorf("p %v at alpha %v in CSV: %q, want %q", tc.p, tc.alpha, got, tc.csv)
		}
	}
}

// Runs that fail in NEW where none failed in OLD fail the gate, even
// when every NEW run of the strategy failed (the strategy is then only
// in OLD among completed runs, which alone would not gate).
func TestCompareNewFailures(t *testing.T) {
	failed := func(s *Set, strategy string, seeds ...int64) {
		for _, seed := range seeds {
			s.Runs = append(s.Runs, Run{RunID: fmt.Sprintf("failed-%s-%d", strategy, seed),
				Stream: "s", StreamVersion: "1", Strategy: strategy, Seed: seed,
				Status: StatusFailed, Error: "NaN loss"})
		}
	}
	for _, tc := range []struct {
		name     string
		old, new *Set
		want     []NewFailure
	}{
		// ewc: all 5 NEW runs failed. finetune: 1 of 6.
		{"NEW fails", makeSet("s", sideRuns{"finetune": fiveSeeds, "ewc": fiveSeeds}, nil),
			func() *Set {
				s := makeSet("s", sideRuns{"finetune": fiveSeeds}, nil)
				failed(s, "ewc", 1, 2, 3, 4, 5)
				failed(s, "finetune", 6)
				return s
			}(),
			[]NewFailure{{"s", 0, "ewc", 5, 5}, {"s", 0, "finetune", 1, 6}}},
		// A run that failed in OLD too is not the change's doing.
		{"OLD failed too", func() *Set {
			s := makeSet("s", sideRuns{"finetune": fiveSeeds}, nil)
			failed(s, "finetune", 6)
			return s
		}(), func() *Set {
			s := makeSet("s", sideRuns{"finetune": fiveSeeds}, nil)
			failed(s, "finetune", 6)
			return s
		}(), nil},
		// Every NEW run failed: still a comparison, not "nothing in common".
		{"every NEW run failed", makeSet("s", sideRuns{"finetune": fiveSeeds}, nil),
			func() *Set { s := &Set{}; failed(s, "finetune", 1, 2, 3); return s }(),
			[]NewFailure{{"s", 0, "finetune", 3, 3}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Compare(tc.old, tc.new, defaults())
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(c.NewFailures, tc.want) || c.Failed() != (tc.want != nil) {
				t.Errorf("new failures %v, failed %v; want %v", c.NewFailures, c.Failed(), tc.want)
			}
			if c.Regressions != 0 {
				t.Errorf("%d regressions, want 0: the runs that completed are the same", c.Regressions)
			}
		})
	}
}

// Runs of one strategy under several setups are never pooled: each
// setup is a row, compared with the same setup on the other side, and a
// setup on one side only is a row "only in OLD/NEW". The build does not
// split them: a pull request always changes it.
func TestCompareSetups(t *testing.T) {
	model := func(name string) func(*Run) {
		return func(r *Run) {
			r.ModelConfig = `{"name":"` + name + `"}`
			r.Build = "commit " + name
			r.RunID += "-" + name
		}
	}
	// OLD: finetune under the tiny model (forgetting mean 0.2) and the
	// small one (mean 0.5). NEW: the same two, from another build, and a
	// third, base.
	old := makeSet("s", sideRuns{"finetune": fiveSeeds}, model("tiny"))
	old.Runs = append(old.Runs, makeSet("s", sideRuns{"finetune": plus(fiveSeeds, 0.3)},
		model("small")).Runs...)
	new := makeSet("s", sideRuns{"finetune": fiveSeeds}, func(r *Run) {
		model("tiny")(r)
		r.Build = "another commit"
	})
	new.Runs = append(new.Runs, makeSet("s", sideRuns{"finetune": plus(fiveSeeds, 0.3)},
		model("small")).Runs...)
	new.Runs = append(new.Runs, makeSet("s", sideRuns{"finetune": fiveSeeds}, model("base")).Runs...)

	c, err := Compare(old, new, defaults())
	if err != nil {
		t.Fatal(err)
	}
	// The labels are compareSetupOf's ids of a run of each model.
	label := func(s *Set, name string) string {
		for _, r := range s.Runs {
			if strings.HasSuffix(r.RunID, "-"+name) {
				return "finetune [setup " + compareSetupOf(r) + "]"
			}
		}
		t.Fatalf("no run of %s", name)
		return ""
	}
	notes := func(ch Change) string {
		var out []string
		for _, n := range ch.Notes {
			out = append(out, c.Notes[n-1])
		}
		return strings.Join(out, " | ")
	}
	for _, tc := range []struct {
		strategy string
		n        [2]int // seeds on each side
		note     string
	}{
		// Same setup on both sides, same values: Δ 0, not the pooled
		// mean (0.35 on both sides would hide a change of either).
		{label(old, "tiny"), [2]int{5, 5}, "never pooled"},
		{label(old, "small"), [2]int{5, 5}, "never pooled"},
		{label(new, "base"), [2]int{0, 5}, "only in NEW: OLD has no completed run of this " +
			"stream, shots, strategy and setup"},
	} {
		ch := change(t, c, tc.strategy, "forgetting")
		if ch.Old.N != tc.n[0] || ch.New.N != tc.n[1] {
			t.Errorf("%s: %d/%d seeds, want %d/%d", tc.strategy, ch.Old.N, ch.New.N, tc.n[0], tc.n[1])
		}
		if tc.n[0] > 0 && (!ch.HasDelta || math.Abs(ch.Delta) > 1e-9 || ch.Significant) {
			t.Errorf("%s: Δ %v, significant %v; want 0, not significant", tc.strategy, ch.Delta,
				ch.Significant)
		}
		if got := notes(ch); !strings.Contains(got, tc.note) {
			t.Errorf("%s: notes %q; want %q", tc.strategy, got, tc.note)
		}
	}
	// The tiny setup's builds differ: a note, as when each side has one
	// setup, not rows apart.
	if got := notes(change(t, c, label(old, "tiny"), "acc")); !strings.Contains(got,
		`builds (results may differ in the last bits) differ: OLD "commit tiny", NEW "another commit"`) {
		t.Errorf("tiny: notes %q; want one saying the builds differ", got)
	}
	// makeSet stores ACC, BWT, forgetting and LA; FWT and intransigence
	// are undefined on both sides and have no row.
	if n := len(c.Changes); n != 3*4 {
		t.Errorf("%d changes, want 12 (3 setups of finetune, 4 metrics each)", n)
	}
	if c.OneSided != 1 {
		t.Errorf("OneSided = %d, want 1 (the base setup, only in NEW)", c.OneSided)
	}
}

// A metric defined on one side and undefined in every run of the other
// (intransigence without a cumulative run) gets a note saying so.
func TestCompareNotesAMetricUndefinedOnOneSide(t *testing.T) {
	old := makeSet("s", sideRuns{"finetune": fiveSeeds}, func(r *Run) { r.Intransigence = ptr(0.1) })
	new := makeSet("s", sideRuns{"finetune": fiveSeeds}, nil)
	c, err := Compare(old, new, defaults())
	if err != nil {
		t.Fatal(err)
	}
	ch := change(t, c, "finetune", "intransigence")
	var notes []string
	for _, n := range ch.Notes {
		notes = append(notes, c.Notes[n-1])
	}
	if got := strings.Join(notes, " | "); !strings.Contains(got,
		"Intransigence is undefined in every NEW run here (it needs the cumulative run") {
		t.Errorf("notes %q", got)
	}
}
