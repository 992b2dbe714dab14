package results

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/clbench/clbench/metrics"
)

// Formats lists the formats [Render] writes.
var Formats = []string{"table", "markdown", "csv", "json"}

// Render writes the leaderboard entries to w in format:
//
//   - "table": a terminal table;
//   - "markdown": a Markdown table, as in LEADERBOARD.md;
//   - "csv": one header line of keys, then one line per entry; each
//     score is two columns, <key> (the mean) and <key>_pm (the interval's
//     half-width); "board" is the entry's Board;
//   - "json": an array of entries with every estimate's mean, bounds, n
//     and skipped count, as fractions (not points); null where undefined.
//
// In the text formats scores are in points (score × 100) with one
// decimal, "mean ± half-width", or the mean alone when there is no
// interval (one seed), or "n/a" when undefined, with "(2 of 3)" after a
// mean that some runs leave undefined. Shots 0 shows as "full".
func Render(w io.Writer, entries []Entry, format string) error {
	switch format {
	case "table":
		return renderTable(w, entries, nil)
	case "markdown":
		return renderTable(w, entries, renderer.NewMarkdown())
	case "csv":
		return renderCSV(w, entries)
	case "json":
		return renderJSON(w, entries)
	}
	return fmt.Errorf("unknown format %q (known: %s)", format, strings.Join(Formats, ", "))
}

// The columns of the text formats. Names are left-aligned, numbers
// right-aligned.
var (
	header = []string{
		"rank", "stream", "shots", "strategy", "seeds",
		"ACC", "BWT", "FWT", "Forgetting", "Intransigence", "LA",
		"wall s", "ex/s", "trainable params", "added %", "stored",
	}
	leftColumns = map[int]bool{1: true, 3: true} // stream, strategy
)

// row formats e for the text formats.
func row(e Entry) []string {
	return []string{
		rank(e.Rank), streamName(e), shots(e.Shots), e.Strategy, seedsText(e),
		points(e.ACC), points(e.BWT), points(e.FWT),
		points(e.Forgetting), points(e.Intransigence), points(e.LA),
		strconv.FormatFloat(e.Cost.WallSeconds, 'f', 1, 64),
		strconv.FormatFloat(e.Cost.ExamplesPerSecond, 'f', 1, 64),
		count(e.Cost.TrainableParams),
		strconv.FormatFloat(e.Cost.ParamsAddedPct, 'f', 1, 64),
		strconv.FormatFloat(e.Cost.ExamplesStored, 'f', 0, 64),
	}
}

func renderTable(w io.Writer, entries []Entry, r tw.Renderer) error {
	rows := make([][]string, len(entries))
	for i, e := range entries {
		rows[i] = row(e)
	}
	return writeTable(w, r, header, leftColumns, rows)
}

// writeTable writes a terminal table (r nil) or a Markdown one (r a
// Markdown renderer): the columns in left are left-aligned, the others
// right-aligned.
func writeTable(w io.Writer, r tw.Renderer, header []string, left map[int]bool,
	rows [][]string) error {
	align := make([]tw.Align, len(header))
	for i := range align {
		align[i] = tw.AlignRight
		if left[i] {
			align[i] = tw.AlignLeft
		}
	}
	opts := []tablewriter.Option{
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
	}
	if r != nil {
		opts = append(opts, tablewriter.WithRenderer(r))
	}
	t := tablewriter.NewTable(w, opts...)
	t.Header(header)
	for _, row := range rows {
		if err := t.Append(row); err != nil {
			return err
		}
	}
	return t.Render()
}

// scoreKeys are the CSV and JSON keys of the scores, in column order.
var scoreKeys = []string{"acc", "bwt", "fwt", "forgetting", "intransigence", "la"}

func scores(e Entry) []metrics.Estimate {
	return []metrics.Estimate{e.ACC, e.BWT, e.FWT, e.Forgetting, e.Intransigence, e.LA}
}

func renderCSV(w io.Writer, entries []Entry) error {
	cw := csv.NewWriter(w)
	head := []string{"rank", "stream", "stream_version", "shots", "board", "strategy", "runs", "seeds"}
	for _, k := range scoreKeys {
		head = append(head, k, k+"_pm")
	}
	head = append(head, "wall_seconds", "examples_per_second", "peak_memory_bytes",
		"trainable_params", "params_added_pct", "examples_stored")
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, e := range entries {
		rec := []string{
			rank(e.Rank), e.Stream, e.StreamVersion, strconv.FormatInt(e.Shots, 10), e.Board,
			e.Strategy, strconv.Itoa(e.Runs), strconv.Itoa(e.Seeds),
		}
		for _, s := range scores(e) {
			mean, pm := "n/a", "n/a"
			if s.HasMean() {
				mean = point(s.Mean)
			}
			if s.HasInterval {
				pm = point(s.HalfWidth())
			}
			rec = append(rec, mean, pm)
		}
		c := e.Cost
		rec = append(rec,
			strconv.FormatFloat(c.WallSeconds, 'f', 1, 64),
			strconv.FormatFloat(c.ExamplesPerSecond, 'f', 1, 64),
			strconv.FormatFloat(c.PeakMemoryBytes, 'f', 0, 64),
			strconv.FormatFloat(c.TrainableParams, 'f', 0, 64),
			strconv.FormatFloat(c.ParamsAddedPct, 'f', 1, 64),
			strconv.FormatFloat(c.ExamplesStored, 'f', 0, 64),
		)
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// jsonEntry is an Entry as "json" writes it.
type jsonEntry struct {
	Rank          *int             `json:"rank"`
	Stream        string           `json:"stream"`
	StreamVersion string           `json:"stream_version"`
	Shots         int64            `json:"shots"`
	Board         string           `json:"board"`
	Strategy      string           `json:"strategy"`
	Runs          int              `json:"runs"`
	Seeds         int              `json:"seeds"`
	ACC           metrics.Estimate `json:"acc"`
	BWT           metrics.Estimate `json:"bwt"`
	FWT           metrics.Estimate `json:"fwt"`
	Forgetting    metrics.Estimate `json:"forgetting"`
	Intransigence metrics.Estimate `json:"intransigence"`
	LA            metrics.Estimate `json:"la"`
	Cost          Cost             `json:"cost"`
	RunIDs        []string         `json:"run_ids"`
}

func renderJSON(w io.Writer, entries []Entry) error {
	out := make([]jsonEntry, len(entries))
	for i, e := range entries {
		out[i] = jsonEntry{
			Stream: e.Stream, StreamVersion: e.StreamVersion, Shots: e.Shots, Board: e.Board,
			Strategy: e.Strategy, Runs: e.Runs, Seeds: e.Seeds,
			ACC: e.ACC, BWT: e.BWT, FWT: e.FWT, Forgetting: e.Forgetting,
			Intransigence: e.Intransigence, LA: e.LA,
			Cost: e.Cost, RunIDs: e.RunIDs,
		}
		if e.Rank > 0 {
			r := e.Rank
			out[i].Rank = &r
		}
		if out[i].RunIDs == nil {
			out[i].RunIDs = []string{}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// points formats an estimate in points: "mean ± half-width", "mean", or
// "n/a". A mean over some of the runs only (the others undefined, such
// as an intransigence without its cumulative run) says over how many:
// "5.4 ± 34.9 (2 of 3)".
func points(e metrics.Estimate) string {
	var s string
	switch {
	case !e.HasMean():
		return "n/a"
	case !e.HasInterval:
		s = point(e.Mean)
	default:
		s = point(e.Mean) + " ± " + point(e.HalfWidth())
	}
	if e.Skipped > 0 {
		s += fmt.Sprintf(" (%d of %d)", e.N, e.N+e.Skipped)
	}
	return s
}

// point formats a score in points with one decimal, without "-0.0".
func point(x float64) string {
	s := strconv.FormatFloat(100*x, 'f', 1, 64)
	if s == "-0.0" {
		s = "0.0"
	}
	return s
}

func rank(r int) string {
	if r == 0 {
		return "-"
	}
	return strconv.Itoa(r)
}

func shots(n int64) string {
	if n <= 0 {
		return "full"
	}
	return strconv.FormatInt(n, 10)
}

// streamName is the stream and its version, with the board's id when
// the stream has several boards (see Entry.BoardLabel).
func streamName(e Entry) string {
	name := e.Stream
	if e.StreamVersion != "" {
		name += "@" + e.StreamVersion
	}
	if e.BoardLabel != "" {
		name += " [" + e.BoardLabel + "]"
	}
	return name
}

// count formats a parameter count with a k or M suffix.
func count(x float64) string {
	switch {
	case x >= 1e6:
		return strconv.FormatFloat(x/1e6, 'f', 2, 64) + "M"
	case x >= 1e4:
		return strconv.FormatFloat(x/1e3, 'f', 1, 64) + "k"
	}
	return strconv.FormatFloat(x, 'f', 0, 64)
}

// seedsText is the entry's seeds, with its runs when there are more runs
// than seeds (a seed run twice, pooled in the mean): "2 (3 runs)".
func seedsText(e Entry) string {
	if e.Runs > e.Seeds {
		return fmt.Sprintf("%d (%d runs)", e.Seeds, e.Runs)
	}
	return strconv.Itoa(e.Seeds)
}
