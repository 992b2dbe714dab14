package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/clbench/clbench/metrics"
)

const metricsLong = `Metrics computes every metric from an accuracy matrix file: T lines of T
comma-separated scores in [0, 1], line i holding the scores after training
task i, column j the score on task j; cells above the diagonal may be empty,
and any cell may be NaN: both mean "not measured".
--untrained is one line of T scores of the untrained model (needed for FWT);
--reference one line of T scores of the reference run's diagonal (needed for
intransigence). A metric the inputs cannot define is n/a (null in JSON).`

type metricsOptions struct {
	matrix, untrained, reference, format string
}

func newMetricsCmd() *cobra.Command {
	o := &metricsOptions{}
	cmd := &cobra.Command{
		Use:   "metrics --matrix R.csv",
		Short: "Compute every metric from an accuracy matrix file",
		Long:  metricsLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runMetrics(cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.matrix, "matrix", "", "accuracy matrix CSV file (required)")
	f.StringVar(&o.untrained, "untrained", "", "untrained model's scores, one line of T numbers")
	f.StringVar(&o.reference, "reference", "", "reference scores a*_k, one line of T numbers")
	f.StringVar(&o.format, "format", "table", "table or json")
	return cmd
}

func runMetrics(w io.Writer, o *metricsOptions) error {
	if o.matrix == "" {
		return usageError("--matrix is required")
	}
	if o.format != "table" && o.format != "json" {
		return usageError("unknown --format %q (want table or json)", o.format)
	}
	r, err := readFile("--matrix", o.matrix, func(f io.Reader) (metrics.Matrix, error) {
		return metrics.ParseMatrixCSV(f, o.matrix)
	})
	if err != nil {
		return badInput(err)
	}
	vector := func(flag, path string) ([]float64, error) {
		if path == "" {
			return nil, nil
		}
		return readFile(flag, path, func(f io.Reader) ([]float64, error) {
			return metrics.ParseVectorCSV(f, path, r.T())
		})
	}
	b, err := vector("--untrained", o.untrained)
	if err != nil {
		return badInput(err)
	}
	ref, err := vector("--reference", o.reference)
	if err != nil {
		return badInput(err)
	}
	sum := metrics.Compute(r, b, ref)
	if o.format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(sum)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "METRIC\tVALUE")
	for _, row := range []struct {
		name string
		v    metrics.Value
	}{
		{"ACC", sum.ACC}, {"BWT", sum.BWT}, {"FWT", sum.FWT}, {"Forgetting", sum.Forgetting},
		{"Intransigence", sum.Intransigence}, {"LA", sum.LA},
	} {
		value := "n/a"
		if row.v.Defined {
			value = fmt.Sprintf("%.4f", row.v.X)
		}
		fmt.Fprintf(tw, "%s\t%s\n", row.name, value)
	}
	return tw.Flush()
}

// readFile parses the file at path, given with flag.
func readFile[T any](flag, path string, parse func(io.Reader) (T, error)) (T, error) {
	var zero T
	f, err := os.Open(path)
	if err != nil {
		return zero, fileError(flag, path, err)
	}
	defer f.Close()
	return parse(f)
}
