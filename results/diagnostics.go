package results

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/clbench/clbench/metrics"
)

// DiagnosticsEntry sums up the forgetting diagnostics of a leaderboard
// entry. Each run contributes, over the tasks j before its last task T,
// the mean of each diagnostic measured after T about j (its drift from
// the end of j to the end of the stream); the estimates are then over
// the entry's runs. An estimate without runs that measured it is empty.
type DiagnosticsEntry struct {
	Entry Entry
	// AttentionKL, CKA, Inactive: "all" of attention_kl, cka and
	// inactive_units after T.
	AttentionKL, CKA, Inactive metrics.Estimate
	// KeyMassEnd and KeyMassLast are the key-token mass of task j at the
	// end of j and after T; KeyMassDrop is the first minus the second.
	KeyMassEnd, KeyMassLast, KeyMassDrop metrics.Estimate
	// Distance is param_distance_rel of "all" after T.
	Distance metrics.Estimate
	// GeneralDrop is, for runs from a pre-trained base, the base's
	// held-out masked-token accuracy before training minus after T.
	GeneralDrop metrics.Estimate
}

// Diagnostics sums up the diagnostics of every leaderboard entry that
// has any, in leaderboard order.
func Diagnostics(s *Set, entries []Entry) []DiagnosticsEntry {
	byRun := map[string][]Diagnostic{}
	for _, d := range s.Diagnostics {
		byRun[d.RunID] = append(byRun[d.RunID], d)
	}
	var out []DiagnosticsEntry
	for _, e := range entries {
		var kl, cka, inactive, end, last, drop, dist, general []float64
		any := false
		for _, id := range e.RunIDs {
			ds := byRun[id]
			if len(ds) == 0 {
				continue
			}
			any = true
			r, _ := s.Run(id)
			v := runDiagnostics(ds, int32(r.NumTasks))
			appendIf(&kl, v["kl"])
			appendIf(&cka, v["cka"])
			appendIf(&inactive, v["inactive"])
			appendIf(&end, v["mass_end"])
			appendIf(&last, v["mass_last"])
			appendIf(&drop, v["mass_drop"])
			appendIf(&dist, v["distance"])
			appendIf(&general, v["general_drop"])
		}
		if !any {
			continue
		}
		out = append(out, DiagnosticsEntry{Entry: e,
			AttentionKL: metrics.MeanCI(kl), CKA: metrics.MeanCI(cka), Inactive: metrics.MeanCI(inactive),
			KeyMassEnd: metrics.MeanCI(end), KeyMassLast: metrics.MeanCI(last), KeyMassDrop: metrics.MeanCI(drop),
			Distance: metrics.MeanCI(dist), GeneralDrop: metrics.MeanCI(general)})
	}
	return out
}

func appendIf(xs *[]float64, v metrics.Value) {
	if v.Defined {
		*xs = append(*xs, v.X)
	}
}

// runDiagnostics reduces one run's diagnostics to its summaries (see
// DiagnosticsEntry); a summary the run cannot give is undefined.
func runDiagnostics(ds []Diagnostic, T int32) map[string]metrics.Value {
	if T == 0 {
		for _, d := range ds {
			T = max(T, d.AfterTask)
		}
	}
	get := func(after, task int32, name, group string) metrics.Value {
		for _, d := range ds {
			if d.AfterTask == after && d.Task == task && d.Name == name && d.Group == group {
				return metrics.FromPtr(d.Value)
			}
		}
		return metrics.Undefined
	}
	mean := func(f func(j int32) metrics.Value) metrics.Value {
		var sum float64
		var n int
		for j := int32(1); j < T; j++ {
			if v := f(j); v.Defined {
				sum, n = sum+v.X, n+1
			}
		}
		if n == 0 {
			return metrics.Undefined
		}
		return metrics.Of(sum / float64(n))
	}
	at := func(name, group string) metrics.Value {
		return mean(func(j int32) metrics.Value { return get(T, j, name, group) })
	}
	out := map[string]metrics.Value{
		"kl":        at("attention_kl", "all"),
		"cka":       at("cka", ""),
		"inactive":  at("inactive_units", "all"),
		"distance":  at("param_distance_rel", "all"),
		"mass_last": at("key_token_mass", "all"),
		"mass_end": mean(func(j int32) metrics.Value {
			return get(j, j, "key_token_mass", "all")
		}),
		"mass_drop": mean(func(j int32) metrics.Value {
			a, b := get(j, j, "key_token_mass", "all"), get(T, j, "key_token_mass", "all")
			if !a.Defined || !b.Defined {
				return metrics.Undefined
			}
			return metrics.Of(a.X - b.X)
		}),
		"general_drop": metrics.Undefined,
	}
	if a, b := get(0, 0, "general_masked_accuracy", ""), get(T, 0, "general_masked_accuracy", ""); a.Defined && b.Defined {
		out["general_drop"] = metrics.Of(a.X - b.X)
	}
	return out
}

// Spearman is Spearman's rank correlation of x and y: Pearson's
// correlation of their ranks, ties taking the mean of the ranks they
// span. It is undefined for fewer than 3 pairs or when either side's
// ranks are all equal.
func Spearman(x, y []float64) metrics.Value {
	if len(x) != len(y) || len(x) < 3 {
		return metrics.Undefined
	}
	return metrics.Of(stat.Correlation(ranks(x), ranks(y), nil))
}

// ranks returns the rank of each x (1 for the smallest), ties sharing
// their mean rank.
func ranks(xs []float64) []float64 {
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(xs[a], xs[b]) })
	r := make([]float64, len(xs))
	for i := 0; i < len(order); {
		j := i
		for j+1 < len(order) && xs[order[j+1]] == xs[order[i]] {
			j++
		}
		for k := i; k <= j; k++ {
			r[order[k]] = float64(i+j)/2 + 1
		}
		i = j + 1
	}
	return r
}

// diagnosticAxes are the diagnostics set against forgetting, in the
// correlations and the figure.
var diagnosticAxes = []struct {
	label, unit string
	get         func(DiagnosticsEntry) metrics.Estimate
}{
	{"attention KL", " (nats)", func(d DiagnosticsEntry) metrics.Estimate { return d.AttentionKL }},
	{"parameter distance", " (relative)", func(d DiagnosticsEntry) metrics.Estimate { return d.Distance }},
	{"key-token mass drop", "", func(d DiagnosticsEntry) metrics.Estimate { return d.KeyMassDrop }},
	{"CKA", "", func(d DiagnosticsEntry) metrics.Estimate { return d.CKA }},
}

// Correlation is Spearman's rho across the strategies of one board
// between a diagnostic's mean and mean forgetting.
type Correlation struct {
	Board      string // stream@version, shots and board label
	Diagnostic string
	Rho        metrics.Value
	Strategies int
}

// ForgettingCorrelations gives, for each board with diagnostics, the
// rank correlation across its strategies of attention drift, parameter
// distance, key-token mass drop and CKA with forgetting (strategies
// where either is undefined left out).
func ForgettingCorrelations(des []DiagnosticsEntry) []Correlation {
	order, groups := diagnosticsBoards(des)
	var out []Correlation
	for _, name := range order {
		for _, c := range diagnosticAxes {
			var x, y []float64
			for _, d := range groups[name] {
				if c.get(d).HasMean() && d.Entry.Forgetting.HasMean() {
					x = append(x, c.get(d).Mean)
					y = append(y, d.Entry.Forgetting.Mean)
				}
			}
			out = append(out, Correlation{Board: name, Diagnostic: c.label, Rho: Spearman(x, y), Strategies: len(x)})
		}
	}
	return out
}

// RenderDiagnostics writes the diagnostics table and the correlations,
// as text (markdown false) or Markdown.
func RenderDiagnostics(w io.Writer, des []DiagnosticsEntry, markdown bool) error {
	if len(des) == 0 {
		return nil
	}
	header := []string{"stream", "strategy", "seeds", "Forgetting", "attention KL", "key-token mass (end → last)",
		"CKA", "param distance", "silent units", "general drop"}
	rows := [][]string{}
	for _, d := range des {
		e := d.Entry
		stream := fmt.Sprintf("%s@%s", e.Stream, e.StreamVersion)
		if e.Shots > 0 {
			stream += fmt.Sprintf(" (%d)", e.Shots)
		}
		if e.BoardLabel != "" {
			stream += " [" + e.BoardLabel + "]"
		}
		strategy := e.Strategy
		if e.Setup != "" {
			strategy += " [" + e.Setup + "]"
		}
		rows = append(rows, []string{stream, strategy, fmt.Sprint(e.Seeds), points(e.Forgetting),
			plain(d.AttentionKL), plain(d.KeyMassEnd) + " → " + plain(d.KeyMassLast), plain(d.CKA),
			plain(d.Distance), plain(d.Inactive), points(d.GeneralDrop)})
	}
	if markdown {
		fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(header, " | "), strings.Repeat(" --- |", len(header)))
		for _, r := range rows {
			fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
		}
	} else {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(header, "\t"))
		for _, r := range rows {
			fmt.Fprintln(tw, strings.Join(r, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	fmt.Fprintf(w, "\nSpearman's rank correlation across strategies of each diagnostic's mean with mean "+
		"forgetting (ties share their rank; with few strategies a rho of ±1 is easily had by chance: "+
		"4 strategies give it once in 12 orders):\n\n")
	for _, c := range ForgettingCorrelations(des) {
		rho := "n/a (needs 3 strategies with both values, not all tied)"
		if c.Rho.Defined {
			rho = fmt.Sprintf("%+.2f", c.Rho.X)
		}
		bullet := ""
		if markdown {
			bullet = "- "
		}
		fmt.Fprintf(w, "%s%s, %s: rho = %s over %d strategies\n", bullet, c.Board, c.Diagnostic, rho, c.Strategies)
	}
	return nil
}

// plain prints an estimate of a diagnostic (not a score) as mean ±
// half-width with 3 significant digits.
func plain(e metrics.Estimate) string {
	switch {
	case !e.HasMean():
		return "n/a"
	case !e.HasInterval || math.IsNaN(e.HalfWidth()):
		return fmt.Sprintf("%.3g", e.Mean)
	}
	return fmt.Sprintf("%.3g ± %.2g", e.Mean, e.HalfWidth())
}

// diagnosticsBoards groups entries by board (the name ForgettingCorrelations
// uses), in first-seen order.
func diagnosticsBoards(des []DiagnosticsEntry) (names []string, groups map[string][]DiagnosticsEntry) {
	groups = map[string][]DiagnosticsEntry{}
	for _, d := range des {
		name := diagnosticsBoardName(d.Entry)
		if _, ok := groups[name]; !ok {
			names = append(names, name)
		}
		groups[name] = append(groups[name], d)
	}
	return names, groups
}

func diagnosticsBoardName(e Entry) string {
	name := fmt.Sprintf("%s@%s", e.Stream, e.StreamVersion)
	if e.Shots > 0 {
		name += fmt.Sprintf(" (%d shots)", e.Shots)
	}
	if e.BoardLabel != "" {
		name += " [" + e.BoardLabel + "]"
	}
	return name
}

// DiagnosticsFigure writes an SVG of one board's strategies: for each of
// attention KL, parameter distance, key-token mass drop and CKA, a panel
// with the strategies' mean forgetting (points) against the diagnostic's
// mean, each point named by its strategy. Strategies without both are
// left out of a panel.
func DiagnosticsFigure(w io.Writer, des []DiagnosticsEntry) error {
	var plots []*plot.Plot
	for _, pn := range diagnosticAxes {
		p := newPlot(pn.label)
		p.X.Label.Text = pn.label + pn.unit
		p.Y.Label.Text = "forgetting (points)"
		var xy plotter.XYs
		var names []string
		for _, d := range des {
			if pn.get(d).HasMean() && d.Entry.Forgetting.HasMean() {
				xy = append(xy, plotter.XY{X: pn.get(d).Mean, Y: 100 * d.Entry.Forgetting.Mean})
				names = append(names, d.Entry.Strategy)
			}
		}
		if len(xy) > 0 {
			sc, err := plotter.NewScatter(xy)
			if err != nil {
				return err
			}
			labels, err := plotter.NewLabels(plotter.XYLabels{XYs: xy, Labels: names})
			if err != nil {
				return err
			}
			for i := range labels.TextStyle {
				labels.TextStyle[i].Font.Variant = "Sans"
				labels.TextStyle[i].Font.Size = vg.Points(7)
			}
			p.Add(sc, labels)
		}
		plots = append(plots, p)
	}
	return tile(w, plots, nil, 0)
}
