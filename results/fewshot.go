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

// AmplificationRow is one row of the few-shot amplification table: a
// strategy's forgetting on a stream's full variant (Shots 0) and on one
// few-shot variant, and the amplification between them.
type AmplificationRow struct {
	Stream        string
	StreamVersion string
	Strategy      string
	Shots         int64 // the few-shot variant's training examples per later task
	// Board is the few-shot variant's board (Entry.Board); BoardLabel is
	// set, and shown beside the stream, when its stream, version and
	// shots have several boards.
	Board, BoardLabel string

	// Forgetting over seeds, as fractions.
	Full, FewShot           metrics.Estimate
	FullSeeds, FewShotSeeds int

	// Amplification is [metrics.FewShotAmplification] of the two mean
	// forgettings: undefined when either is undefined, when there are no
	// full-stream runs, or when the full-stream forgetting is <= 0.
	Amplification metrics.Value
	// Why says why Amplification is undefined; empty when it is defined.
	Why string
}

// capsOf is what a stream's caps leave of its task sizes ("512/128,
// 512/128,400/64"): the first task's training examples and every task's
// test examples, which a few-shot variant shares with the full stream it
// was drawn from ("512|128,128,64"). Empty when sizes were not recorded.
func capsOf(sizes string) string {
	if sizes == "" {
		return ""
	}
	var tests []string
	first := ""
	for i, task := range strings.Split(sizes, ",") {
		train, test, _ := strings.Cut(task, "/")
		if i == 0 {
			first = train
		}
		tests = append(tests, test)
	}
	return first + "|" + strings.Join(tests, ",")
}

// Amplification builds the few-shot amplification table from leaderboard
// entries: one row for each stream (at one version), strategy and
// few-shot variant (Shots > 0), with the same stream and strategy's full
// variant under the same protocol beside it. The amplification is the ratio of the means over
// seeds (not a mean of per-seed ratios, which a seed with forgetting
// near 0 would blow up). Rows are sorted by stream, stream version,
// strategy and shots. Streams and strategies without a few-shot variant
// have no row.
func Amplification(entries []Entry) []AmplificationRow {
	// A few-shot variant is set beside the full stream it was drawn
	// from: the same stream, strategy and protocol (Entry.Protocol), at
	// the same caps (capsOf: its first task's training examples and every
	// task's test examples). Results written before task sizes were
	// recorded match on the protocol alone. With no such full stream, or
	// several, the row has no full side, and Why says so.
	type key struct{ stream, version, strategy, protocol string }
	full := map[key][]Entry{}
	for _, e := range entries {
		if e.Shots <= 0 {
			k := key{e.Stream, e.StreamVersion, e.Strategy, e.Protocol}
			full[k] = append(full[k], e)
		}
	}

	var rows []AmplificationRow
	for _, e := range entries {
		if e.Shots <= 0 {
			continue
		}
		r := AmplificationRow{
			Stream: e.Stream, StreamVersion: e.StreamVersion, Strategy: e.Strategy,
			Shots: e.Shots, FewShot: e.Forgetting, FewShotSeeds: e.Seeds,
			Board: e.Board, BoardLabel: e.BoardLabel,
		}
		var match []Entry
		for _, f := range full[key{e.Stream, e.StreamVersion, e.Strategy, e.Protocol}] {
			if c, fc := capsOf(e.TaskSizes), capsOf(f.TaskSizes); c == "" || fc == "" || c == fc {
				match = append(match, f)
			}
		}
		switch len(match) {
		case 0:
			r.Why = "no full-stream runs of this strategy under the same protocol and caps"
		case 1:
			f := match[0]
			r.Full, r.FullSeeds = f.Forgetting, f.Seeds
			r.Amplification = metrics.FewShotAmplification(
				e.Forgetting.MeanValue(), f.Forgetting.MeanValue())
			if !r.Amplification.Defined {
				r.Why = "undefined: a forgetting is undefined, or the full stream's is not above 0"
			}
		default:
			r.Why = fmt.Sprintf("%d full-stream boards could be the one it was drawn from "+
				"(results without task sizes)", len(match))
		}
		rows = append(rows, r)
	}
	slices.SortStableFunc(rows, func(a, b AmplificationRow) int {
		return cmp.Or(
			cmp.Compare(a.Stream, b.Stream),
			cmp.Compare(a.StreamVersion, b.StreamVersion),
			cmp.Compare(a.Strategy, b.Strategy),
			cmp.Compare(a.Shots, b.Shots),
			cmp.Compare(a.Board, b.Board),
		)
	})
	return rows
}

// RenderAmplification writes the few-shot amplification table in one of
// [Formats]. In the text formats forgetting is in points ("mean ±
// half-width" over seeds) and the amplification in percent with a sign
// ("+40.0%" is 40% more forgetting than on the full stream); "n/a" where
// undefined. CSV and JSON give the amplification as a fraction (0.4).
func RenderAmplification(w io.Writer, rows []AmplificationRow, format string) error {
	switch format {
	case "table", "markdown":
		text := make([][]string, len(rows))
		for i, r := range rows {
			stream := streamVersion(r.Stream, r.StreamVersion)
			if r.BoardLabel != "" {
				stream += " [" + r.BoardLabel + "]"
			}
			text[i] = []string{
				stream, r.Strategy, shots(r.Shots),
				fullSeeds(r) + "/" + strconv.Itoa(r.FewShotSeeds),
				points(r.Full), points(r.FewShot), percent(r.Amplification),
			}
		}
		head := []string{"stream", "strategy", "shots", "seeds (full/few)",
			"F full", "F few-shot", "amplification"}
		left := map[int]bool{0: true, 1: true}
		if format == "markdown" {
			return writeTable(w, renderer.NewMarkdown(), head, left, text)
		}
		return writeTable(w, nil, head, left, text)
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"stream", "stream_version", "board", "strategy", "shots", "full_seeds",
			"fewshot_seeds", "forgetting_full", "forgetting_full_pm", "forgetting_fewshot",
			"forgetting_fewshot_pm", "amplification", "why"})
		for _, r := range rows {
			rec := []string{r.Stream, r.StreamVersion, r.Board, r.Strategy,
				strconv.FormatInt(r.Shots, 10), strconv.Itoa(r.FullSeeds),
				strconv.Itoa(r.FewShotSeeds)}
			rec = append(rec, csvEstimate(r.Full)...)
			rec = append(rec, csvEstimate(r.FewShot)...)
			rec = append(rec, fraction(r.Amplification), r.Why)
			cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	case "json":
		type jsonRow struct {
			Stream        string           `json:"stream"`
			StreamVersion string           `json:"stream_version"`
			Board         string           `json:"board"`
			Strategy      string           `json:"strategy"`
			Shots         int64            `json:"shots"`
			FullSeeds     int              `json:"full_seeds"`
			FewShotSeeds  int              `json:"fewshot_seeds"`
			Full          metrics.Estimate `json:"forgetting_full"`
			FewShot       metrics.Estimate `json:"forgetting_fewshot"`
			Amplification metrics.Value    `json:"amplification"`
			Why           string           `json:"why,omitempty"`
		}
		out := make([]jsonRow, len(rows))
		for i, r := range rows {
			out[i] = jsonRow{r.Stream, r.StreamVersion, r.Board, r.Strategy, r.Shots, r.FullSeeds,
				r.FewShotSeeds, r.Full, r.FewShot, r.Amplification, r.Why}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	return fmt.Errorf("unknown format %q (known: %s)", format, strings.Join(Formats, ", "))
}

// csvEstimate gives an estimate's mean and half-width in points, "n/a"
// where undefined, as the leaderboard's CSV does.
func csvEstimate(e metrics.Estimate) []string {
	mean, pm := "n/a", "n/a"
	if e.HasMean() {
		mean = point(e.Mean)
	}
	if e.HasInterval {
		pm = point(e.HalfWidth())
	}
	return []string{mean, pm}
}

// percent formats a ratio as a signed percentage with one decimal.
func percent(v metrics.Value) string {
	if !v.Defined {
		return "n/a"
	}
	s := strconv.FormatFloat(100*v.X, 'f', 1, 64)
	switch {
	case s == "-0.0" || s == "0.0":
		return "0.0%"
	case !strings.HasPrefix(s, "-"):
		s = "+" + s
	}
	return s + "%"
}

// fraction formats v with %g, or "n/a".
func fraction(v metrics.Value) string {
	if !v.Defined {
		return "n/a"
	}
	return strconv.FormatFloat(v.X, 'g', -1, 64)
}

func streamVersion(stream, version string) string {
	if version == "" {
		return stream
	}
	return stream + "@" + version
}

// fullSeeds is the full side's seeds, "-" when there is no full side.
func fullSeeds(r AmplificationRow) string {
	if r.FullSeeds == 0 {
		return "-"
	}
	return strconv.Itoa(r.FullSeeds)
}
