package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clbench/clbench/bench"
	"github.com/clbench/clbench/results"
)

const leaderboardLong = `Leaderboard merges result folders and files (several shards, several
machines), groups the completed runs by stream, stream version, shots and
strategy, and prints each metric as the mean over seeds with its 95%
Student-t interval, in points (score x 100), with the cost columns. Within a
board, strategies are ranked by ACC; "seeds" says how many seeds each row
has. Failed runs are never scores: they are listed on stderr.

A board is the runs of one stream, version and number of shots that share
a setup: model, training protocol, backend, build and, for a full stream,
the data (its caps). Runs under different setups are never averaged or
ranked together: when a stream has several boards, each shows its id (8 hex
digits) beside the stream's name, and the CSV and JSON formats always carry
it. Within a board, runs of one strategy under different configurations are
entries of their own, labelled "[setup ID]".

In the table and markdown formats the few-shot amplification table follows
when the results hold few-shot variants: for each stream and strategy, the
forgetting on the full stream (shots 0) under the same model, protocol,
backend and build, on each few-shot variant, and F_few-shot / F_full - 1 of
the means (n/a when F_full <= 0, or when no full stream or more than one
matches).

--baseline NAME sets every other strategy of each board beside NAME (for
example finetune): for ACC, Forgetting, Intransigence and LA the change of
the means in points and the p-value of Welch's t-test over seeds, "~" when
not significant (p >= 0.05), and which metrics are significantly better or
worse, as "clbench compare" tests two result sets. With csv or json it
prints that comparison alone, with every score metric. With --report the
comparison follows each board's table.
--amplification prints that table alone, in any format.

--report FILE writes a Markdown report (LEADERBOARD.md): a header saying how
it was made (clbench version and the command; nothing that depends on the
time or the machine), the tables, and for each stream an SVG heat map of each
strategy's accuracy matrix and an SVG plot of each task's score along the
stream, written into --images (default: leaderboard/img beside FILE). The
same results give the same bytes; ` + "`make leaderboard`" + ` regenerates the
committed LEADERBOARD.md this way.`

type leaderboardOptions struct {
	paths         []string
	format        string
	out           string
	amplification bool
	report        string
	images        string
	baseline      string
}

func newLeaderboardCmd() *cobra.Command {
	o := &leaderboardOptions{}
	cmd := &cobra.Command{
		Use:   "leaderboard DIR|FILE...",
		Short: "Merge result folders and print each metric as mean and 95% interval over seeds",
		Long:  leaderboardLong,
		Args:  atLeastOneArg("one or more results folders or files, such as out/results"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.paths = args
			return runLeaderboard(cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "table", "table, markdown, csv or json")
	f.StringVar(&o.out, "out", "", "write the table to this file instead of stdout")
	f.BoolVar(&o.amplification, "amplification", false,
		"print only the few-shot amplification table")
	f.StringVar(&o.report, "report", "", "write a Markdown report with figures to this file")
	f.StringVar(&o.images, "images", "", "folder for the report's SVG figures "+
		"(default leaderboard/img beside --report)")
	f.StringVar(&o.baseline, "baseline", "", "compare every strategy of a board with this "+
		"one (for example finetune): change of each mean and Welch's t-test over seeds")
	return cmd
}

func runLeaderboard(stdout, stderr io.Writer, o *leaderboardOptions) error {
	if !validFormat(o.format) {
		return usageError("unknown --format %q (want %s)", o.format,
			strings.Join(results.Formats, ", "))
	}
	if o.images != "" && o.report == "" {
		return usageError("--images needs --report")
	}
	set, err := results.Read(o.paths...)
	if err != nil {
		return badInput(err)
	}
	for _, w := range set.Warnings {
		fmt.Fprintln(stderr, "warning:", w)
	}
	if len(set.Runs) == 0 {
		return badInput(fmt.Errorf("no runs found in %s", strings.Join(o.paths, ", ")))
	}
	for _, e := range results.Leaderboard(set) {
		if e.Runs > e.Seeds {
			fmt.Fprintf(stderr, "warning: %s on %s@%s (%s): %d runs for %d seeds, pooled in "+
				"its mean and interval as if each were a seed (clbench validate names them)\n",
				e.Strategy, e.Stream, e.StreamVersion, shotsText(e.Shots), e.Runs, e.Seeds)
		}
	}

	// The report, when asked for.
	if o.report != "" {
		ro := results.ReportOptions{
			Path: o.report, ImageDir: o.images,
			Command:   reportCommand(o),
			Generator: "clbench " + bench.Version,
			Baseline:  o.baseline,
		}
		if ro.ImageDir == "" {
			ro.ImageDir = defaultImageDir(o.report)
		}
		if err := results.WriteReport(set, ro); err != nil {
			return fmt.Errorf("writing the report %s: %w", o.report, err)
		}
		fmt.Fprintf(stderr, "wrote %s and its figures in %s\n", o.report, ro.ImageDir)
	}

	// The tables.
	w := stdout
	var f *os.File
	if o.out != "" {
		if f, err = os.Create(o.out); err != nil {
			return err
		}
		w = f
	}
	if err := writeLeaderboard(w, set, o); err != nil {
		if f != nil {
			f.Close()
		}
		return err
	}
	for _, r := range results.Failures(set) {
		fmt.Fprintf(stderr, "failed run %s (%s on %s, seed %d): %s\n",
			r.RunID, r.Strategy, r.Stream, r.Seed, firstLine(r.Error))
	}
	if f != nil {
		return f.Close()
	}
	return nil
}

// writeLeaderboard writes the leaderboard, the amplification table, or
// (in the text formats) both.
func writeLeaderboard(w io.Writer, set *results.Set, o *leaderboardOptions) error {
	entries := results.Leaderboard(set)
	amp := results.Amplification(entries)
	if o.amplification {
		return results.RenderAmplification(w, amp, o.format)
	}
	var against *results.Comparison
	if o.baseline != "" {
		var err error
		if against, err = results.AgainstBaseline(set, o.baseline,
			results.CompareOptions{Alpha: results.DefaultAlpha}); err != nil {
			return badInput(err)
		}
		if o.format == "csv" || o.format == "json" {
			return results.RenderBaseline(w, against, o.format)
		}
	}
	if err := results.Render(w, entries, o.format); err != nil {
		return err
	}
	if against != nil {
		fmt.Fprintf(w, "\nAgainst %s (change of each mean in points, strategy - %s; "+
			"p of Welch's t-test over seeds; ~ when p >= %g)\n", o.baseline, o.baseline,
			results.DefaultAlpha)
		if o.format == "markdown" {
			fmt.Fprintln(w)
		}
		if err := results.RenderBaseline(w, against, o.format); err != nil {
			return err
		}
	}
	if o.format != "table" && o.format != "markdown" {
		return nil
	}
	if des := results.Diagnostics(set, entries); len(des) > 0 {
		fmt.Fprintln(w, "\nWhy tasks were forgotten (forgetting diagnostics: mean over tasks before the last "+
			"of the change from each task's end to the stream's end; clbench show RUN for one run)")
		if o.format == "markdown" {
			fmt.Fprintln(w)
		}
		if err := results.RenderDiagnostics(w, des, o.format == "markdown"); err != nil {
			return err
		}
	}
	if len(amp) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	if o.format == "markdown" {
		fmt.Fprintln(w, "Few-shot amplification (F_few-shot / F_full - 1 of the mean forgetting):")
		fmt.Fprintln(w)
	} else {
		fmt.Fprintln(w, "Few-shot amplification (F_few-shot / F_full - 1 of the mean forgetting)")
	}
	return results.RenderAmplification(w, amp, o.format)
}

// reportCommand is the command line that regenerates the report, as the
// report's header quotes it: the options that shape the report, in a
// fixed order, and the paths as given (relative paths keep it the same
// on every machine).
func reportCommand(o *leaderboardOptions) string {
	parts := []string{"clbench", "leaderboard", "--report", shellQuote(o.report)}
	if o.images != "" {
		parts = append(parts, "--images", shellQuote(o.images))
	}
	if o.baseline != "" {
		parts = append(parts, "--baseline", shellQuote(o.baseline))
	}
	for _, p := range o.paths {
		parts = append(parts, shellQuote(p))
	}
	return strings.Join(parts, " ")
}

// defaultImageDir is leaderboard/img in the report's folder.
func defaultImageDir(report string) string {
	return filepath.Join(filepath.Dir(report), "leaderboard", "img")
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"+
		"0123456789-_./=:@,+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func validFormat(f string) bool {
	for _, k := range results.Formats {
		if f == k {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}
