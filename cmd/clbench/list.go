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

// listKinds are the things clbench list lists, in the order a bare
// "clbench list" shows them.
var listKinds = []string{"streams", "strategies", "models", "metrics"}

const listLong = `List shows the built-in streams, the strategies with their parameters'
defaults, the model sizes and the metrics; with no argument, all four.
"clbench list strategies NAME" shows one strategy's parameters, each with
its default and what it does.`

func newListCmd() *cobra.Command {
	return &cobra.Command{
		Use:       "list [streams|strategies|models|metrics] [NAME]",
		Short:     "List the built-in streams, the strategies, the models or the metrics",
		Long:      listLong,
		Args:      cobra.MaximumNArgs(2),
		ValidArgs: listKinds,
		RunE: func(cmd *cobra.Command, args []string) error {
			w := cmd.OutOrStdout()
			switch len(args) {
			case 0:
				for i, what := range listKinds {
					if i > 0 {
						fmt.Fprintln(w)
					}
					if err := runList(w, what); err != nil {
						return err
					}
				}
				return nil
			case 2:
				if args[0] != "strategies" {
					return usageError("list %s %s: only strategies take a NAME; "+
						"clbench list %s lists them all", args[0], args[1], args[0])
				}
				return listStrategy(w, args[1])
			}
			return runList(w, args[0])
		},
	}
}

// listStrategy shows one strategy: its family, what it does, and each
// parameter with its default and its meaning.
func listStrategy(w io.Writer, name string) error {
	info, ok := strategies.Default.Lookup(name)
	if !ok {
		return usageError("list strategies %s: unknown strategy (known: %s)", name,
			strings.Join(strategies.Default.Names(), ", "))
	}
	fmt.Fprintf(w, "%s (%s): %s\n", info.Name, info.Family, info.Summary)
	if len(info.Params) == 0 {
		fmt.Fprintln(w, "\nno parameters")
		return nil
	}
	fmt.Fprintf(w, "\nparameters (set with --param %s.NAME=VALUE):\n", info.Name)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PARAMETER\tDEFAULT\tDESCRIPTION")
	for _, p := range info.Params {
		doc := p.Doc
		if doc == "" {
			doc = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Name, p.Default, doc)
	}
	return tw.Flush()
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
	case "models":
		fmt.Fprintln(tw, "MODEL\tREADS\tLAYERS\tWIDTH\tHEADS\tFFN\tMAX TOKENS\tBUCKETS")
		for _, name := range bench.ModelSizes() {
			m, _ := bench.ModelSize(name)
			if m.IsMLP() {
				fmt.Fprintf(tw, "%s\timages\t%d\t%d\t-\t-\t-\t-\n", m.Name, m.Layers, m.Width)
				continue
			}
			fmt.Fprintf(tw, "%s\ttext\t%d\t%d\t%d\t%d\t%d\t%d\n", m.Name, m.Layers, m.Width,
				m.Heads, m.FFN, m.MaxLen, m.Buckets)
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
		return usageError("list %s: want streams, strategies, models or metrics (or nothing, for all)", what)
	}
	return tw.Flush()
}
