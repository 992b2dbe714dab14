package results

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter/renderer"

	"github.com/clbench/clbench/metrics"
)

// RenderComparison writes the comparison in one of [Formats].
//
// In the text formats each row is one metric of one strategy on one
// stream and shots: "better" is ↑ when higher is better and ↓ when lower
// is; old and new are "mean ± half-width" (points for scores, the unit
// for costs); Δ is the change of the means, in points for scores and
// percent for costs, or "~" when it is not significant (or could not be
// tested); p is Welch's two-sided p-value; n the values on each side;
// verdict says better, worse or REGRESSION. The notes column refers to
// the numbered notes printed after the table.
//
// CSV has the same rows with numbers (points for scores) and the notes'
// text in the last column; JSON has every field and the notes. A
// comparison that does not gate (Comparison.Ungated) has "gates": false,
// null thresholds and an empty gate in JSON.
func RenderComparison(w io.Writer, c *Comparison, format string) error {
	switch format {
	case "table", "markdown":
		return renderComparisonText(w, c, format == "markdown")
	case "csv":
		return renderComparisonCSV(w, c)
	case "json":
		return renderComparisonJSON(w, c)
	}
	return fmt.Errorf("unknown format %q (known: %s)", format, strings.Join(Formats, ", "))
}

var comparisonHeader = []string{"stream", "shots", "strategy", "metric", "better",
	"old", "new", "Δ", "p", "n", "verdict", "notes"}

func renderComparisonText(w io.Writer, c *Comparison, markdown bool) error {
	header := slices.Clone(comparisonHeader)
	if c.Labels[0] != "" {
		header[5], header[6] = c.Labels[0], c.Labels[1]
	}
	rows := make([][]string, len(c.Changes))
	for i, ch := range c.Changes {
		rows[i] = []string{
			ch.Stream, shots(ch.Shots), ch.Strategy, metricName(ch.Metric.Key), arrow(ch.Metric),
			side(ch, ch.Old), side(ch, ch.New), delta(ch), PValue(ch, c.Options.Alpha),
			strconv.Itoa(ch.Old.N) + "/" + strconv.Itoa(ch.New.N), verdict(ch), noteRefs(ch.Notes),
		}
	}
	left := map[int]bool{0: true, 2: true, 3: true, 10: true}
	if markdown {
		if err := writeTable(w, renderer.NewMarkdown(), header, left, rows); err != nil {
			return err
		}
	} else if err := writeTable(w, nil, header, left, rows); err != nil {
		return err
	}

	// The notes.
	if len(c.Notes) > 0 {
		fmt.Fprintln(w)
	}
	for i, n := range c.Notes {
		if markdown {
			fmt.Fprintf(w, "- [%d] %s\n", i+1, n)
		} else {
			fmt.Fprintf(w, "[%d] %s\n", i+1, n)
		}
	}
	return nil
}

func renderComparisonCSV(w io.Writer, c *Comparison) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"stream", "shots", "strategy", "metric", "higher_is_better", "unit",
		"old", "old_pm", "old_n", "new", "new_pm", "new_n", "delta", "p", "significant",
		"verdict", "gates", "notes"})
	for _, ch := range c.Changes {
		unit := "points"
		if !ch.Points {
			unit = "percent"
		}
		rec := []string{ch.Stream, strconv.FormatInt(ch.Shots, 10), ch.Strategy, ch.Metric.Key,
			strconv.FormatBool(ch.Metric.HigherIsBetter), unit}
		for _, e := range []metrics.Estimate{ch.Old, ch.New} {
			mean, pm := "n/a", "n/a"
			if e.HasMean() {
				mean = sideNumber(ch, e.Mean)
			}
			if e.HasInterval {
				pm = sideNumber(ch, e.HalfWidth())
			}
			rec = append(rec, mean, pm, strconv.Itoa(e.N))
		}
		d, p := "n/a", "n/a"
		if ch.HasDelta {
			d = strconv.FormatFloat(ch.Delta, 'f', 2, 64)
		}
		if ch.Tested {
			p = formatP(ch.Test.P, c.Options.Alpha, 'g', 4)
		}
		var notes []string
		for _, n := range ch.Notes {
			notes = append(notes, c.Notes[n-1])
		}
		rec = append(rec, d, p, strconv.FormatBool(ch.Significant), verdictWord(ch),
			strconv.FormatBool(ch.Gates), strings.Join(notes, "; "))
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// jsonChange is a Change as "json" writes it.
type jsonChange struct {
	Stream         string           `json:"stream"`
	Shots          int64            `json:"shots"`
	Strategy       string           `json:"strategy"`
	Metric         string           `json:"metric"`
	HigherIsBetter bool             `json:"higher_is_better"`
	Unit           string           `json:"unit"`       // of old, new: fraction or the cost's key
	DeltaUnit      string           `json:"delta_unit"` // points or percent
	Old            metrics.Estimate `json:"old"`
	New            metrics.Estimate `json:"new"`
	Delta          metrics.Value    `json:"delta"`
	T              metrics.Value    `json:"t"`
	DF             metrics.Value    `json:"df"`
	P              metrics.Value    `json:"p"`
	Significant    bool             `json:"significant"`
	Verdict        string           `json:"verdict"`
	Gates          bool             `json:"gates"`
	Regressed      bool             `json:"regressed"`
	Notes          []int            `json:"notes"`
}

func renderComparisonJSON(w io.Writer, c *Comparison) error {
	out := struct {
		Alpha         float64      `json:"alpha"`
		Gates         bool         `json:"gates"`
		Threshold     *float64     `json:"threshold_points"`       // null when it does not gate
		CostThreshold *float64     `json:"cost_threshold_percent"` // null when it does not gate
		Test          string       `json:"test"`
		MinSeeds      int          `json:"min_seeds"`
		Gate          []string     `json:"gate"`
		Regressions   int          `json:"regressions"`
		NewFailures   []NewFailure `json:"new_failures"`
		OneSided      int          `json:"one_sided_rows"` // rows with runs on one side only
		Changes       []jsonChange `json:"changes"`
		Notes         []string     `json:"notes"`
	}{
		Alpha: c.Options.Alpha, Gates: !c.Ungated, Test: "welch-t", MinSeeds: MinSeeds,
		Gate: c.Options.Gate, Regressions: c.Regressions, NewFailures: c.NewFailures,
		OneSided: c.OneSided, Changes: make([]jsonChange, len(c.Changes)), Notes: c.Notes,
	}
	if !c.Ungated {
		out.Threshold, out.CostThreshold = &c.Options.Threshold, &c.Options.CostThreshold
	}
	if out.NewFailures == nil {
		out.NewFailures = []NewFailure{}
	}
	if out.Gate == nil {
		out.Gate = []string{}
	}
	if out.Notes == nil {
		out.Notes = []string{}
	}
	for i, ch := range c.Changes {
		j := jsonChange{
			Stream: ch.Stream, Shots: ch.Shots, Strategy: ch.Strategy, Metric: ch.Metric.Key,
			HigherIsBetter: ch.Metric.HigherIsBetter, Unit: "fraction", DeltaUnit: "points",
			Old: ch.Old, New: ch.New, Significant: ch.Significant, Verdict: verdictWord(ch),
			Gates: ch.Gates, Regressed: ch.Regressed, Notes: ch.Notes,
		}
		if !ch.Points {
			j.Unit, j.DeltaUnit = ch.Metric.Key, "percent"
		}
		if ch.HasDelta {
			j.Delta = metrics.Of(ch.Delta)
		}
		if ch.Tested {
			j.T, j.DF, j.P = metrics.Of(ch.Test.T), metrics.Of(ch.Test.DF), metrics.Of(ch.Test.P)
		}
		if j.Notes == nil {
			j.Notes = []int{}
		}
		out.Changes[i] = j
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// metricName is the leaderboard's column name of a metric.
func metricName(key string) string {
	switch key {
	case "acc":
		return "ACC"
	case "bwt":
		return "BWT"
	case "fwt":
		return "FWT"
	case "forgetting":
		return "Forgetting"
	case "intransigence":
		return "Intransigence"
	case "la":
		return "LA"
	}
	return key
}

func arrow(m metrics.Info) string {
	if m.HigherIsBetter {
		return "↑"
	}
	return "↓"
}

// side formats one side's estimate: points for a score, the unit for a
// cost.
func side(ch Change, e metrics.Estimate) string {
	if ch.Points {
		return points(e)
	}
	switch {
	case !e.HasMean():
		return "n/a"
	case !e.HasInterval:
		return sideNumber(ch, e.Mean)
	}
	return sideNumber(ch, e.Mean) + " ± " + sideNumber(ch, e.HalfWidth())
}

func sideNumber(ch Change, x float64) string {
	if ch.Points {
		return point(x)
	}
	if x >= 1e4 {
		return strconv.FormatFloat(x, 'f', 0, 64)
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}

func delta(ch Change) string {
	switch {
	case !ch.HasDelta:
		if ch.Old.HasMean() && ch.New.HasMean() {
			return "~"
		}
		return ""
	case !ch.Significant:
		return "~"
	}
	s := strconv.FormatFloat(ch.Delta, 'f', 1, 64)
	if !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	if !ch.Points {
		s += "%"
	}
	return s
}

// PValue is the text formats' p of ch: "p=" and [FormatP], "p<0.001"
// below 0.001 (when alpha is not smaller), "-" when untested.
func PValue(ch Change, alpha float64) string {
	switch {
	case !ch.Tested:
		return "-"
	case ch.Test.P < 0.001 && alpha >= 0.001:
		return "p<0.001"
	}
	return "p=" + FormatP(ch.Test.P, alpha)
}

// FormatP formats a p-value with three decimals (as many as alpha needs,
// up to six, when it needs more), or more where those would round it
// onto alpha or across it: 0.0496 and 0.0504 print as such at alpha 0.05,
// never both as 0.050, so that the printed value says on its own whether
// it is below alpha.
func FormatP(p, alpha float64) string {
	prec := 3
	for prec < 6 {
		if a, _ := strconv.ParseFloat(strconv.FormatFloat(alpha, 'f', prec, 64), 64); a == alpha {
			break
		}
		prec++
	}
	return formatP(p, alpha, 'f', prec)
}

// formatP formats p as strconv.FormatFloat(p, f, prec, 64) does, adding
// digits until the printed value lies on the same side of alpha as p
// (equal to it only when p is).
func formatP(p, alpha float64, f byte, prec int) string {
	for ; ; prec++ {
		s := strconv.FormatFloat(p, f, prec, 64)
		q, err := strconv.ParseFloat(s, 64)
		if err != nil || prec >= 20 || cmp.Compare(q, alpha) == cmp.Compare(p, alpha) {
			return s
		}
	}
}

func verdict(ch Change) string {
	switch {
	case ch.Regressed:
		return "REGRESSION"
	case ch.Better, ch.Worse:
		return verdictWord(ch)
	}
	return ""
}

func verdictWord(ch Change) string {
	switch {
	case ch.Regressed:
		return "regression"
	case ch.Better:
		return "better"
	case ch.Worse:
		return "worse"
	case ch.Old.HasMean() && ch.New.HasMean():
		return "~"
	}
	return ""
}

func noteRefs(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}
