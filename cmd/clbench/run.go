package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/gomlx/compute"
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

A suite file (--suite FILE, YAML; see "go doc ./bench SuiteFile") names
several streams, few-shot variants, strategies with parameters and seeds;
its runs go in a fixed order (streams, then shot counts, then strategies,
then seeds), and each has an id derived from its content. With --suite,
the flags that choose runs (--stream, --strategy, --param, --seeds,
--shots) are refused, and those of the protocol (--model, --backend,
--epochs, --iterations, --batch-size, --lr, --max-train, --max-test,
--data) override the file's values, with a warning.

A stream may carry its own protocol (the MNIST streams carry their
paper's: see "clbench list streams"): it is the default where neither a
flag nor the suite file chooses the model, the training length
(--epochs or --iterations), the batch size or the learning rate. The
flags' defaults shown below are those of the text streams.

--shard i/n runs a deterministic share of the runs (every n-th, from the
i-th), so that a batch system can spread a suite over machines; each run
writes its own files, and "clbench leaderboard" merges them. Without the
flag, the shard comes from the batch system's environment when set:
Kubernetes Indexed Jobs (JOB_COMPLETION_INDEX, with CLBENCH_SHARD_COUNT)
or Slurm job arrays (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT).

A run already complete in --out is skipped (use --force to rerun it, as
after a change to the code: a warning names runs kept from another
commit), and one that another process is running (its lock file is live)
is left to it and awaited at the end, so a killed suite resumes where it
was and two commands can share one folder. A running run refreshes its
lock file every 30 seconds; a lock not refreshed for 5 minutes, or whose
process on this host has ended, is taken as left by a killed process. A
run that fails (an error, a loss that is NaN or infinite) is recorded as
failed with its reason and the others go on; the failures are listed at
the end and the command exits with status 1 (--fail-fast starts no run
after the first).

Strategy parameters are set with --param NAME.KEY=VALUE (repeatable), for
example --param ewc.lambda=100.`

type runOptions struct {
	suiteFile  string
	shard      string
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
	iterations int
	batchSize  int
	lr         float64
	maxTrain   int
	maxTest    int
	format     string
	failFast   bool
	// diagnostics asks for the forgetting diagnostics of every run.
	diagnostics bool
	// pretrain names the corpus of the base encoder runs start from.
	pretrain string
	force    bool
	jobs     int

	stdout   io.Writer
	stderr   io.Writer
	logger   *slog.Logger
	getenv   func(string) string
	changed  func(flag string) bool
	progress func(bench.Progress)
}

func newRunCmd(g *globalOptions) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run strategies on a stream and write Parquet results",
		Long:  runLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.stdout, o.stderr = cmd.OutOrStdout(), cmd.ErrOrStderr()
			o.logger = g.logger()
			o.getenv = os.Getenv
			o.changed = cmd.Flags().Changed
			ctx, stop := signalContext(cmd.Context())
			defer stop()
			return stoppedBySignal(ctx, runRun(ctx, o))
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.suiteFile, "suite", "", "YAML suite file (streams, shots, strategies, seeds, model)")
	f.StringVar(&o.shard, "shard", "", "run only shard i/n of the runs (default: from the batch system, else all)")
	f.StringVar(&o.stream, "stream", "", "built-in stream to run (see clbench list streams)")
	f.StringVar(&o.streamFile, "stream-file", "", "YAML file defining a stream")
	f.StringVar(&o.strategies, "strategy", "finetune", "comma-separated strategies, or \"all\"")
	f.StringArrayVar(&o.params, "param", nil, "strategy parameter NAME.KEY=VALUE (repeatable)")
	f.IntVar(&o.seeds, "seeds", 1, "number of seeds (1..N)")
	f.IntVar(&o.shots, "shots", 0, "few-shot variant: keep N training examples of every task after the first")
	f.StringVar(&o.out, "out", "out/results", "output folder for Parquet results")
	f.StringVar(&o.data, "data", "", "data folder (default $CLBENCH_DATA, else the user cache)")
	f.StringVar(&o.modelSize, "model", "tiny", "model size: "+strings.Join(bench.ModelSizes(), ", "))
	f.StringVar(&o.backend, "backend", "go", "GoMLX backend: go (pure Go); in a -tags xla build "+
		"also xla, xla:cpu or xla:/abs/path/pjrt_c_api_cpu_plugin.so (see make xla)")
	f.IntVar(&o.epochs, "epochs", bench.DefaultTrainConfig.Epochs, "epochs per task")
	f.IntVar(&o.iterations, "iterations", 0, "training steps per task instead of epochs (0: by epochs)")
	f.IntVar(&o.batchSize, "batch-size", bench.DefaultTrainConfig.BatchSize, "training batch size")
	f.Float64Var(&o.lr, "lr", bench.DefaultTrainConfig.LearningRate, "Adam learning rate")
	f.IntVar(&o.maxTrain, "max-train", 0, "cap on training examples per task (0: the stream's own; -1: none)")
	f.IntVar(&o.maxTest, "max-test", 0, "cap on test examples per task (0: the stream's own; -1: none)")
	f.StringVar(&o.format, "format", "table", "table format: table, markdown, csv or json")
	f.BoolVar(&o.failFast, "fail-fast", false, "stop at the first failed run")
	f.StringVar(&o.pretrain, "pretrain", "", "start every run from an encoder pre-trained by masked-token "+
		"prediction on this corpus (fdu-mtl: FDU-MTL's unlabelled reviews), cached in $CLBENCH_CACHE "+
		"(default the user cache); runs then score the base's held-out text after every task")
	f.BoolVar(&o.diagnostics, "diagnostics", false, "after every task, measure why earlier tasks were "+
		"forgotten (parameter distance, attention drift, key-token mass, CKA, silent units) "+
		"into <run>.diagnostics.parquet")
	f.BoolVar(&o.force, "force", false, "rerun runs already complete in --out, taking over their locks")
	f.IntVar(&o.jobs, "jobs", 1, "runs at once (each uses about one core with the go backend; "+
		"peak memory is then the process's)")
	return cmd
}

// stopSignal is the cause of a context cancelled by a signal.
type stopSignal struct{ sig syscall.Signal }

func (s stopSignal) Error() string { return "stopped by " + signalName(s.sig) }

func signalName(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}

// signalContext returns a context cancelled, with a stopSignal as its
// cause, by the first SIGINT or SIGTERM; stop releases the signals.
func signalContext(parent context.Context) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			cancel(stopSignal{sig.(syscall.Signal)})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

// stoppedBySignal gives the error of a command that a signal stopped
// the exit code a shell reports for it: 128 plus the signal's number
// (130 for SIGINT, 143 for SIGTERM).
func stoppedBySignal(ctx context.Context, err error) error {
	var s stopSignal
	if err == nil || !errors.As(context.Cause(ctx), &s) {
		return err
	}
	return &exitError{code: 128 + int(s.sig), err: fmt.Errorf("%s (runs already complete are kept; "+
		"the same command resumes the others): %w", s, err)}
}

func runRun(ctx context.Context, o *runOptions) error {
	suite, err := o.suite()
	if err != nil {
		return err
	}
	if len(suite.Runs()) == 0 {
		o.logger.Warn("this shard has no runs: the suite has fewer runs than shards",
			"shard", suite.Shard, "of", suite.Shards)
	}
	update, finish := newProgress(o.stderr, o.logger, 30*time.Second)
	suite.Progress = update
	rep, err := suite.Run(ctx)
	finish()
	if err != nil {
		return err
	}

	// The table of this command's runs, read back from their own files
	// (other files in the folder are none of this command's business).
	var paths []string
	for _, r := range rep.Runs {
		for _, p := range []string{results.RunPath(o.out, r.RunID), results.CellsPath(o.out, r.RunID)} {
			if _, err := os.Stat(p); err == nil {
				paths = append(paths, p)
			}
		}
	}
	set := &results.Set{}
	if len(paths) > 0 {
		if set, err = results.Read(paths...); err != nil {
			return err
		}
	}
	entries := results.Leaderboard(set)
	if err := results.Render(o.stdout, entries, o.format); err != nil {
		return err
	}
	if missing := slices.ContainsFunc(entries, func(e results.Entry) bool {
		return e.LA.HasMean() && !e.Intransigence.HasMean() // joint has neither
	}); missing && !slices.ContainsFunc(rep.Runs, func(r results.Run) bool {
		return r.Strategy == results.ReferenceStrategy
	}) {
		o.logger.Info("intransigence is n/a without a "+results.ReferenceStrategy+" run of the "+
			"same seed: add "+results.ReferenceStrategy+" to --strategy (clbench leaderboard "+
			"also finds one run into the same folder before)", "folder", o.out)
	}
	if rep.Busy > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d runs were left to other processes that "+
			"were running them (their .lock files name them); the same command finishes any they "+
			"leave undone", rep.Busy)}
	}
	if len(rep.Failed) > 0 {
		for _, r := range rep.Failed {
			o.logger.Error("failed run", "strategy", r.Strategy, "stream", r.Stream,
				"seed", r.Seed, "id", r.RunID, "reason", r.Error)
		}
		msg := fmt.Sprintf("%d of %d runs failed", len(rep.Failed), len(rep.Runs))
		if rep.NotStarted > 0 {
			msg += fmt.Sprintf("; %d not started (--fail-fast stops at the first failure)", rep.NotStarted)
		}
		return &exitError{code: 1, err: errors.New(msg)}
	}
	return nil
}

// suite turns the options (and the suite file, if any) into a
// bench.Suite, checking all input first so that nothing runs when any of
// it is wrong.
func (o *runOptions) suite() (*bench.Suite, error) {
	sf, err := o.describe()
	if err != nil {
		return nil, err
	}
	switch o.format {
	case "table", "markdown", "csv", "json":
	default:
		return nil, usageError("unknown --format %q (want table, markdown, csv or json)", o.format)
	}
	if o.jobs < 1 {
		return nil, usageError("--jobs must be at least 1")
	}
	modelCfg, err := bench.ModelSize(sf.Model)
	if err != nil {
		return nil, badInput(err)
	}
	train := bench.DefaultTrainConfig
	train.Epochs, train.Iterations = sf.Epochs, sf.Iterations
	train.BatchSize, train.LearningRate = sf.BatchSize, sf.LR
	if err := train.Validate(); err != nil {
		return nil, badInput(err)
	}
	specs, err := o.strategySpecs(sf.Strategies, modelCfg)
	if err != nil {
		return nil, err
	}
	streams, err := o.streamSpecs(sf, modelCfg)
	if err != nil {
		return nil, err
	}
	if err := checkStreams(specs, streams); err != nil {
		return nil, err
	}
	backend, used, err := bench.NewBackend(sf.Backend)
	if err != nil {
		return nil, badInput(err)
	}
	shard, shards, err := o.shardOf()
	if err != nil {
		return nil, err
	}
	baseID, base, err := o.base(sf, modelCfg, backend, used)
	if err != nil {
		return nil, err
	}
	modelCfg.Base = baseID
	return &bench.Suite{
		Base:    base,
		Streams: streams, Strategies: specs, Seeds: sf.Seeds, Model: modelCfg, Train: train,
		Backend: backend, BackendConfig: used, Out: o.out, Shard: shard, Shards: shards,
		FailFast: o.failFast, Force: o.force, Jobs: o.jobs, Logger: o.logger,
		Diagnostics: o.diagnostics || sf.Diagnostics,
	}, nil
}

// base names the pre-trained encoder of --pretrain (or the suite
// file's pretrain) and returns what gets it when a run first needs it:
// from the cache folder, or pre-trained into it then. The id is "" and
// get nil when the runs start from a random encoder.
func (o *runOptions) base(sf *bench.SuiteFile, m bench.ModelConfig, backend compute.Backend,
	backendConfig string) (id string, get func(context.Context) (*bench.Base, error), err error) {
	name, from := sf.Pretrain, sf.Path+": pretrain" // where the choice was made, for errors
	if o.pretrain != "" {
		name, from = o.pretrain, "--pretrain"
	}
	if name == "" {
		return "", nil, nil
	}
	if m.IsMLP() {
		return "", nil, usageError("%s: the %s model reads images; only the Transformer pre-trains", from, m.Name)
	}
	corpus, err := tasks.LoadCorpus(name, tasks.DataDir(sf.Data))
	if err != nil {
		return "", nil, badInput(fmt.Errorf("%s %s: %w", from, name, err))
	}
	cfg := bench.DefaultPretrain
	cfg.Corpus = name
	get = func(ctx context.Context) (*bench.Base, error) {
		b, err := bench.LoadOrPretrain(ctx, bench.BaseCacheDir(), backend, backendConfig, m, cfg, corpus, o.logger)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", from, name, err)
		}
		return b, nil
	}
	return bench.BaseID(m, cfg, corpus.Digest, backendConfig), get, nil
}

// describe reads --suite, or makes the same description from the
// flags. With --suite, the flags that choose runs (--stream, --strategy,
// --seeds, ...) are refused; those that choose the protocol (--model,
// --epochs, ...) override the file when given.
func (o *runOptions) describe() (*bench.SuiteFile, error) {
	changed := o.changed
	if changed == nil {
		changed = func(string) bool { return false }
	}
	var sf *bench.SuiteFile
	if o.suiteFile != "" {
		for _, f := range []string{"stream", "stream-file", "strategy", "param", "seeds", "shots"} {
			if changed(f) {
				return nil, usageError("--%s cannot be used with --suite: the suite file says which runs to make", f)
			}
		}
		var err error
		if sf, err = bench.ReadSuiteFile(o.suiteFile); err != nil {
			return nil, badInput(fileError("--suite", o.suiteFile, err))
		}
	} else {
		if (o.stream == "") == (o.streamFile == "") {
			return nil, usageError("give exactly one of --stream, --stream-file and --suite")
		}
		if o.seeds < 1 {
			return nil, usageError("--seeds must be at least 1")
		}
		if o.shots < 0 {
			return nil, usageError("--shots must not be negative")
		}
		strategies, err := parseStrategyFlags(o.strategies, o.params)
		if err != nil {
			return nil, err
		}
		sf = &bench.SuiteFile{
			Streams:    []bench.SuiteStream{{Name: o.stream, File: o.streamFile, Shots: []int{o.shots}}},
			Strategies: strategies,
		}
		for i := 1; i <= o.seeds; i++ {
			sf.Seeds = append(sf.Seeds, int64(i))
		}
	}
	// Protocol: the flag when given, else the file, else the streams'
	// own protocol, else the flag's default.
	proto, err := streamsProtocol(sf)
	if err != nil {
		return nil, err
	}
	pick := func(flag string, fileValue bool) bool {
		if fileValue && changed(flag) && o.logger != nil {
			o.logger.Warn("a flag overrides the suite file", "flag", "--"+flag, "file", o.suiteFile)
		}
		return changed(flag) || !fileValue
	}
	if changed("epochs") && changed("iterations") {
		return nil, usageError("give --epochs or --iterations, not both")
	}
	if pick("model", sf.Model != "") {
		sf.Model = o.modelSize
		if !changed("model") && proto.Model != "" {
			sf.Model = proto.Model
		}
	}
	fileLength := sf.Iterations != 0 || sf.Epochs != 0
	if fileLength && (changed("iterations") || changed("epochs")) && o.logger != nil {
		o.logger.Warn("a flag overrides the suite file's training length", "file", o.suiteFile,
			"file_epochs", sf.Epochs, "file_iterations", sf.Iterations)
	}
	switch {
	case changed("iterations"):
		if o.iterations < 1 {
			return nil, usageError("--iterations must be at least 1")
		}
		sf.Iterations, sf.Epochs = o.iterations, 0
	case changed("epochs"):
		sf.Iterations, sf.Epochs = 0, o.epochs
	case sf.Iterations == 0 && sf.Epochs == 0 && proto.Iterations > 0:
		sf.Iterations = proto.Iterations
	case sf.Iterations == 0 && sf.Epochs == 0:
		sf.Epochs = o.epochs
	}
	if pick("backend", sf.Backend != "") {
		sf.Backend = o.backend
	}
	if pick("batch-size", sf.BatchSize != 0) {
		sf.BatchSize = o.batchSize
		if !changed("batch-size") && proto.BatchSize > 0 {
			sf.BatchSize = proto.BatchSize
		}
	}
	if pick("lr", sf.LR != 0) {
		sf.LR = o.lr
		if !changed("lr") && proto.LearningRate > 0 {
			sf.LR = proto.LearningRate
		}
	}
	if pick("max-train", sf.MaxTrain != 0) {
		sf.MaxTrain = o.maxTrain
	}
	if pick("max-test", sf.MaxTest != 0) {
		sf.MaxTest = o.maxTest
	}
	if pick("data", sf.Data != "") {
		sf.Data = o.data
	}
	for _, c := range []struct {
		name string
		v    int
	}{{"max-train", sf.MaxTrain}, {"max-test", sf.MaxTest}} {
		if c.v < -1 {
			return nil, usageError("--%s %d: want a cap above 0, 0 for the stream's own or -1 for none", c.name, c.v)
		}
	}
	return sf, nil
}

// streamsProtocol is the training protocol the suite's built-in
// streams share (tasks.StreamInfo.Protocol; zero for text streams and
// stream files). Streams with different protocols (an image stream
// and a text one, split and permuted MNIST) cannot share a suite, whose
// runs all train one way: the error says to split it.
func streamsProtocol(sf *bench.SuiteFile) (tasks.Protocol, error) {
	infos := map[string]tasks.StreamInfo{}
	for _, info := range tasks.Streams() {
		infos[info.Name] = info
	}
	var proto tasks.Protocol
	var from string
	for i, st := range sf.Streams {
		p := infos[st.Name].Protocol // zero for a stream file
		name := st.Name
		if name == "" {
			name = st.File
		}
		if i > 0 && p != proto {
			return tasks.Protocol{}, usageError("streams %s (%s) and %s (%s) are trained differently: "+
				"a suite's runs share one protocol, so run them in separate suites",
				from, protocolText(proto), name, protocolText(p))
		}
		proto, from = p, name
	}
	return proto, nil
}

// streamSpecs makes one StreamSpec per stream and shot count, loading
// each once now so that bad data, or a model that cannot read it, is
// reported before anything trains.
func (o *runOptions) streamSpecs(sf *bench.SuiteFile, model bench.ModelConfig) ([]bench.StreamSpec, error) {
	// Where the model was chosen, for the error of one that does not fit.
	from := "--model"
	if o.suiteFile != "" && (o.changed == nil || !o.changed("model")) {
		from = sf.Path
	}
	var specs []bench.StreamSpec
	for _, st := range sf.Streams {
		for _, shots := range st.Shots {
			opts := tasks.Options{
				DataDir: tasks.DataDir(sf.Data), Shots: shots,
				MaxTrain: sf.MaxTrain, MaxTest: sf.MaxTest, Logger: o.logger,
			}
			name, file := st.Name, st.File
			load := func(seed int64) (*tasks.Stream, error) {
				opts := opts
				opts.Seed = seed
				if file != "" {
					return tasks.LoadFile(file, opts)
				}
				return tasks.Load(name, opts)
			}
			first, err := load(1)
			if err != nil {
				where := "--stream-file"
				if o.suiteFile != "" {
					where = fmt.Sprintf("%s: line %d: stream file", sf.Path, st.Line)
				}
				if fe := fileError(where, file, err); fe != err || o.suiteFile == "" {
					return nil, badInput(fe)
				}
				return nil, badInput(fmt.Errorf("%s: line %d: %w", sf.Path, st.Line, err))
			}
			if err := bench.CheckModelFits(model, first); err != nil {
				return nil, usageError("%s: %v", from, err)
			}
			if shots == 0 { // the full stream does not depend on the seed
				load = func(int64) (*tasks.Stream, error) { return first, nil }
			}
			specs = append(specs, bench.StreamSpec{Name: first.Name, Shots: shots, Load: load})
		}
	}
	return specs, nil
}

// checkStreams asks each strategy that checks a stream (a ties file
// naming its tasks and labels) whether it can run on each stream, so
// that a mismatch is refused before anything trains rather than written
// as failed runs.
func checkStreams(specs []bench.StrategySpec, streams []bench.StreamSpec) error {
	for _, sp := range specs {
		s, err := sp.New()
		if err != nil {
			return badInput(err)
		}
		c, ok := s.(bench.StreamChecker)
		if !ok {
			continue
		}
		for _, st := range streams {
			stream, err := st.Load(1)
			if err != nil {
				return badInput(err)
			}
			if err := c.CheckStream(stream); err != nil {
				return badInput(fmt.Errorf("strategy %s on stream %s: %w", sp.Name, stream.Name, err))
			}
		}
	}
	return nil
}

// fileError says that the file at path, given as what (a flag, or
// where else it was named), cannot be read, when err is that, in
// words rather than as Go's "open PATH: ..." of an fs.PathError. Other
// errors come back as they are.
func fileError(what, path string, err error) error {
	var pe *fs.PathError
	if path == "" || !errors.As(err, &pe) || pe.Path != path {
		return err
	}
	sep := " "
	if strings.HasSuffix(what, "=") {
		sep = ""
	}
	why := "cannot read it: " + pe.Err.Error()
	switch {
	case errors.Is(pe.Err, fs.ErrNotExist):
		why = "no such file"
	case errors.Is(pe.Err, fs.ErrPermission):
		why = "not allowed to read it"
	}
	return fmt.Errorf("%s%s%s: %s", what, sep, path, why)
}

// shardOf returns the shard to run: --shard, else the batch system's
// environment, else all (0, 0).
func (o *runOptions) shardOf() (int, int, error) {
	if o.shard != "" {
		i, n, err := bench.ParseShard(o.shard)
		if err != nil {
			return 0, 0, usageError("--shard: %v", err)
		}
		o.logger.Info("shard from --shard", "shard", i, "of", n)
		return i, n, nil
	}
	getenv := o.getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	i, n, source, err := bench.ShardFromEnv(getenv)
	if err != nil {
		return 0, 0, badInput(err)
	}
	if source != "" {
		o.logger.Info("shard from the environment", "source", source, "shard", i, "of", n)
	}
	return i, n, nil
}

// parseStrategyFlags turns --strategy and --param into suite strategies.
func parseStrategyFlags(list string, params []string) ([]bench.SuiteStrategy, error) {
	names := strings.Split(list, ",")
	if list == "all" {
		names = strategies.Default.Names()
	}
	byName := map[string]map[string]string{}
	for _, p := range params {
		key, value, ok := strings.Cut(p, "=")
		strat, k, ok2 := strings.Cut(key, ".")
		if !ok || !ok2 || strat == "" || k == "" {
			return nil, usageError("--param %q: want NAME.KEY=VALUE", p)
		}
		if byName[strat] == nil {
			byName[strat] = map[string]string{}
		}
		byName[strat][k] = value
	}
	var out []bench.SuiteStrategy
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, bench.SuiteStrategy{Name: n, Params: byName[n]})
	}
	for strat := range byName {
		if !seen[strat] {
			return nil, usageError("--param names strategy %q, which is not being run", strat)
		}
	}
	if len(out) == 0 {
		return nil, usageError("no strategy given")
	}
	return out, nil
}

// strategySpecs resolves the suite's strategies against the registry,
// building each once now so that a bad name or parameter fails before
// anything trains.
//
// A strategy that cannot run on the model (one that works on
// Transformer blocks, on the mlp) is an error, except under
// --strategy all, which then means every strategy that can.
func (o *runOptions) strategySpecs(list []bench.SuiteStrategy, model bench.ModelConfig) ([]bench.StrategySpec, error) {
	reg := strategies.Default
	all := o.suiteFile == "" && o.strategies == "all"
	var specs []bench.StrategySpec
	var left []string
	for _, st := range list {
		// A suite file's strategy is named by its file and line.
		fromSuite := o.suiteFile != "" && st.Line > 0
		where := func(err error) error {
			if fromSuite {
				return fmt.Errorf("%s: line %d: %w", o.suiteFile, st.Line, err)
			}
			return err
		}
		// File parameters: in a suite file, relative to its folder.
		given := maps.Clone(st.Params)
		var files []string
		if info, ok := reg.Lookup(st.Name); ok {
			for _, p := range info.Params {
				if p.File {
					files = append(files, p.Name)
				}
			}
		}
		for _, k := range files {
			if v := given[k]; v != "" && v != "none" && !filepath.IsAbs(v) && fromSuite {
				given[k] = filepath.Join(filepath.Dir(o.suiteFile), v)
			}
		}
		s, cfg, err := reg.New(st.Name, given)
		if err != nil {
			// A file parameter that cannot be read: say which.
			for k, v := range given {
				what := fmt.Sprintf("strategy %q: parameter %s=", st.Name, k)
				if fe := fileError(what, v, err); fe != err {
					missing := errors.Is(err, fs.ErrNotExist)
					err = fe
					if wd, werr := os.Getwd(); werr == nil && !filepath.IsAbs(v) && missing && !fromSuite {
						// On the command line a relative path is read from
						// where clbench runs (from a suite, the path shown
						// already names the suite's folder).
						err = fmt.Errorf("%w (a relative path is read from the working "+
							"directory, %s)", fe, wd)
					}
					break
				}
			}
			return nil, badInput(where(err))
		}
		// A file is recorded by its base name; its content by the
		// strategy's Config (a hash), so that where it lies does not
		// change the run's identity.
		for _, k := range files {
			if v := cfg[k]; v != "" && v != "none" {
				cfg[k] = filepath.Base(v)
			}
		}
		if err := bench.CheckStrategy(s, model); err != nil {
			if all {
				left = append(left, st.Name)
				continue
			}
			return nil, badInput(where(err))
		}
		// What the strategy reports of itself beyond its parameters (the
		// hash of a file it read) is part of the run's identity too.
		if c, ok := s.(bench.Configurable); ok {
			for k, v := range c.Config() {
				cfg[k] = fmt.Sprint(v)
			}
		}
		name := st.Name
		specs = append(specs, bench.StrategySpec{
			Name: name, Config: cfg,
			New: func() (bench.Strategy, error) {
				s, _, err := reg.New(name, given)
				return s, err
			},
		})
	}
	if len(left) > 0 && o.logger != nil {
		o.logger.Info("--strategy all leaves out the strategies that cannot run on the model",
			"model", model.Name, "left_out", strings.Join(left, ","))
	}
	return specs, nil
}
