package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clbench/clbench/results"
	"github.com/clbench/clbench/strategies"
	"github.com/clbench/clbench/tasks"
)

const reproduceLong = `Reproduce sets clbench's results beside a published table: a reference
file (YAML) names the paper, and for each of its rows the paper's method, the
clbench stream and strategy that stand for it, and the published ACC with its
standard error. Each row gets the mean ACC over the seeds of the matching
runs with its 95% interval, the difference in points, and whether it is
within the file's tolerance. The rows' notes, the differences of protocol and
the commands that made the runs follow.

The report goes to stdout, or with --report to a file (written whole or not
at all). docs/reproduction/ holds the reference of van de Ven and Tolias
(2019) and the suites of its runs; docs/REPRODUCTION.md is its report.`

type reproduceOptions struct {
	reference string
	report    string
	paths     []string
}

func newReproduceCmd() *cobra.Command {
	o := &reproduceOptions{}
	cmd := &cobra.Command{
		Use:   "reproduce --reference FILE DIR|FILE...",
		Short: "Set results beside a published table (docs/REPRODUCTION.md)",
		Long:  reproduceLong,
		Args:  atLeastOneArg("one or more results folders or files to set beside the reference"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.paths = args
			return runReproduce(cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.reference, "reference", "", "YAML file of the published table (required)")
	f.StringVar(&o.report, "report", "", "write the Markdown report to this file instead of stdout")
	return cmd
}

func runReproduce(stdout io.Writer, o *reproduceOptions) error {
	report, err := reproduceReport(o)
	if err != nil {
		return err
	}
	if o.report == "" {
		_, err := stdout.Write(report)
		return err
	}
	tmp := o.report + ".tmp"
	if err := os.WriteFile(tmp, report, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, o.report); err != nil {
		return fmt.Errorf("writing %s: %w", o.report, err)
	}
	return nil
}

// reproduceReport builds the Markdown report of o, whose header quotes
// the command that made it.
func reproduceReport(o *reproduceOptions) ([]byte, error) {
	if o.reference == "" {
		return nil, usageError("--reference is required")
	}
	ref, err := results.ReadReference(o.reference)
	if err != nil {
		return nil, badInput(fileError("--reference", o.reference, err))
	}
	if err := checkReferenceNames(ref); err != nil {
		return nil, badInput(err)
	}
	set, err := results.Read(o.paths...)
	if err != nil {
		return nil, badInput(err)
	}
	if len(set.Runs) == 0 {
		return nil, badInput(fmt.Errorf("no runs found in %s", strings.Join(o.paths, ", ")))
	}
	reps, err := results.Reproduce(set, ref)
	if err != nil {
		return nil, badInput(err)
	}
	command := "clbench reproduce --reference " + filepath.ToSlash(o.reference)
	if o.report != "" {
		command += " --report " + filepath.ToSlash(o.report)
	}
	command += " " + strings.Join(slashed(o.paths), " ")
	var buf bytes.Buffer
	if err := results.RenderReproduction(&buf, ref, reps, command); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// checkReferenceNames refuses a reference row whose stream is not built
// in or whose strategy is not registered: it could never match a run.
func checkReferenceNames(ref *results.Reference) error {
	streams := map[string]bool{}
	for _, s := range tasks.Streams() {
		streams[s.Name] = true
	}
	for _, row := range ref.Rows {
		at := fmt.Sprintf("%s:%d", ref.Path(), row.Line())
		if !streams[row.Stream] {
			return fmt.Errorf("%s: no built-in stream %q (clbench list streams)", at, row.Stream)
		}
		if _, ok := strategies.Default.Lookup(row.Strategy); !ok {
			return fmt.Errorf("%s: no strategy %q (clbench list strategies)", at, row.Strategy)
		}
	}
	return nil
}

func slashed(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.ToSlash(p)
	}
	return out
}
