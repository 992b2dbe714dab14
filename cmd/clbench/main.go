// Command clbench runs continual-learning strategies on standard task
// streams and reports how much each forgets and what it costs.
//
// Usage:
//
//	clbench run --stream synthetic --strategy finetune,joint --seeds 3
//	clbench run --suite suite.yaml --shard 1/4 --jobs 2
//	clbench leaderboard out/results [--report LEADERBOARD.md]
//	clbench compare OLD NEW
//	clbench validate out/results
//	clbench metrics --matrix R.csv
//	clbench list [streams|strategies|models|metrics] [NAME]
//
// Exit codes: 0 success; 1 a run failed (run), a regression (compare) or
// a problem found (validate); 2 bad input or usage; 130 stopped by
// SIGINT (Ctrl-C), 143 by SIGTERM, as a shell reports them.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/clbench/clbench/bench"
	_ "github.com/clbench/clbench/strategies" // registers the built-in strategies
)

// exitError carries the exit code an error should end the program with.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError marks bad input: exit code 2.
func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// atLeastOneArg is cobra.MinimumNArgs(1) saying what to give, in words.
func atLeastOneArg(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usageError("%s: give %s (see clbench %s --help)", cmd.Name(), what, cmd.Name())
		}
		return nil
	}
}

// badInput wraps an error about the user's input: exit code 2.
func badInput(err error) error { return &exitError{code: 2, err: err} }

func main() {
	os.Exit(execute(os.Args[1:]))
}

func execute(args []string) int {
	root := newRootCmd()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	fmt.Fprintln(os.Stderr, "clbench:", err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if errors.Is(err, context.Canceled) {
		return 130 // stopped by the user, as a shell reports SIGINT
	}
	return 2 // cobra's own errors are usage errors
}

// logOutput receives the logs; tests replace it.
var logOutput io.Writer = os.Stderr

type globalOptions struct {
	verbose bool
	quiet   bool
}

func (g *globalOptions) logger() *slog.Logger {
	level := slog.LevelInfo
	switch {
	case g.verbose:
		level = slog.LevelDebug
	case g.quiet:
		level = slog.LevelWarn
	}
	return slog.New(slog.NewTextHandler(logOutput, &slog.HandlerOptions{Level: level}))
}

func newRootCmd() *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:           "clbench",
		Short:         "A continual-learning benchmark for Transformer models",
		Version:       bench.Version + " (" + bench.GitCommit() + ")",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(flagError)
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "log every task and epoch")
	root.PersistentFlags().BoolVarP(&g.quiet, "quiet", "q", false, "log only warnings and errors")
	root.AddCommand(newRunCmd(g), newListCmd(), newLeaderboardCmd(), newMetricsCmd(),
		newCompareCmd(), newValidateCmd(), newReproduceCmd(), newShowCmd())
	return root
}

// flagError says what is wrong with a flag's value in words, without
// the Go parser's text (strconv.ParseFloat: parsing "x": invalid
// syntax) that pflag passes on. Other flag errors are usage errors as
// cobra words them.
func flagError(_ *cobra.Command, err error) error {
	var bad *pflag.InvalidValueError
	if !errors.As(err, &bad) {
		return usageError("%v", err)
	}
	f := bad.GetFlag()
	want := "a valid " + f.Value.Type()
	switch f.Value.Type() {
	case "int", "int32", "int64", "uint", "uint32", "uint64":
		want = "a whole number"
	case "float32", "float64":
		want = "a number, such as 0.001 or 1e-3"
	case "bool":
		want = "true or false"
	case "duration":
		want = "a duration, such as 30s or 5m"
	}
	var num *strconv.NumError
	if errors.As(err, &num) && errors.Is(num.Err, strconv.ErrRange) {
		return usageError("--%s %s: out of range (want %s)", f.Name, bad.GetValue(), want)
	}
	return usageError("--%s %q: want %s", f.Name, bad.GetValue(), want)
}
