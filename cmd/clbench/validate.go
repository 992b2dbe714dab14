package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clbench/clbench/bench"
	"github.com/clbench/clbench/results"
	"github.com/clbench/clbench/tasks"
)

const validateLong = `Validate checks a submitted results set (folders or files) before it goes
onto the leaderboard, and lists every problem it finds with its file, run and
metric:

  - schema: every file has every column of its kind (run or cells);
  - provenance: stream, version and data digest, strategy and its
    configuration, tasks, clbench version, commit, Go version, build, host,
    start time, backend, model and training configuration are recorded, and
    the run id is the one its content gives;
  - streams: a built-in stream is at its current version (a stream that is
    not built in, from a stream file, is a warning);
  - failed runs: a failed run is an error (submit completed runs only), and
    must carry a reason and no metrics;
  - cells: every completed run has its accuracy matrix, scores in [0, 1], the
    untrained row, the last row, and every row it measured complete;
  - metrics: ACC, BWT, FWT, Forgetting and LA recomputed from the cells equal
    the stored ones within --tolerance, null exactly where the cells cannot
    define them; a stored intransigence equals the one against the
    cumulative run of the same stream, version, shots and seed;
  - completeness: within a stream, version and shots, every strategy has the
    same seeds, one run each, one strategy configuration; all runs share the
    model and training configuration and the stream's data.

A file that cannot be read (a damaged Parquet file) is an error naming it; the
other files are still checked.

Exit status: 0 when there is no error (warnings are printed), 1 when there is
one, 2 when a path given does not exist or cannot be listed.`

type validateOptions struct {
	paths     []string
	tolerance float64
	format    string
}

func newValidateCmd() *cobra.Command {
	o := &validateOptions{}
	cmd := &cobra.Command{
		Use:   "validate FILE|DIR...",
		Short: "Check a results set: schema, provenance, cells, recomputed metrics, completeness",
		Long:  validateLong,
		Args:  atLeastOneArg("one or more results folders or files to check"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.paths = args
			return runValidate(cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	f := cmd.Flags()
	f.Float64Var(&o.tolerance, "tolerance", results.DefaultTolerance,
		"largest accepted difference between a stored and a recomputed metric")
	f.StringVar(&o.format, "format", "text", "text or json")
	return cmd
}

func runValidate(stdout, stderr io.Writer, o *validateOptions) error {
	if o.format != "text" && o.format != "json" {
		return usageError("unknown --format %q (want text or json)", o.format)
	}
	// Written so that NaN fails. Above 0.001 (0.1 points) a hand-edited
	// metric could pass as a rounding difference.
	if !(o.tolerance >= 0 && o.tolerance <= 1e-3) {
		return usageError("--tolerance %v: want a number from 0 to 0.001, in the metrics' "+
			"fractions (0 means the default, %g)", o.tolerance, results.DefaultTolerance)
	}
	streams, streamTasks := map[string]string{}, map[string]string{}
	for _, s := range tasks.Streams() {
		streams[s.Name] = s.Version
		streamTasks[s.Name] = strings.Join(s.Tasks, ",")
	}
	set, problems, err := results.Validate(o.paths, results.ValidateOptions{
		Tolerance: o.tolerance, Streams: streams, StreamTasks: streamTasks, RunID: bench.RunID,
	})
	if err != nil {
		return badInput(err)
	}

	errs := 0
	for _, p := range problems {
		if p.Severity == results.SeverityError {
			errs++
		}
	}
	switch o.format {
	case "json":
		out := struct {
			Runs     int               `json:"runs"`
			Errors   int               `json:"errors"`
			Warnings int               `json:"warnings"`
			Problems []results.Problem `json:"problems"`
		}{len(set.Runs), errs, len(problems) - errs, problems}
		if out.Problems == nil {
			out.Problems = []results.Problem{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	default:
		for _, p := range problems {
			fmt.Fprintln(stdout, p)
		}
	}

	summary := fmt.Sprintf("%d runs checked: %d errors, %d warnings", len(set.Runs), errs,
		len(problems)-errs)
	if errs > 0 {
		return &exitError{code: 1, err: fmt.Errorf("invalid results: %s", summary)}
	}
	fmt.Fprintln(stderr, "valid:", summary)
	return nil
}
