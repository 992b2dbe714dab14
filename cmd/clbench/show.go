package main

import (
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clbench/clbench/results"
)

const showLong = `Show prints one run in full: its provenance (stream version and digest,
strategy configuration, seed, model, protocol, backend, build, commit), its
accuracy matrix, its metrics and cost, and, when it was run with
--diagnostics, its forgetting diagnostics: for each task's probe examples
after each later task, the share of attention on the task's key tokens, the
attention's KL divergence and the representations' CKA from the end of the
task, the share of feed-forward units fallen silent, and how far the
parameters moved (relative to their norm), per group.

RUN is a run id or a prefix of one; the results are read from the folders
or files given (default out/results, run's default --out). RUN may also be
a run file (<id>.run.parquet), read with the files beside it.`

func newShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show RUN [DIR|FILE...]",
		Short: "Print one run: provenance, accuracy matrix, metrics, cost and diagnostics",
		Long:  showLong,
		Args:  atLeastOneArg("a run id (or a prefix of one, or a run file), then optionally the results folders to read"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, paths := args[0], args[1:]
			for _, suffix := range []string{results.CellsSuffix, results.DiagnosticsSuffix} {
				if strings.HasSuffix(id, suffix) {
					return usageError("%s is a %s file: give its run file (%s) or the run id",
						id, strings.TrimPrefix(strings.TrimSuffix(suffix, ".parquet"), "."),
						strings.TrimSuffix(id, suffix)+results.RunSuffix)
				}
			}
			if strings.HasSuffix(id, results.RunSuffix) && len(paths) == 0 {
				// A run file: the run it holds, with the files beside it.
				id, paths = strings.TrimSuffix(filepath.Base(id), results.RunSuffix), []string{id}
			}
			if len(paths) == 0 {
				paths = []string{"out/results"}
			}
			return runShow(cmd.OutOrStdout(), id, paths)
		},
	}
}

func runShow(w io.Writer, id string, paths []string) error {
	set, err := results.Read(paths...)
	if err != nil {
		return badInput(err)
	}
	r, err := set.FindRun(id)
	if err != nil {
		return badInput(err)
	}
	return results.ShowRun(w, set, r)
}
