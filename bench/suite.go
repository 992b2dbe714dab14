package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gomlx/compute"

	"github.com/clbench/clbench/metrics"
	"github.com/clbench/clbench/results"
	"github.com/clbench/clbench/tasks"
)

// StreamSpec names a stream and loads it for a seed (few-shot variants
// sample their examples with the run's seed).
type StreamSpec struct {
	Name  string
	Shots int
	Load  func(seed int64) (*tasks.Stream, error)
}

// StrategySpec names a strategy with its full configuration (defaults
// filled in) and makes a fresh instance for each run.
type StrategySpec struct {
	Name   string
	Config map[string]string
	New    func() (Strategy, error)
}

// Suite is streams x strategies x seeds under one model, protocol and
// backend. Each run is written to Out as soon as it ends.
type Suite struct {
	Streams       []StreamSpec
	Strategies    []StrategySpec
	Seeds         []int64
	Model         ModelConfig
	Train         TrainConfig
	Backend       compute.Backend
	BackendConfig string
	Out           string
	// Shard and Shards select a deterministic share of the runs: the
	// runs whose index in Runs is Shard-1 modulo Shards. Zero means all.
	Shard, Shards int
	// FailFast stops the suite at the first failed run: no run starts
	// after it, and runs already going (with Jobs > 1) finish.
	FailFast bool
	// Force reruns runs that are already complete in Out, and takes over
	// the locks of runs another process seems to hold.
	Force bool
	// Diagnostics asks every run for its forgetting diagnostics
	// (RunSpec.Diagnostics), written beside its cells. They are not part
	// of a run's identity: a run already complete is skipped whether or
	// not it measured them (Force reruns it).
	Diagnostics bool
	// Base, when set, gives the pre-trained encoder every run starts
	// from (Model.Base names it). It is called once, by the first run
	// that is not already complete, so that a suite whose runs are all
	// done never pre-trains.
	Base     func(context.Context) (*Base, error)
	baseOnce sync.Once
	base     *Base
	baseErr  error
	// Jobs is how many runs go at once (each run uses one core with the
	// default backend); 0 or 1 runs them one after another.
	Jobs int
	// Progress, when set, is told what the suite is doing.
	Progress func(Progress)
	Logger   *slog.Logger
}

// RunRef is one run of a suite, before it is run.
type RunRef struct {
	Index    int // position in the suite's order, from 0
	Stream   StreamSpec
	Strategy StrategySpec
	Seed     int64
}

// Runs expands the suite in its fixed order: streams (each few-shot
// variant being a stream of its own), then strategies, then seeds, all
// in the order given. With Shards set, it keeps the suite's share for
// Shard: every Shards-th run, starting at run Shard-1, so that shards
// 1..n cover every run exactly once.
func (s *Suite) Runs() []RunRef {
	var refs []RunRef
	for _, ss := range s.Streams {
		for _, st := range s.Strategies {
			for _, seed := range s.Seeds {
				i := len(refs)
				refs = append(refs, RunRef{Index: i, Stream: ss, Strategy: st, Seed: seed})
			}
		}
	}
	if s.Shards <= 1 {
		return refs
	}
	var mine []RunRef
	for _, r := range refs {
		if r.Index%s.Shards == s.Shard-1 {
			mine = append(mine, r)
		}
	}
	return mine
}

// Report lists what a suite did.
type Report struct {
	Runs    []results.Run // every run of the suite (or shard), done now or before
	Skipped int           // runs already complete in Out
	Busy    int           // runs another process was running
	Failed  []results.Run
	// NotStarted counts the runs FailFast left unstarted after a
	// failure.
	NotStarted int
}

// Run executes the suite's runs (or its shard's) in order. A run already
// complete in Out is skipped; one that another live process holds the
// lock of is left to it; a failed run is recorded as failed and the
// suite goes on (unless FailFast).
func (s *Suite) Run(ctx context.Context) (*Report, error) {
	logger := s.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := checkWritable(s.Out); err != nil {
		return nil, err
	}
	refs := s.Runs()
	jobs := max(s.Jobs, 1)
	outcomes := make([]runOutcome, len(refs))
	var (
		mu       sync.Mutex
		finished int
		stop     bool // FailFast: start no more runs
	)
	report := func(p Progress, n int, label string) {
		if s.Progress == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if p.Done {
			finished++
		}
		p.Run, p.Runs, p.Label, p.Finished = n+1, len(refs), label, finished
		s.Progress(p)
	}

	// Runs go to jobs workers in the suite's order; the report keeps
	// that order whatever order they finish in.
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	for n, ref := range refs {
		// Wait for a free worker before looking at stop: a run that
		// fails while this one waits must keep it from starting.
		sem <- struct{}{}
		mu.Lock()
		halt := stop
		mu.Unlock()
		if halt || ctx.Err() != nil {
			<-sem
			if halt {
				logger.Warn("--fail-fast: a run failed, so the remaining runs are not started",
					"not_started", len(refs)-n)
			}
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			o := s.runRef(ctx, n, len(refs), ref, logger, report)
			outcomes[n] = o
			if o.run != nil && o.run.Status != results.StatusOK && s.FailFast {
				mu.Lock()
				stop = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()

	// Runs that another process held (two commands sharing a folder):
	// wait for it to finish each, and take it over if its lock goes
	// stale, so that the suite is complete when this command ends.
	for n, o := range outcomes {
		if !o.busy || stop || ctx.Err() != nil {
			continue
		}
		logger.Info("another process is running this run; waiting for it to finish", "run", n+1,
			"of", len(refs), "id", o.id, "lock", o.lock)
		for outcomes[n].busy && ctx.Err() == nil {
			select {
			case <-ctx.Done():
			case <-time.After(busyPoll):
				// Only a lock that is gone or stale is worth the run's
				// stream being loaded again: the run is then complete
				// (skipped), or this process takes it over.
				if liveLock(s.Out, o.id) == "" {
					outcomes[n] = s.runRef(ctx, n, len(refs), refs[n], logger, report)
				}
			}
		}
	}

	rep := &Report{}
	var otherBuilds []string // of the runs kept from another build or commit
	var stopped stoppedError // every run the context stopped, not only the first
	for _, o := range outcomes {
		var se stoppedError
		if errors.As(o.err, &se) {
			stopped.runs, stopped.err = append(stopped.runs, se.runs...), se.err
			continue
		} else if o.err != nil {
			return rep, o.err
		}
		if o.skipped && o.run != nil && (o.run.Build != Build() || o.run.GitCommit != GitCommit()) {
			otherBuilds = append(otherBuilds, o.run.GitCommit)
		}
		switch {
		case o.busy:
			rep.Busy++
		case o.run == nil: // not started (fail-fast, or stopped)
			rep.NotStarted++
		default:
			if o.skipped {
				rep.Skipped++
			}
			rep.Runs = append(rep.Runs, *o.run)
			if o.run.Status != results.StatusOK {
				rep.Failed = append(rep.Failed, *o.run)
			}
		}
	}
	if len(stopped.runs) > 0 {
		return rep, stopped
	}
	if len(otherBuilds) > 0 {
		// A run's id leaves the build out, so that a rebuild resumes a
		// suite; after a change to the code, the runs kept are the old
		// code's.
		slices.Sort(otherBuilds)
		logger.Warn("runs already complete were made by another build or commit and kept, "+
			"not rerun; --force reruns them with this one", "kept", len(otherBuilds),
			"their_commits", strings.Join(slices.Compact(otherBuilds), ","), "this_commit", GitCommit())
	}
	return rep, ctx.Err()
}

// runOutcome is what became of one run of a suite.
type runOutcome struct {
	run     *results.Run
	skipped bool   // already complete in Out
	busy    bool   // another process holds its lock
	id      string // the run's id, when busy
	lock    string // who holds its lock, when busy
	err     error
}

// busyPoll is how often a suite looks again at a run that another
// process holds; a variable so that tests can shorten it.
var busyPoll = 2 * time.Second

// runRef does one run of the suite: skip it when complete, leave it when
// another process holds it, else run it and write it.
func (s *Suite) runRef(ctx context.Context, n, total int, ref RunRef, logger *slog.Logger,
	report func(Progress, int, string)) runOutcome {
	stream, err := ref.Stream.Load(ref.Seed)
	if err != nil {
		return runOutcome{err: fmt.Errorf("loading stream %s (seed %d): %w", ref.Stream.Name, ref.Seed, err)}
	}
	row := s.newRow(stream, ref.Stream.Shots, ref.Strategy, ref.Seed)
	label := fmt.Sprintf("%s on %s, seed %d", ref.Strategy.Name, streamLabel(stream.Name, ref.Stream.Shots), ref.Seed)
	progress := func(p Progress) { report(p, n, label) }
	if !s.Force {
		if done, ok := s.completed(row.RunID); ok {
			logger.Info("already complete, skipping", "run", n+1, "of", total, "what", label, "id", row.RunID)
			clearStaleLock(s.Out, row.RunID) // left by a process killed as it finished the run
			if _, err := os.Stat(results.DiagnosticsPath(s.Out, row.RunID)); s.Diagnostics && err != nil {
				logger.Warn("a run already complete has no diagnostics; --force reruns it to measure them",
					"what", label, "id", row.RunID)
			}
			progress(Progress{Done: true})
			return runOutcome{run: &done, skipped: true}
		}
	}
	if owner := liveLock(s.Out, row.RunID); s.Force && owner != "" {
		logger.Warn("--force takes over the lock of a run that a live process holds: both "+
			"run it, and the last to finish writes its results", "what", label, "id", row.RunID,
			"holder", owner)
	}
	unlock, err := lockRun(s.Out, row.RunID, s.Force)
	if errors.Is(err, errBusy) {
		logger.Debug("another process holds its lock", "what", label, "id", row.RunID, "lock", err)
		return runOutcome{busy: true, id: row.RunID, lock: err.Error()}
	} else if err != nil {
		return runOutcome{err: err}
	}
	defer unlock()
	logger.Info("run", "run", n+1, "of", total, "what", label, "id", row.RunID)
	done, err := s.runOne(ctx, stream, ref.Strategy, ref.Seed, row, logger.With("run", label), progress)
	if err != nil && ctx.Err() != nil {
		return runOutcome{err: stoppedError{[]string{label}, err}}
	} else if err != nil {
		return runOutcome{err: fmt.Errorf("%s: writing results: %w", label, err)}
	}
	progress(Progress{Done: true})
	if done.Status != results.StatusOK {
		logger.Error("run failed", "what", label, "reason", firstLine(done.Error))
	}
	return runOutcome{run: &done}
}

func streamLabel(name string, shots int) string {
	if shots == 0 {
		return name
	}
	return fmt.Sprintf("%s (%d shots)", name, shots)
}

// completed returns the run already in Out under id, if it succeeded.
func (s *Suite) completed(id string) (results.Run, bool) {
	path := filepath.Join(s.Out, id+".run.parquet")
	if _, err := os.Stat(path); err != nil {
		return results.Run{}, false
	}
	set, err := results.Read(path)
	if err != nil || len(set.Runs) != 1 || set.Runs[0].Status != results.StatusOK {
		return results.Run{}, false
	}
	return set.Runs[0], true
}

// runOne trains and evaluates one run and writes it, failed or not.
func (s *Suite) runOne(ctx context.Context, stream *tasks.Stream, st StrategySpec, seed int64,
	row results.Run, logger *slog.Logger, progress func(Progress)) (results.Run, error) {
	row.StartTime = time.Now().UTC()
	var out *Outcome
	strategy, err := st.New()
	var base *Base
	if err == nil && s.Base != nil {
		s.baseOnce.Do(func() { s.base, s.baseErr = s.Base(ctx) })
		base, err = s.base, s.baseErr
	}
	if err == nil {
		out, err = Run(ctx, RunSpec{
			Stream: stream, Strategy: strategy, Seed: seed, Model: s.Model,
			Train: s.Train, Backend: s.Backend, Logger: logger, Progress: progress,
			SharedProcess: s.Jobs > 1, Diagnostics: s.Diagnostics, Base: base,
		})
	}
	if err != nil && ctx.Err() != nil {
		// Stopped by the user (Ctrl-C, SIGTERM): the run did not fail,
		// so nothing is recorded and a later suite reruns it.
		return row, ctx.Err()
	}
	if err != nil {
		row.Status = results.StatusFailed
		row.Error = err.Error()
		row.WallSeconds = time.Since(row.StartTime).Seconds()
		return row, results.WriteRun(s.Out, row, nil)
	}

	row.Status = results.StatusOK
	sum := metrics.Compute(metrics.Matrix(out.R), out.Untrained, nil)
	row.ACC, row.BWT, row.FWT = sum.ACC.Ptr(), sum.BWT.Ptr(), sum.FWT.Ptr()
	row.Forgetting, row.LA = sum.Forgetting.Ptr(), sum.LA.Ptr()
	c := out.Cost
	row.WallSeconds, row.TrainSeconds, row.EvalSeconds = c.WallSeconds, c.TrainSeconds, c.EvalSeconds
	row.ExamplesPerSecond = c.ExamplesPerSecond
	row.PeakMemoryBytes = c.PeakMemoryBytes
	row.TrainableParams, row.BaseParams = c.TrainableParams, c.BaseParams
	row.ParamsAddedPct = 100 * float64(c.ParamsAdded) / float64(c.BaseParams)
	row.ExamplesStored = c.ExamplesStored
	if err := s.writeDiagnostics(row, stream, out); err != nil {
		return row, err
	}
	return row, results.WriteRun(s.Out, row, cells(row, stream, out))
}

// taskName names task j (from 1) of stream; task 0 is the base's
// general text.
func taskName(stream *tasks.Stream, j int) string {
	if j == 0 {
		return "general text"
	}
	return stream.Tasks[j-1].Name
}

// writeDiagnostics writes a run's diagnostics before its run file, or,
// when it measured none, removes those of an earlier version of the
// run, which would no longer describe it.
func (s *Suite) writeDiagnostics(r results.Run, stream *tasks.Stream, out *Outcome) error {
	if len(out.Diagnostics) == 0 {
		err := os.Remove(results.DiagnosticsPath(s.Out, r.RunID))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	rows := make([]results.Diagnostic, 0, len(out.Diagnostics))
	for _, d := range out.Diagnostics {
		rows = append(rows, results.Diagnostic{
			RunID: r.RunID, Stream: r.Stream, StreamVersion: r.StreamVersion,
			Strategy: r.Strategy, Seed: r.Seed, Shots: r.Shots, Backend: r.Backend,
			AfterTask: int32(d.AfterTask), Task: int32(d.Task), TaskName: taskName(stream, d.Task),
			Name: d.Name, Group: d.Group, Value: d.Value.Ptr(),
		})
	}
	return results.WriteDiagnostics(s.Out, r.RunID, rows)
}

// newRow fills a run's identity and provenance.
func (s *Suite) newRow(stream *tasks.Stream, shots int, st StrategySpec, seed int64) results.Run {
	names := make([]string, len(stream.Tasks))
	sizes := make([]string, len(stream.Tasks))
	for i, t := range stream.Tasks {
		names[i] = t.Name
		sizes[i] = fmt.Sprintf("%d/%d", len(t.Train), len(t.Test))
	}
	row := results.Run{
		Stream: stream.Name, StreamVersion: stream.Version, StreamDigest: stream.Digest,
		Strategy: st.Name, StrategyConfig: canonicalJSON(st.Config),
		Seed: seed, Shots: int64(shots), NumTasks: int32(len(stream.Tasks)),
		TaskNames: strings.Join(names, ","), TaskSizes: strings.Join(sizes, ","), Backend: s.BackendConfig, Build: Build(),
		ModelConfig: canonicalJSON(s.Model), TrainConfig: canonicalJSON(s.Train),
		ClbenchVersion: Version, GitCommit: GitCommit(), GoVersion: runtime.Version(), Host: Host(),
	}
	row.RunID = RunID(row)
	return row
}

// RunID derives a run's id from its content: the same stream data,
// strategy and configuration, seed, model, protocol and backend give
// the same id on every machine.
func RunID(r results.Run) string {
	h := sha256.New()
	for _, part := range []string{
		r.Stream, r.StreamVersion, r.StreamDigest, fmt.Sprint(r.Shots), r.Strategy,
		r.StrategyConfig, fmt.Sprint(r.Seed), r.ModelConfig, r.TrainConfig, r.Backend,
	} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// cells turns R (and the untrained row, as after_task 0) into rows.
func cells(r results.Run, stream *tasks.Stream, out *Outcome) []results.Cell {
	var cs []results.Cell
	add := func(after int, row []float64) {
		for j, score := range row {
			if math.IsNaN(score) {
				continue
			}
			t := stream.Tasks[j]
			name := "accuracy"
			if t.Kind == tasks.Tag {
				name = "entity_f1"
			}
			cs = append(cs, results.Cell{
				RunID: r.RunID, Stream: r.Stream, StreamVersion: r.StreamVersion,
				Strategy: r.Strategy, Seed: r.Seed, Shots: r.Shots, Backend: r.Backend,
				AfterTask: int32(after), EvalTask: int32(j + 1), EvalTaskName: t.Name,
				ScoreName: name, Score: score,
			})
		}
	}
	add(0, out.Untrained)
	for i, row := range out.R {
		add(i+1, row)
	}
	return cs
}

func canonicalJSON(v any) string {
	b, err := json.Marshal(v) // maps marshal with sorted keys
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// checkWritable creates dir if needed and checks that files can be
// created in it, so that a suite fails before training rather than after.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating output folder: %w", err)
	}
	f, err := os.CreateTemp(dir, ".clbench-write-check-*")
	if err != nil {
		return fmt.Errorf("output folder %s is not writable: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// stoppedError is the runs stopped by their context (a signal, a deadline):
// it names them, and leaves the context's own "context canceled" out
// of the message while errors.Is still finds it.
type stoppedError struct {
	runs []string
	err  error
}

func (e stoppedError) Error() string {
	if len(e.runs) == 1 {
		return e.runs[0] + ": stopped before it finished"
	}
	return "stopped before they finished: " + strings.Join(e.runs, "; ")
}
func (e stoppedError) Unwrap() error { return e.err }
