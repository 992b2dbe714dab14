package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/clbench/clbench/results"
)

type leaderboardOptions struct {
	paths  []string
	format string
	out    string
}

func newLeaderboardCmd() *cobra.Command {
	o := &leaderboardOptions{}
	cmd := &cobra.Command{
		Use:   "leaderboard DIR|FILE...",
		Short: "Merge result folders and print each metric as mean and 95% interval over seeds",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.paths = args
			return runLeaderboard(cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	cmd.Flags().StringVar(&o.format, "format", "table", "table, markdown, csv or json")
	cmd.Flags().StringVar(&o.out, "out", "", "write the table to this file instead of stdout")
	return cmd
}

func runLeaderboard(stdout, stderr io.Writer, o *leaderboardOptions) error {
	set, err := results.Read(o.paths...)
	if err != nil {
		return badInput(err)
	}
	for _, w := range set.Warnings {
		fmt.Fprintln(stderr, "warning:", w)
	}
	if len(set.Runs) == 0 {
		return badInput(fmt.Errorf("no runs found in %v", o.paths))
	}
	w := stdout
	var f *os.File
	if o.out != "" {
		if f, err = os.Create(o.out); err != nil {
			return err
		}
		w = f
	}
	if err := results.Render(w, results.Leaderboard(set), o.format); err != nil {
		if f != nil {
			f.Close()
		}
		return badInput(err)
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

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}
