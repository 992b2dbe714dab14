package results

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/clbench/clbench/metrics"
)

// AgainstBaseline sets every strategy of each leaderboard board (see
// [Entry.Board]) beside the baseline strategy of that board, as
// [Compare] sets a new result set beside an old one: for each score
// metric, both means with their 95% intervals, the change in points
// (strategy − baseline) and Welch's t-test over the seeds, "better" or
// "worse" in the metric's declared direction when p < o.Alpha. It answers
// "which strategies forget less than finetune beyond the seed-to-seed
// spread" from the results alone.
//
// Nothing gates: Threshold, CostThreshold and Gate are ignored, no
// change is a regression, and the comparison is Ungated (its JSON has
// null thresholds). A board without the baseline, or with it under more than
// one configuration, is left out with a note. The comparison's Stream
// is the stream with its version (and its board when the stream has
// several), and its sides are labelled with the baseline's name and
// "strategy".
func AgainstBaseline(s *Set, baseline string, o CompareOptions) (*Comparison, error) {
	if !(o.Alpha > 0 && o.Alpha < 1) {
		return nil, fmt.Errorf("alpha %g is not between 0 and 1", o.Alpha)
	}
	c := &Comparison{Options: o, Labels: [2]string{baseline, "strategy"}, Ungated: true}
	c.Options.Gate, c.Options.Threshold, c.Options.CostThreshold = []string{}, 0, 0
	notes := map[string]int{}
	note := func(text string) int {
		if i, ok := notes[text]; ok {
			return i
		}
		c.Notes = append(c.Notes, text)
		notes[text] = len(c.Notes)
		return len(c.Notes)
	}

	entries := Leaderboard(s)
	found := false
	for start := 0; start < len(entries); {
		end := start + 1
		for end < len(entries) && sameBoard(entries[start], entries[end]) {
			end++
		}
		board := entries[start:end]
		start = end

		// The board's baseline entry: one, under one configuration.
		var base []Entry
		for _, e := range board {
			if e.Strategy == baseline || (e.Setup != "" && e.Strategy == baseline+" [setup "+e.Setup+"]") {
				base = append(base, e)
			}
		}
		where := streamName(board[0]) + ", " + shotsTitle(board[0].Shots)
		switch len(base) {
		case 0:
			note(fmt.Sprintf("%s has no %s runs: its strategies are not compared", where, baseline))
			continue
		case 1:
		default:
			note(fmt.Sprintf("%s has %s under %d configurations: its strategies are not compared",
				where, baseline, len(base)))
			continue
		}
		found = true

		for _, e := range board {
			if slices.Equal(e.RunIDs, base[0].RunIDs) {
				continue
			}
			for _, key := range ScoreMetrics {
				info, _ := metrics.Lookup(key)
				ch := Change{Stream: streamName(e), Shots: e.Shots, Strategy: e.Strategy,
					Metric: info, Points: true}
				ov, nv := entryValues(s, base[0], key), entryValues(s, e, key)
				ch.Old, ch.New = metrics.MeanCI(ov), metrics.MeanCI(nv)
				if !ch.Old.HasMean() && !ch.New.HasMean() {
					continue
				}
				c.compareValues(&ch, ov, nv, note)
				c.Changes = append(c.Changes, ch)
			}
		}
	}
	if !found {
		return nil, fmt.Errorf("no board of these results has %s runs to compare with", baseline)
	}
	return c, nil
}

// entryValues is the metric's value of each of e's runs, NaN where
// undefined.
func entryValues(s *Set, e Entry, key string) []float64 {
	runs := make([]Run, 0, len(e.RunIDs))
	for _, id := range e.RunIDs {
		if r, ok := s.Run(id); ok {
			runs = append(runs, r)
		}
	}
	return values(s, runs, key)
}

// BaselineMetrics are the metrics of [RenderBaseline]'s compact table:
// what a strategy keeps (ACC), loses (Forgetting), fails to learn
// (Intransigence) and learns (LA).
var BaselineMetrics = []string{"acc", "forgetting", "intransigence", "la"}

// RenderBaseline writes an [AgainstBaseline] comparison. The table and
// markdown formats are compact: one row per strategy, and for each of
// [BaselineMetrics] the change of the means in points against the
// baseline with its p-value, "~" when not significant; the last column
// names the metrics that are significantly better or worse. The csv and
// json formats are those of [RenderComparison], with every score metric.
func RenderBaseline(w io.Writer, c *Comparison, format string) error {
	if format != "table" && format != "markdown" {
		return RenderComparison(w, c, format)
	}
	header := []string{"stream", "shots", "strategy"}
	for _, k := range BaselineMetrics {
		header = append(header, "Δ"+metricName(k)+" "+arrow(mustLookup(k)))
	}
	header = append(header, "significant (p < "+strconv.FormatFloat(c.Options.Alpha, 'g', 3, 64)+")")

	type rowKey struct {
		stream   string
		shots    int64
		strategy string
	}
	var order []rowKey
	cells := map[rowKey]map[string]Change{}
	for _, ch := range c.Changes {
		k := rowKey{ch.Stream, ch.Shots, ch.Strategy}
		if cells[k] == nil {
			cells[k] = map[string]Change{}
			order = append(order, k)
		}
		cells[k][ch.Metric.Key] = ch
	}
	rows := make([][]string, 0, len(order))
	for _, k := range order {
		row := []string{k.stream, shots(k.shots), k.strategy}
		var verdicts []string
		for _, key := range BaselineMetrics {
			ch, ok := cells[k][key]
			switch {
			case !ok || !ch.Old.HasMean() || !ch.New.HasMean():
				row = append(row, "n/a")
			default:
				row = append(row, delta(ch)+" ("+PValue(ch, c.Options.Alpha)+")")
			}
			if ok && (ch.Better || ch.Worse) {
				verdicts = append(verdicts, metricName(key)+" "+verdictWord(ch))
			}
		}
		rows = append(rows, append(row, strings.Join(verdicts, ", ")))
	}
	left := map[int]bool{0: true, 2: true, len(header) - 1: true}
	var r tw.Renderer
	if format == "markdown" {
		r = renderer.NewMarkdown()
	}
	if err := writeTable(w, r, header, left, rows); err != nil {
		return err
	}
	if len(c.Notes) > 0 {
		fmt.Fprintln(w)
	}
	for i, n := range c.Notes {
		if format == "markdown" {
			fmt.Fprintf(w, "- [%d] %s\n", i+1, n)
		} else {
			fmt.Fprintf(w, "[%d] %s\n", i+1, n)
		}
	}
	return nil
}

func mustLookup(key string) metrics.Info {
	info, ok := metrics.Lookup(key)
	if !ok {
		panic("unknown metric " + key) // BaselineMetrics holds known keys only
	}
	return info
}
