package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clbench/clbench/bench"
	"github.com/clbench/clbench/results"
	"github.com/clbench/clbench/strategies"
	"github.com/clbench/clbench/tasks"
)

const runLong = `Run trains each strategy along the stream, once per seed, evaluating every
task after every step, and writes the results as Parquet into --out (one
<run>.cells.parquet with the accuracy matrix and one <run>.run.parquet with
the run's metrics, cost and provenance). It then prints the results of these
runs as a table.

A run already complete in --out is skipped (use --force to rerun it). A run
that fails is recorded as failed with its reason and the others go on; the
command then exits with status 1.

Strategy parameters are set with --param NAME.KEY=VALUE (repeatable), for
example --param ewc.lambda=100.`

type runOptions struct {
	stream     string
	streamFile string
	strategies string
	params     []string
	seeds      int
	shots      int
	out        string
	data       string
	modelSize  string
	backend    string
	epochs     int
	batchSize  int
	lr         float64
	maxTrain   int
	maxTest    int
	format     string
	failFast   bool
	force      bool

	stdout io.Writer
	logger *slog.Logger
}

func newRunCmd(g *globalOptions) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run strategies on a stream and write Parquet results",
		Long:  runLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.stdout = cmd.OutOrStdout()
			o.logger = g.logger()
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			return runRun(ctx, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.stream, "stream", "", "built-in stream to run (see clbench list streams)")
	f.StringVar(&o.streamFile, "stream-file", "", "YAML file defining a stream")
	f.StringVar(&o.strategies, "strategy", "finetune", "comma-separated strategies, or \"all\"")
	f.StringArrayVar(&o.params, "param", nil, "strategy parameter NAME.KEY=VALUE (repeatable)")
	f.IntVar(&o.seeds, "seeds", 1, "number of seeds (1..N)")
	f.IntVar(&o.shots, "shots", 0, "few-shot variant: keep N training examples of every task after the first")
	f.StringVar(&o.out, "out", "results", "output folder for Parquet results")
	f.StringVar(&o.data, "data", "", "data folder (default $CLBENCH_DATA, else the user cache)")
	f.StringVar(&o.modelSize, "model", "tiny", "model size: "+strings.Join(bench.ModelSizes(), ", "))
	f.StringVar(&o.backend, "backend", "go", "GoMLX backend configuration, e.g. go or xla:cpu")
	f.IntVar(&o.epochs, "epochs", bench.DefaultTrainConfig.Epochs, "epochs per task")
	f.IntVar(&o.batchSize, "batch-size", bench.DefaultTrainConfig.BatchSize, "training batch size")
	f.Float64Var(&o.lr, "lr", bench.DefaultTrainConfig.LearningRate, "Adam learning rate")
	f.IntVar(&o.maxTrain, "max-train", 0, "cap on training examples per task (0: the stream's own; -1: none)")
	f.IntVar(&o.maxTest, "max-test", 0, "cap on test examples per task (0: the stream's own; -1: none)")
	f.StringVar(&o.format, "format", "table", "table format: table, markdown, csv or json")
	f.BoolVar(&o.failFast, "fail-fast", false, "stop at the first failed run")
	f.BoolVar(&o.force, "force", false, "rerun runs already complete in --out")
	return cmd
}

func runRun(ctx context.Context, o *runOptions) error {
	suite, err := o.suite()
	if err != nil {
		return err
	}
	rep, err := suite.Run(ctx)
	if err != nil {
		return err
	}

	// The table of this command's runs, read back from what was written.
	set, err := results.Read(o.out)
	if err != nil {
		return err
	}
	mine := map[string]bool{}
	for _, r := range rep.Runs {
		mine[r.RunID] = true
	}
	set = onlyRuns(set, mine)
	if err := results.Render(o.stdout, results.Leaderboard(set), o.format); err != nil {
		return err
	}
	if len(rep.Failed) > 0 {
		for _, r := range rep.Failed {
			o.logger.Error("failed run", "strategy", r.Strategy, "stream", r.Stream,
				"seed", r.Seed, "id", r.RunID, "reason", r.Error)
		}
		return &exitError{code: 1, err: fmt.Errorf("%d of %d runs failed", len(rep.Failed), len(rep.Runs))}
	}
	return nil
}

// suite turns the options into a bench.Suite, checking all input first
// so that nothing runs when any of it is wrong.
func (o *runOptions) suite() (*bench.Suite, error) {
	if (o.stream == "") == (o.streamFile == "") {
		return nil, usageError("give exactly one of --stream and --stream-file")
	}
	if o.seeds < 1 {
		return nil, usageError("--seeds must be at least 1")
	}
	if o.shots < 0 {
		return nil, usageError("--shots must not be negative")
	}
	switch o.format {
	case "table", "markdown", "csv", "json":
	default:
		return nil, usageError("unknown --format %q (want table, markdown, csv or json)", o.format)
	}
	modelCfg, err := bench.ModelSize(o.modelSize)
	if err != nil {
		return nil, badInput(err)
	}
	train := bench.DefaultTrainConfig
	train.Epochs, train.BatchSize, train.LearningRate = o.epochs, o.batchSize, o.lr
	if err := train.Validate(); err != nil {
		return nil, badInput(err)
	}
	specs, err := o.strategySpecs()
	if err != nil {
		return nil, err
	}

	opts := tasks.Options{
		DataDir: tasks.DataDir(o.data), Shots: o.shots,
		MaxTrain: o.maxTrain, MaxTest: o.maxTest, Logger: o.logger,
	}
	name := o.stream
	load := func(seed int64) (*tasks.Stream, error) {
		opts := opts
		opts.Seed = seed
		if o.streamFile != "" {
			return tasks.LoadFile(o.streamFile, opts)
		}
		return tasks.Load(o.stream, opts)
	}
	if o.streamFile != "" {
		name = o.streamFile
	}
	// Load once now: bad data is reported before anything trains.
	first, err := load(1)
	if err != nil {
		return nil, badInput(err)
	}
	if o.shots == 0 {
		load = func(int64) (*tasks.Stream, error) { return first, nil }
	}

	backend, used, err := bench.NewBackend(o.backend)
	if err != nil {
		return nil, badInput(err)
	}
	seeds := make([]int64, o.seeds)
	for i := range seeds {
		seeds[i] = int64(i + 1)
	}
	return &bench.Suite{
		Streams:    []bench.StreamSpec{{Name: name, Shots: o.shots, Load: load}},
		Strategies: specs, Seeds: seeds, Model: modelCfg, Train: train,
		Backend: backend, BackendConfig: used, Out: o.out,
		FailFast: o.failFast, Force: o.force, Logger: o.logger,
	}, nil
}

// strategySpecs resolves --strategy and --param against the registry.
func (o *runOptions) strategySpecs() ([]bench.StrategySpec, error) {
	reg := strategies.Default
	names := strings.Split(o.strategies, ",")
	if o.strategies == "all" {
		names = reg.Names()
	}
	params := map[string]map[string]string{}
	for _, p := range o.params {
		key, value, ok := strings.Cut(p, "=")
		strat, k, ok2 := strings.Cut(key, ".")
		if !ok || !ok2 || strat == "" || k == "" {
			return nil, usageError("--param %q: want NAME.KEY=VALUE", p)
		}
		if params[strat] == nil {
			params[strat] = map[string]string{}
		}
		params[strat][k] = value
	}
	var specs []bench.StrategySpec
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		given := params[n]
		// Check now, so that a bad name or parameter fails before training.
		if _, cfg, err := reg.New(n, given); err != nil {
			return nil, badInput(err)
		} else {
			specs = append(specs, bench.StrategySpec{
				Name: n, Config: cfg,
				New: func() (bench.Strategy, error) {
					s, _, err := reg.New(n, given)
					return s, err
				},
			})
		}
	}
	for strat := range params {
		if !seen[strat] {
			return nil, usageError("--param names strategy %q, which is not being run", strat)
		}
	}
	if len(specs) == 0 {
		return nil, usageError("no strategy given")
	}
	return specs, nil
}

// onlyRuns keeps the runs (and their cells) whose ids are in keep.
func onlyRuns(set *results.Set, keep map[string]bool) *results.Set {
	out := &results.Set{Warnings: set.Warnings}
	for _, r := range set.Runs {
		if keep[r.RunID] {
			out.Runs = append(out.Runs, r)
		}
	}
	for _, c := range set.Cells {
		if keep[c.RunID] {
			out.Cells = append(out.Cells, c)
		}
	}
	return out
}
