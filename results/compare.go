package results

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/clbench/clbench/metrics"
)

// Default settings of [Compare].
const (
	DefaultAlpha         = 0.05
	DefaultThreshold     = 1.0  // points
	DefaultCostThreshold = 10.0 // percent
)

// ScoreMetrics are the keys of the metrics [Compare] reports in points:
// bounded scores, whose changes are differences, not ratios.
var ScoreMetrics = []string{"acc", "bwt", "fwt", "forgetting", "intransigence", "la"}

// CostMetrics are the keys of the cost metrics [Compare] can report, as
// a change in percent of the old mean.
var CostMetrics = []string{"wall_seconds", "examples_per_second", "peak_memory_bytes",
	"trainable_params", "params_added_pct", "examples_stored"}

// CompareOptions are the settings of [Compare].
type CompareOptions struct {
	// Alpha is the significance level of the test.
	Alpha float64
	// Threshold is how many points a score metric must worsen by,
	// significantly, to count as a regression.
	Threshold float64
	// CostThreshold is the same for a cost metric, in percent of the old
	// mean.
	CostThreshold float64
	// Gate lists the metrics that can regress; nil means every score
	// metric. Every score metric is reported; a cost metric only when it
	// gates.
	Gate []string
}

// Change is the comparison of one metric of one strategy on one stream
// and shots between the old and the new results.
type Change struct {
	Stream   string
	Shots    int64
	Strategy string
	Metric   metrics.Info
	// Points is true for a score metric: Old and New are fractions and
	// Delta is in points. For a cost metric Old and New are in the
	// metric's unit and Delta is in percent of the old mean.
	Points   bool
	Old, New metrics.Estimate // over the runs' seeds; N counts defined values
	Delta    float64          // new mean - old mean (see Points)
	HasDelta bool             // both sides have a mean (and, for a cost, the old one is not 0)

	Test        TTest // Welch's t-test of the runs' values; valid when Tested
	Tested      bool  // both sides have at least MinSeeds defined values
	Significant bool  // Tested and Test.P < Alpha
	Better      bool  // significant and in the metric's better direction
	Worse       bool  // significant and in its worse direction
	Gates       bool  // the metric is one that gates
	Regressed   bool  // Gates, Worse, and |Delta| > the threshold
	Notes       []int // 1-based indexes into Comparison.Notes
}

// Comparison is what [Compare] found.
type Comparison struct {
	Options CompareOptions
	// Labels name the old and new sides in the text formats' header;
	// empty means "old" and "new".
	Labels      [2]string
	Changes     []Change
	Notes       []string // footnotes the changes refer to
	Regressions int      // changes that regressed
	Untestable  int      // changes with a mean on both sides but too few seeds to test
	// NewFailures are the streams, shots and strategies with failed runs
	// in NEW and none in OLD: the change broke them, and the gate fails.
	NewFailures []NewFailure
	// OneSided counts the rows with completed runs on one side only
	// ("only in OLD" or "only in NEW"): nothing compares them, so they
	// cannot regress.
	OneSided int
	// Ungated is true for a comparison that cannot fail ([AgainstBaseline]):
	// it has no thresholds, and no change is a regression.
	Ungated bool
}

// NewFailure counts the failed runs of one stream, shots and strategy
// in the new results, where the old results have none failed.
type NewFailure struct {
	Stream   string `json:"stream"`
	Shots    int64  `json:"shots"`
	Strategy string `json:"strategy"`
	Failed   int    `json:"failed"` // failed runs in NEW
	Runs     int    `json:"runs"`   // all runs in NEW, failed or not
}

// Failed reports whether the comparison fails the gate: a regression,
// or runs that failed in NEW only (NewFailures).
func (c *Comparison) Failed() bool { return c.Regressions > 0 || len(c.NewFailures) > 0 }

// compareKey identifies the runs compared with each other, before they
// are split by setup (splitBySetup): the stream version is not in it, so
// that a change of version is reported rather than hidden.
type compareKey struct {
	stream   string
	shots    int64
	strategy string
}

// Compare compares two result sets as benchstat compares benchmarks:
// for each stream, shots and strategy, and each metric, the runs'
// values over seeds on each side, their means with 95% intervals, the
// change between the means, and Welch's two-sample t-test of the
// difference (see [WelchTTest]). Seeds are the repeats.
//
// Welch's t rather than a rank test: with the few seeds a continual
// learning run affords, the Mann-Whitney U test cannot reach p < 0.05
// at all below four seeds a side (its smallest two-sided p with three
// and three is 2/20 = 0.1), while Welch's t, which assumes roughly
// normal values over seeds but not equal variances, can. Below
// [MinSeeds] values on a side no test is run and nothing is
// significant; a note says so.
//
// Within a stream, shots and strategy, each side's runs are grouped by
// setup: the model, training and strategy configurations, the backend
// and, for a full stream, the data (the leaderboard's setup without the
// build, which every change to the code changes). When each side has one
// setup, the two are compared whatever differs, and notes say what does.
// When a side has several, their seeds are never pooled: each setup is
// a row of its own, labelled "strategy [setup id]" as on the leaderboard
// (the id leaves the build out, so it differs from the leaderboard's),
// compared with the same setup on the other side or, where the other
// side lacks it, "only in OLD" or "only in NEW".
//
// A change is significant when p < Alpha; it regresses when the metric
// gates, the change is significant and in the metric's worse direction
// (metrics.Info.HigherIsBetter), and larger than Threshold points (or
// CostThreshold percent for a cost).
//
// Failed runs are left out of the means. A stream, shots and strategy
// with failed runs in new and none in old is one of NewFailures, and
// fails the gate as a regression does ([Comparison.Failed]), even when
// every new run failed.
//
// Notes flag what makes a comparison doubtful: a side with no runs, too
// few seeds, failed runs left out, different stream versions or data
// digests, different strategy, model or training configurations,
// backends or builds. Compare returns an error when a gating metric is
// unknown or when the two sets have no stream, shots and strategy in
// common.
func Compare(old, new *Set, o CompareOptions) (*Comparison, error) {
	// Written so that NaN, which fails every comparison, fails them.
	if !(o.Alpha > 0 && o.Alpha < 1) {
		return nil, fmt.Errorf("alpha %g is not between 0 and 1", o.Alpha)
	}
	if !(o.Threshold >= 0) || !(o.CostThreshold >= 0) || math.IsInf(o.Threshold, 0) ||
		math.IsInf(o.CostThreshold, 0) {
		return nil, fmt.Errorf("thresholds must be finite numbers, not negative")
	}
	gate := o.Gate
	if gate == nil {
		gate = ScoreMetrics
	} else if len(gate) == 0 {
		// A gate of nothing would pass every change; nil means every score.
		return nil, fmt.Errorf("no gating metric given (leave the list out to gate on every " +
			"score metric)")
	}
	shown := slices.Clone(ScoreMetrics)
	for _, k := range gate {
		switch {
		case slices.Contains(ScoreMetrics, k):
		case slices.Contains(CostMetrics, k):
			shown = append(shown, k)
		default:
			return nil, fmt.Errorf("unknown metric %q (known: %s)", k,
				strings.Join(append(slices.Clone(ScoreMetrics), CostMetrics...), ", "))
		}
	}

	// Group each side.
	oldRuns, oldFailed := groupForCompare(old)
	newRuns, newFailed := groupForCompare(new)
	var keys []compareKey
	common := 0
	for k := range oldRuns {
		keys = append(keys, k)
		if _, ok := newRuns[k]; ok || newFailed[k] > 0 {
			common++ // a strategy whose NEW runs all failed is compared: it fails the gate
		}
	}
	for k := range newRuns {
		if _, ok := oldRuns[k]; !ok {
			keys = append(keys, k)
		}
	}
	if common == 0 {
		return nil, fmt.Errorf("the old and new results have no stream, shots and strategy " +
			"in common")
	}
	byKey := func(a, b compareKey) int {
		return cmp.Or(cmp.Compare(a.stream, b.stream), cmp.Compare(a.shots, b.shots),
			cmp.Compare(a.strategy, b.strategy))
	}
	slices.SortFunc(keys, byKey)

	// Failed runs in NEW only fail the gate.
	c := &Comparison{Options: o}
	for _, k := range slices.SortedFunc(maps.Keys(newFailed), byKey) {
		if oldFailed[k] == 0 {
			c.NewFailures = append(c.NewFailures, NewFailure{Stream: k.stream, Shots: k.shots,
				Strategy: k.strategy, Failed: newFailed[k], Runs: newFailed[k] + len(newRuns[k])})
		}
	}
	c.Options.Gate = gate
	noteIndex := map[string]int{}
	note := func(text string) int {
		if i, ok := noteIndex[text]; ok {
			return i
		}
		c.Notes = append(c.Notes, text)
		noteIndex[text] = len(c.Notes)
		return len(c.Notes)
	}

	for _, k := range keys {
		for _, row := range splitBySetup(k.strategy, oldRuns[k], newRuns[k]) {
			if len(row.old) == 0 || len(row.new) == 0 {
				c.OneSided++
			}
			var rowNotes []int
			for _, text := range row.notes {
				rowNotes = append(rowNotes, note(text))
			}
			for _, text := range groupWarnings(row.old, row.new, oldFailed[k], newFailed[k],
				row.what) {
				rowNotes = append(rowNotes, note(text))
			}
			c.compareRow(old, new, k, row, shown, gate, rowNotes, note)
		}
	}
	return c, nil
}

// compareRow appends the changes of one row: every shown metric of one
// strategy (or one setup of it) on one stream and shots.
func (c *Comparison) compareRow(old, new *Set, k compareKey, row setupRow, shown, gate []string,
	rowNotes []int, note func(string) int) {
	for _, key := range shown {
		info, _ := metrics.Lookup(key)
		ch := Change{
			Stream: k.stream, Shots: k.shots, Strategy: row.strategy, Metric: info,
			Points: slices.Contains(ScoreMetrics, key), Gates: slices.Contains(gate, key),
			Notes: slices.Clone(rowNotes),
		}
		ov, nv := values(old, row.old, key), values(new, row.new, key)
		ch.Old, ch.New = metrics.MeanCI(ov), metrics.MeanCI(nv)
		if !ch.Old.HasMean() && !ch.New.HasMean() {
			continue // undefined on both sides (joint's forgetting): nothing to say
		}
		c.compareValues(&ch, ov, nv, note)
		c.Changes = append(c.Changes, ch)
	}
}

// setupRow is the runs of one row of a comparison: a strategy on a
// stream and shots or, when a side holds it under several setups, one
// setup of it (see splitBySetup).
type setupRow struct {
	strategy string // the strategy's name, with "[setup id]" for one setup of several
	what     string // "stream, shots and strategy", or "... and setup"
	old, new []Run
	notes    []string
}

// compareSetupOf identifies what compare keeps apart within a stream,
// shots and strategy: the leaderboard's setup (setupOf) without the
// build, which every change to the code changes: the model, training
// and strategy configurations, the backend and the data: a full
// stream's digest, a few-shot variant's task sizes (see boardOf).
func compareSetupOf(r Run) string {
	data := r.TaskSizes // a few-shot variant's data differ by seed, by design: its caps
	if r.Shots == 0 {
		data = r.StreamDigest
	}
	return shortHash(r.ModelConfig, r.TrainConfig, r.Backend, r.StrategyConfig, data)
}

// splitBySetup returns the rows of one stream, shots and strategy. When
// each side holds its runs under one setup (compareSetupOf), or none,
// that is one row, the sides compared whatever differs (the notes say
// what). When a side holds several, their seeds are never pooled: each
// setup is a row of its own, labelled "strategy [setup id]" as the
// leaderboard labels it, comparing the setup's runs on both sides, or
// present on one side only.
func splitBySetup(strategy string, old, new []Run) []setupRow {
	bySetup := func(runs []Run) map[string][]Run {
		m := map[string][]Run{}
		for _, r := range runs {
			id := compareSetupOf(r)
			m[id] = append(m[id], r)
		}
		return m
	}
	o, n := bySetup(old), bySetup(new)
	if len(o) <= 1 && len(n) <= 1 {
		return []setupRow{{strategy: strategy, what: "stream, shots and strategy", old: old,
			new: new}}
	}
	shared := []string{"a side holds this strategy under several setups (model, training or " +
		"strategy configuration, backend or data): each setup is a row of its own, compared " +
		"with the same setup on the other side, never pooled"}
	ids := slices.Sorted(maps.Keys(o))
	for id := range n {
		if _, ok := o[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	rows := make([]setupRow, len(ids))
	for i, id := range ids {
		rows[i] = setupRow{strategy: strategy + " [setup " + id + "]",
			what: "stream, shots, strategy and setup", old: o[id], new: n[id], notes: shared}
	}
	return rows
}

// compareValues fills the change, the test and the verdict of ch from
// the runs' values on each side.
func (c *Comparison) compareValues(ch *Change, ov, nv []float64, note func(string) int) {
	o := c.Options
	if !ch.Old.HasMean() || !ch.New.HasMean() {
		// Runs on a side, and the metric undefined in all of them: say so.
		for _, side := range []struct {
			name string
			e    metrics.Estimate
		}{{"OLD", ch.Old}, {"NEW", ch.New}} {
			if !side.e.HasMean() && side.e.Skipped > 0 {
				why := ""
				if ch.Metric.Key == "intransigence" {
					why = " (it needs the " + ReferenceStrategy + " run of the same seed and setup)"
				}
				ch.Notes = append(ch.Notes, note(fmt.Sprintf("%s is undefined in every %s run "+
					"here%s: nothing to compare", ch.Metric.Name, side.name, why)))
			}
		}
		return
	}
	switch {
	case ch.Points:
		ch.Delta, ch.HasDelta = 100*(ch.New.Mean-ch.Old.Mean), true
	case ch.Old.Mean != 0:
		ch.Delta, ch.HasDelta = 100*(ch.New.Mean-ch.Old.Mean)/math.Abs(ch.Old.Mean), true
	}

	// The test, when both sides have enough seeds.
	if ch.Old.N < MinSeeds || ch.New.N < MinSeeds {
		c.Untestable++
		ch.Notes = append(ch.Notes, note(fmt.Sprintf(
			"fewer than %d seeds with a value on a side: no change can be significant", MinSeeds)))
		return
	}
	ch.Test, ch.Tested = WelchTTest(clean(ov), clean(nv))
	if !ch.Tested || ch.Test.P >= o.Alpha || ch.New.Mean == ch.Old.Mean {
		return
	}
	ch.Significant = true
	up := ch.New.Mean > ch.Old.Mean
	ch.Better = up == ch.Metric.HigherIsBetter
	ch.Worse = !ch.Better

	// A regression: worse, gating, and beyond the threshold.
	threshold := o.Threshold
	if !ch.Points {
		threshold = o.CostThreshold
	}
	if ch.Worse && ch.Gates && ch.HasDelta && math.Abs(ch.Delta) > threshold {
		ch.Regressed = true
		c.Regressions++
	}
}

// groupForCompare groups the set's completed runs by stream, shots and
// strategy, and counts the failed ones.
func groupForCompare(s *Set) (map[compareKey][]Run, map[compareKey]int) {
	runs := map[compareKey][]Run{}
	failed := map[compareKey]int{}
	for _, r := range s.Runs {
		k := compareKey{r.Stream, r.Shots, r.Strategy}
		if r.Status != StatusOK {
			failed[k]++
			continue
		}
		runs[k] = append(runs[k], r)
	}
	return runs, failed
}

// values returns each run's value of the metric key, NaN where
// undefined.
func values(s *Set, runs []Run, key string) []float64 {
	xs := make([]float64, len(runs))
	for i, r := range runs {
		v := RunValue(s, r, key)
		xs[i] = math.NaN()
		if v.Defined {
			xs[i] = v.X
		}
	}
	return xs
}

// clean drops NaN values.
func clean(xs []float64) []float64 {
	out := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			out = append(out, x)
		}
	}
	return out
}

// RunValue returns run r's value of the metric key (a metrics.Info Key):
// the stored score, intransigence as [Leaderboard] finds it (stored, or
// against the cumulative run of the same stream, version, shots and
// seed in s), or a cost figure. An unknown key is undefined.
func RunValue(s *Set, r Run, key string) metrics.Value {
	switch key {
	case "acc":
		return metrics.FromPtr(r.ACC)
	case "bwt":
		return metrics.FromPtr(r.BWT)
	case "fwt":
		return metrics.FromPtr(r.FWT)
	case "forgetting":
		return metrics.FromPtr(r.Forgetting)
	case "intransigence":
		return intransigence(s, r)
	case "la":
		return metrics.FromPtr(r.LA)
	case "wall_seconds":
		return metrics.Of(r.WallSeconds)
	case "examples_per_second":
		return metrics.Of(r.ExamplesPerSecond)
	case "peak_memory_bytes":
		return metrics.Of(float64(r.PeakMemoryBytes))
	case "trainable_params":
		return metrics.Of(float64(r.TrainableParams))
	case "params_added_pct":
		return metrics.Of(r.ParamsAddedPct)
	case "examples_stored":
		return metrics.Of(float64(r.ExamplesStored))
	}
	return metrics.Undefined
}

// groupWarnings returns the notes about one row, the runs of one
// stream, shots and strategy (and setup), which what names: what
// differs between the two sides' runs, or what is missing.
func groupWarnings(old, new []Run, oldFailed, newFailed int, what string) []string {
	var notes []string
	switch {
	case len(old) == 0:
		notes = append(notes, "only in NEW: OLD has no completed run of this "+what)
	case len(new) == 0:
		notes = append(notes, "only in OLD: NEW has no completed run of this "+what)
	}
	if oldFailed > 0 {
		notes = append(notes, fmt.Sprintf("OLD has %d failed run(s) here, left out", oldFailed))
	}
	switch {
	case newFailed > 0 && oldFailed == 0:
		notes = append(notes, fmt.Sprintf("NEW has %d failed run(s) here, left out, and OLD "+
			"none: this fails the gate", newFailed))
	case newFailed > 0:
		notes = append(notes, fmt.Sprintf("NEW has %d failed run(s) here, left out", newFailed))
	}
	for _, side := range []struct {
		name string
		runs []Run
	}{{"OLD", old}, {"NEW", new}} {
		seeds := map[int64]bool{}
		for _, r := range side.runs {
			seeds[r.Seed] = true
		}
		if len(seeds) < len(side.runs) {
			notes = append(notes, fmt.Sprintf("%s has %d runs for %d seeds "+
				"(several configurations?); they are pooled", side.name, len(side.runs),
				len(seeds)))
		}
	}
	if len(old) == 0 || len(new) == 0 {
		return notes
	}

	// What should be the same on both sides.
	for _, f := range []struct {
		what string
		get  func(Run) string
	}{
		{"stream versions", func(r Run) string { return r.StreamVersion }},
		{"strategy configurations", func(r Run) string { return r.StrategyConfig }},
		{"model configurations", func(r Run) string { return r.ModelConfig }},
		{"training configurations", func(r Run) string { return r.TrainConfig }},
		{"backends", func(r Run) string { return r.Backend }},
		{"builds (results may differ in the last bits)", func(r Run) string { return r.Build }},
	} {
		a, b := distinctOf(old, f.get), distinctOf(new, f.get)
		if !slices.Equal(a, b) {
			notes = append(notes, fmt.Sprintf("%s differ: %s", f.what, describeDiff(a, b)))
		}
	}

	// The stream's data, seed by seed (a few-shot variant draws its
	// examples with the seed).
	oldDigest := map[int64]string{}
	for _, r := range old {
		oldDigest[r.Seed] = r.StreamDigest
	}
	for _, r := range new {
		if d, ok := oldDigest[r.Seed]; ok && d != r.StreamDigest {
			notes = append(notes, "stream data differ (different digests for the same seed)")
			break
		}
	}
	return notes
}

func distinctOf(runs []Run, get func(Run) string) []string {
	var out []string
	for _, r := range runs {
		if v := get(r); !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

// describeDiff says how the OLD values a differ from the NEW values b.
// When each side has one value and both are JSON objects (the
// configurations), it names the keys that differ and their values;
// otherwise it lists both sides' values, abbreviated.
func describeDiff(a, b []string) string {
	if len(a) == 1 && len(b) == 1 {
		var ma, mb map[string]any
		if json.Unmarshal([]byte(a[0]), &ma) == nil && json.Unmarshal([]byte(b[0]), &mb) == nil &&
			ma != nil && mb != nil {
			keys := map[string]bool{}
			for k := range ma {
				keys[k] = true
			}
			for k := range mb {
				keys[k] = true
			}
			var diffs []string
			for _, k := range slices.Sorted(maps.Keys(keys)) {
				va, oka := ma[k]
				vb, okb := mb[k]
				ja, _ := json.Marshal(va)
				jb, _ := json.Marshal(vb)
				switch {
				case !oka:
					diffs = append(diffs, fmt.Sprintf("%s only in NEW (%s)", k, jb))
				case !okb:
					diffs = append(diffs, fmt.Sprintf("%s only in OLD (%s)", k, ja))
				case string(ja) != string(jb):
					diffs = append(diffs, fmt.Sprintf("%s %s in OLD, %s in NEW", k, ja, jb))
				}
			}
			if len(diffs) > 0 {
				return strings.Join(diffs, "; ")
			}
		}
	}
	return "OLD " + abbreviate(a) + ", NEW " + abbreviate(b)
}

// abbreviate joins values, each cut to 60 characters.
func abbreviate(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		if len(v) > 60 {
			v = v[:57] + "..."
		}
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}
