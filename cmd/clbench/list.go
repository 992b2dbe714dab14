package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/clbench/clbench/bench"
	"github.com/clbench/clbench/metrics"
	"github.com/clbench/clbench/strategies"
	"github.com/clbench/clbench/tasks"
)

func newListCmd() *cobra.Command {
	return &cobra.Command{
		Use:       "list streams|strategies|metrics",
		Short:     "List the built-in streams, the strategies or the metrics",
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"streams", "strategies", "metrics"},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runList(cmd.OutOrStdout(), args[0])
		},
	}
}

// protocolText says how a stream trains by default: its own protocol,
// or the bench's defaults.
func protocolText(p tasks.Protocol) string {
	d := bench.DefaultTrainConfig
	model, batch, lr := "tiny", d.BatchSize, d.LearningRate
	length := fmt.Sprintf("%d epochs", d.Epochs)
	if p.Model != "" {
		model = p.Model
	}
	if p.Iterations > 0 {
		length = fmt.Sprintf("%d iterations", p.Iterations)
	}
	if p.BatchSize > 0 {
		batch = p.BatchSize
	}
	if p.LearningRate > 0 {
		lr = p.LearningRate
	}
	return fmt.Sprintf("%s, %s, batch %d, lr %g", model, length, batch, lr)
}

func runList(w io.Writer, what string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	switch what {
	case "streams":
		fmt.Fprintln(tw, "STREAM\tVERSION\tTASKS\tDATA\tPROTOCOL\tDESCRIPTION")
		for _, s := range tasks.Streams() {
			data := "built in"
			if s.NeedsData {
				data = "data folder"
			}
			if len(s.Specs) > 0 && strings.HasPrefix(s.Specs[0].Train, "mnist/") {
				data = "Go module"
			}
			names := s.Tasks
			if len(names) > 6 {
				names = []string{names[0], "...", fmt.Sprintf("%s (%d tasks)", names[len(names)-1], len(names))}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.Version,
				strings.Join(names, " -> "), data, protocolText(s.Protocol), s.Description)
		}
	case "strategies":
		fmt.Fprintln(tw, "STRATEGY\tFAMILY\tPARAMETERS\tDESCRIPTION")
		for _, s := range strategies.Default.All() {
			var ps []string
			for _, p := range s.Params {
				ps = append(ps, p.Name+"="+p.Default)
			}
			params := strings.Join(ps, " ")
			if params == "" {
				params = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, s.Family, params, s.Summary)
		}
	case "metrics":
		fmt.Fprintln(tw, "METRIC\tKEY\tBETTER\tDEFINITION\tSOURCE")
		for _, m := range metrics.All() {
			better := "lower"
			if m.HigherIsBetter {
				better = "higher"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.Name, m.Key, better, m.Formula, m.Source)
		}
	default:
		return usageError("list what? want streams, strategies or metrics, got %q", what)
	}
	return tw.Flush()
}
