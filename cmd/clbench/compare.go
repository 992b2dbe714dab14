package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clbench/clbench/results"
)

const compareLong = `Compare compares two result sets (each a folder or a file; more with
--old and --new) for each stream, number of shots and strategy, and every
score metric (ACC, BWT, FWT, Forgetting, Intransigence, LA) with its
declared direction: ↑ higher is better, ↓ lower is better (see clbench list
metrics). Each row gives both sides' mean ± 95% interval over seeds in
points, the change of the means in points (Δ), and the p-value of Welch's
two-sample t-test over seeds; Δ is "~" when the change is not significant.

Why Welch's t: seeds are the repeats, and continual-learning runs are
expensive, so a side often has 3 to 5 seeds. A rank test such as
Mann-Whitney U (benchstat's) cannot reach p < 0.05 below 4 seeds a side (its
smallest two-sided p with 3 and 3 is 0.1); Welch's t can, assuming only that
a metric's values over seeds are roughly normal, not that both sides have the
same spread. Below 3 seeds with a value on a side no test is run and nothing
is significant; a note says so.

Runs of one strategy under several setups (model, training or strategy
configuration, backend, or a full stream's data; the build does not count,
since a change to the code always changes it) are never pooled: when a side
holds several, each setup is a row of its own, "strategy [setup id]",
compared with the same setup on the other side, or shown as only in OLD or
only in NEW. When each side holds one, they are compared, and a note says
what differs.

Numbered notes after the table flag what makes a row doubtful: too few seeds,
a stream, shots and strategy present on one side only, failed runs left out,
different stream versions or data digests, different strategy, model or
training configurations, backends or builds.

The exit status gates a CI job: 0 when no gating metric got significantly
worse (p < --alpha) by more than --threshold points; 1 when one did, or when
runs of a stream, shots and strategy failed in NEW and none failed in OLD
(even if every NEW run of it failed: a stderr line names each); 2 on bad
input. --metric picks the gating metrics (default: every score metric); a
cost metric (wall_seconds, examples_per_second, peak_memory_bytes,
trainable_params, params_added_pct, examples_stored) may gate too: it is then
shown, its change in percent of the old mean, against --cost-threshold.`

type compareOptions struct {
	old, new      []string
	alpha         float64
	threshold     float64
	costThreshold float64
	metrics       []string
	format        string
}

func newCompareCmd() *cobra.Command {
	o := &compareOptions{}
	cmd := &cobra.Command{
		Use:   "compare OLD NEW",
		Short: "Compare two result sets metric by metric with a test over seeds; gate on regressions",
		Long:  compareLong,
		Example: `  clbench compare main-results/ pr-results/
  clbench compare --old shard1/ --old shard2/ --new pr/ --metric acc,forgetting --threshold 2`,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch len(args) {
			case 0:
			case 2:
				o.old = append([]string{args[0]}, o.old...)
				o.new = append([]string{args[1]}, o.new...)
			default:
				return usageError("give OLD and NEW, or --old and --new")
			}
			return runCompare(cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.old, "old", nil, "an old results folder or file (repeatable)")
	f.StringArrayVar(&o.new, "new", nil, "a new results folder or file (repeatable)")
	f.Float64Var(&o.alpha, "alpha", results.DefaultAlpha, "significance level of the test")
	f.Float64Var(&o.threshold, "threshold", results.DefaultThreshold,
		"points a score metric must significantly worsen by to fail")
	f.Float64Var(&o.costThreshold, "cost-threshold", results.DefaultCostThreshold,
		"percent a gating cost metric must significantly worsen by to fail")
	f.StringSliceVar(&o.metrics, "metric", nil,
		"comma-separated metrics that gate (default: every score metric)")
	f.StringVar(&o.format, "format", "table", "table, markdown, csv or json")
	return cmd
}

func runCompare(stdout, stderr io.Writer, o *compareOptions) error {
	if len(o.old) == 0 || len(o.new) == 0 {
		return usageError("give OLD and NEW, or --old and --new")
	}
	if !validFormat(o.format) {
		return usageError("unknown --format %q (want %s)", o.format,
			strings.Join(results.Formats, ", "))
	}
	if o.metrics != nil && len(o.metrics) == 0 {
		return usageError("--metric is empty: name the gating metrics (such as acc,forgetting), " +
			"or leave --metric out to gate on every score metric")
	}
	if !(o.alpha > 0 && o.alpha < 1) { // written so that NaN fails
		return usageError("--alpha %v: want a number between 0 and 1, such as 0.05", o.alpha)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"threshold", o.threshold}, {"cost-threshold", o.costThreshold}} {
		if !(f.v >= 0) || math.IsInf(f.v, 0) {
			return usageError("--%s %v: want a finite number, 0 or more", f.name, f.v)
		}
	}
	old, err := readSide("OLD", o.old, stderr)
	if err != nil {
		return err
	}
	new, err := readSide("NEW", o.new, stderr)
	if err != nil {
		return err
	}

	c, err := results.Compare(old, new, results.CompareOptions{
		Alpha: o.alpha, Threshold: o.threshold, CostThreshold: o.costThreshold,
		Gate: o.metrics,
	})
	if err != nil {
		return badInput(err)
	}
	if err := results.RenderComparison(stdout, c, o.format); err != nil {
		return err
	}

	// The verdict, on stderr.
	if c.Untestable > 0 {
		tested := 0
		for _, ch := range c.Changes {
			if ch.Tested {
				tested++
			}
		}
		if tested == 0 {
			fmt.Fprintf(stderr, "warning: nothing can be significant: every row has fewer "+
				"than %d seeds on a side; run more seeds\n", results.MinSeeds)
		} else {
			fmt.Fprintf(stderr, "warning: %d rows have fewer than %d seeds on a side; "+
				"their changes cannot be significant\n", c.Untestable, results.MinSeeds)
		}
	}
	if c.OneSided > 0 {
		fmt.Fprintf(stderr, "warning: %d row(s) have completed runs on one side only (only in "+
			"OLD or only in NEW, see the notes): nothing compares them, so they cannot fail the gate\n",
			c.OneSided)
	}
	gate := strings.Join(c.Options.Gate, ", ")
	for _, ch := range c.Changes {
		if ch.Regressed {
			fmt.Fprintf(stderr, "regression: %s on %s (%s): %s %+.1f%s (%s)\n",
				ch.Strategy, ch.Stream, shotsText(ch.Shots), ch.Metric.Key, ch.Delta, unit(ch),
				results.PValue(ch, o.alpha))
		}
	}
	for _, f := range c.NewFailures {
		fmt.Fprintf(stderr, "failed: %s on %s (%s): %d of %d NEW run(s) failed, none in "+
			"OLD (clbench leaderboard NEW lists why)\n", f.Strategy, f.Stream, shotsText(f.Shots),
			f.Failed, f.Runs)
	}
	if c.Failed() {
		var why []string
		if c.Regressions > 0 {
			why = append(why, fmt.Sprintf("%d significant regression(s) at alpha %g beyond %s "+
				"(gating: %s)", c.Regressions, o.alpha, beyond(o, c.Options.Gate), gate))
		}
		if n := len(c.NewFailures); n > 0 {
			why = append(why, fmt.Sprintf("%d stream, shots and strategy group(s) with runs "+
				"that failed in NEW only", n))
		}
		return &exitError{code: 1, err: fmt.Errorf("%s", strings.Join(why, "; "))}
	}
	fmt.Fprintf(stderr, "no significant regression at alpha %g beyond %s (gating: %s)\n",
		o.alpha, beyond(o, c.Options.Gate), gate)
	return nil
}

// beyond says the thresholds of the gating metrics: points for a score,
// percent of the old mean for a cost.
func beyond(o *compareOptions, gate []string) string {
	var scores, costs bool
	for _, k := range gate {
		if slices.Contains(results.CostMetrics, k) {
			costs = true
		} else {
			scores = true
		}
	}
	switch {
	case costs && scores:
		return fmt.Sprintf("%g points (scores) or %g%% (costs)", o.threshold, o.costThreshold)
	case costs:
		return fmt.Sprintf("%g%%", o.costThreshold)
	}
	return fmt.Sprintf("%g points", o.threshold)
}

// shotsText is "full stream" or "64 shots".
func shotsText(n int64) string {
	if n <= 0 {
		return "full stream"
	}
	return fmt.Sprintf("%d shots", n)
}

// readSide reads one side's paths, its warnings going to stderr.
func readSide(name string, paths []string, stderr io.Writer) (*results.Set, error) {
	s, err := results.Read(paths...)
	if err != nil {
		return nil, badInput(fmt.Errorf("%s: %w", name, err))
	}
	for _, w := range s.Warnings {
		fmt.Fprintf(stderr, "warning: %s: %s\n", name, w)
	}
	if len(s.Runs) == 0 {
		return nil, badInput(fmt.Errorf("%s: no runs found in %s", name, strings.Join(paths, ", ")))
	}
	return s, nil
}

func unit(ch results.Change) string {
	if ch.Points {
		return " points"
	}
	return "%"
}
