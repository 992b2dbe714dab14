package results

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/clbench/clbench/metrics"
)

// DefaultTolerance is how far a stored metric may be from the one its
// cells give: metrics are recomputed with the same code, so anything
// beyond rounding is an edit.
const DefaultTolerance = 1e-9

// Severity of a [Problem].
const (
	SeverityError   = "error"   // the set must not be accepted
	SeverityWarning = "warning" // worth a look; the set may be accepted
)

// Problem is one thing [Validate] found wrong.
type Problem struct {
	Severity string `json:"severity"`
	File     string `json:"file,omitempty"`   // the file, when one is to blame
	RunID    string `json:"run_id,omitempty"` // the run, when one is to blame
	Metric   string `json:"metric,omitempty"` // the metric's key, when one is to blame
	Message  string `json:"message"`
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Severity)
	if p.File != "" {
		b.WriteString(": " + p.File)
	}
	if p.RunID != "" {
		b.WriteString(": run " + p.RunID)
	}
	if p.Metric != "" {
		b.WriteString(": " + p.Metric)
	}
	b.WriteString(": " + p.Message)
	return b.String()
}

// ValidateOptions are the settings of [Validate].
type ValidateOptions struct {
	// Tolerance is how far a stored metric may be from the recomputed
	// one; 0 means DefaultTolerance.
	Tolerance float64
	// Streams maps each built-in stream's name to its current version.
	// A run of a stream not in it (a user's stream file) gets a warning.
	Streams map[string]string
	// StreamTasks maps each built-in stream's name to its task names at
	// its current version, comma-separated as Run.TaskNames holds them;
	// a run of that version with other tasks is an error (a stream file
	// that took a built-in's name). Nil skips the check.
	StreamTasks map[string]string
	// RunID derives a run's id from its content (bench.RunID); nil skips
	// the check.
	RunID func(Run) string
}

// Validate checks a submitted results set and returns every problem it
// finds, errors and warnings, each naming its file, run and metric where
// there is one. A file that cannot be read (a damaged Parquet file) is
// an error naming it, and the other files are still checked; the
// returned error is for input that cannot be read at all (a missing
// path).
//
// It checks:
//   - schema: every file has every column of its kind ([Run] or [Cell]);
//   - identity and provenance: stream, version, digest, strategy, tasks,
//     clbench version, commit, Go version, build, host, start time,
//     backend, model, training and strategy configurations are recorded,
//     and the run id is the one its content gives (ValidateOptions.RunID);
//   - streams: a built-in stream's version is the current one (a
//     warning: an older version's runs are valid, and ranked apart);
//   - status: a failed run has a reason and no metrics, and is itself an
//     error, since a submission holds completed runs only;
//   - cells: a completed run has cells that belong to it, scores in
//     [0, 1], the untrained row and the last row, and every row it has
//     complete (every task), task names as the run records them;
//   - metrics: ACC, BWT, FWT, Forgetting and LA recomputed from the cells
//     ([Set.Matrix], [metrics.Compute]) equal the stored ones within the
//     tolerance, null where the cells cannot define them; a stored
//     intransigence equals the one against the cumulative run of the
//     same stream, version, shots and seed;
//   - completeness: within a stream, version and shots every strategy has
//     the same seeds, one run each, one strategy configuration, and all
//     runs share the model and training configuration and the stream's
//     data (digest); a cumulative run is there for intransigence.
func Validate(paths []string, o ValidateOptions) (*Set, []Problem, error) {
	if math.IsNaN(o.Tolerance) || math.IsInf(o.Tolerance, 0) {
		return nil, nil, fmt.Errorf("tolerance %v is not a finite number", o.Tolerance)
	}
	if o.Tolerance <= 0 {
		o.Tolerance = DefaultTolerance
	}
	v := &validator{o: o}

	// The files' schemas. A file that cannot be read is an error of its
	// own, and left out: the others are still checked.
	damaged := map[string]bool{}
	reportDamaged := func(f string, err error) {
		damaged[f] = true
		v.add(Problem{Severity: SeverityError, File: f,
			Message: strings.TrimPrefix(err.Error(), f+": ") + "; left out of the check"})
	}
	var noFiles []string
	for _, p := range paths {
		files, err := listFiles(p)
		if err != nil {
			return nil, nil, err
		}
		if len(files) == 0 {
			v.add(Problem{Severity: SeverityError, File: p, Message: "no results files"})
			noFiles = append(noFiles, p+": no results files") // read warns of it too
		}
		for _, f := range files {
			if err := v.checkSchema(f); err != nil {
				reportDamaged(f, err)
			}
		}
	}

	s, err := read(paths, damaged, reportDamaged)
	if err != nil {
		return nil, nil, err
	}
	v.s = s
	for _, w := range s.Warnings {
		if !slices.Contains(noFiles, w) {
			v.add(Problem{Severity: SeverityWarning, Message: w})
		}
	}
	if len(s.Runs) == 0 && len(noFiles) == 0 && len(damaged) == 0 {
		// Cells or diagnostics whose runs are missing (a run killed
		// before it wrote its run file): nothing was checked.
		v.add(Problem{Severity: SeverityError, Message: "no runs: these results hold no run " +
			"file (<id>.run.parquet), so nothing was checked"})
	}

	// Each run, then the set as a whole.
	for _, r := range s.Runs {
		v.checkRun(r)
	}
	v.checkCompleteness()
	return s, v.problems, nil
}

type validator struct {
	o        ValidateOptions
	s        *Set
	problems []Problem
}

func (v *validator) add(p Problem) { v.problems = append(v.problems, p) }

// errorf and warnf report a problem of run r.
func (v *validator) errorf(r Run, metric, format string, args ...any) {
	v.add(Problem{SeverityError, v.s.RunFiles[r.RunID], r.RunID, metric,
		fmt.Sprintf(format, args...)})
}

func (v *validator) warnf(r Run, metric, format string, args ...any) {
	v.add(Problem{SeverityWarning, v.s.RunFiles[r.RunID], r.RunID, metric,
		fmt.Sprintf(format, args...)})
}

// checkSchema compares a file's columns with those of its kind; the
// error is for a file that cannot be read.
func (v *validator) checkSchema(path string) error {
	problems, err := schemaProblems(path)
	if err != nil {
		return err
	}
	for _, p := range problems {
		v.add(p)
	}
	return nil
}

// schemaProblems compares the columns of the results file at path with
// those of its kind (run, cells or diagnostics): a column missing or of
// another type is an error, an unknown one or one that clbench added
// later a warning. The error is for a file that cannot be read at all.
func schemaProblems(path string) (problems []Problem, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = damagedFile(path, fmt.Errorf("%v", r))
		}
	}()
	want := parquet.SchemaOf(Run{})
	switch {
	case strings.HasSuffix(path, CellsSuffix):
		want = parquet.SchemaOf(Cell{})
	case strings.HasSuffix(path, DiagnosticsSuffix):
		want = parquet.SchemaOf(Diagnostic{})
	}
	pf, closeFile, err := openParquet(path)
	if err != nil {
		return nil, err
	}
	defer closeFile()
	got := map[string]parquet.Field{}
	for _, fl := range pf.Schema().Fields() {
		got[fl.Name()] = fl
	}
	add := func(p Problem) { problems = append(problems, p) }
	for _, fl := range want.Fields() {
		g, ok := got[fl.Name()]
		switch {
		case !ok && laterColumns[fl.Name()]:
			add(Problem{Severity: SeverityWarning, File: path,
				Message: fmt.Sprintf("no column %q: written before clbench recorded it", fl.Name())})
		case !ok:
			add(Problem{Severity: SeverityError, File: path, Metric: metricKey(fl.Name()),
				Message: fmt.Sprintf("no column %q", fl.Name())})
		case g.Type().Kind() != fl.Type().Kind():
			add(Problem{Severity: SeverityError, File: path, Metric: metricKey(fl.Name()),
				Message: fmt.Sprintf("column %q is %v, want %v", fl.Name(), g.Type().Kind(),
					fl.Type().Kind())})
		}
		delete(got, fl.Name())
	}
	for _, name := range slices.Sorted(maps.Keys(got)) {
		add(Problem{Severity: SeverityWarning, File: path,
			Message: fmt.Sprintf("unknown column %q", name)})
	}
	return problems, nil
}

// laterColumns are the optional columns that clbench added after
// results were first written: a file without one is older, not wrong.
var laterColumns = map[string]bool{"task_sizes": true}

// metricKey returns name when it is a metric's key, else "".
func metricKey(name string) string {
	if _, ok := metrics.Lookup(name); ok {
		return name
	}
	return ""
}

// checkRun checks one run: identity, provenance, status, cells and
// metrics.
func (v *validator) checkRun(r Run) {
	// Identity and provenance.
	for _, f := range []struct{ name, value string }{
		{"stream", r.Stream}, {"stream_version", r.StreamVersion},
		{"stream_digest", r.StreamDigest}, {"strategy", r.Strategy},
		{"strategy_config", r.StrategyConfig}, {"task_names", r.TaskNames},
		{"backend", r.Backend}, {"build", r.Build}, {"model_config", r.ModelConfig},
		{"train_config", r.TrainConfig}, {"clbench_version", r.ClbenchVersion},
		{"git_commit", r.GitCommit}, {"go_version", r.GoVersion}, {"host", r.Host},
	} {
		if strings.TrimSpace(f.value) == "" {
			v.errorf(r, "", "provenance: %s is empty", f.name)
		}
	}
	if r.GitCommit == "unknown" {
		v.warnf(r, "", "provenance: git_commit is unknown (build with make build, or from a "+
			"git checkout)")
	}
	if strings.HasSuffix(r.GitCommit, "-dirty") {
		v.warnf(r, "", "provenance: built from %s, with uncommitted changes: the commit alone "+
			"does not reproduce it", r.GitCommit)
	}
	if strings.Contains(r.Backend, "/") {
		v.warnf(r, "", "provenance: backend %q names a file by its folder (as clbench did before "+
			"recording XLA plugins by name, \"xla:cpu\"): the run ranks only beside runs made with "+
			"the plugin in that same folder", r.Backend)
	}
	if r.StartTime.IsZero() {
		v.errorf(r, "", "provenance: start_time is not recorded")
	}
	if r.NumTasks < 1 {
		v.errorf(r, "", "num_tasks is %d", r.NumTasks)
	} else if n := len(strings.Split(r.TaskNames, ",")); r.TaskNames != "" && n != int(r.NumTasks) {
		v.errorf(r, "", "task_names names %d tasks, num_tasks is %d", n, r.NumTasks)
	}
	if r.Shots < 0 {
		v.errorf(r, "", "shots is %d", r.Shots)
	}
	if v.o.RunID != nil {
		if want := v.o.RunID(r); want != r.RunID {
			v.errorf(r, "", "the run id is not the one its content gives (%s): its stream, "+
				"strategy, configuration, seed or backend was edited", want)
		}
	}

	// The costs: NaN or infinite would average into every entry's cost.
	for _, c := range []struct {
		name string
		x    float64
	}{
		{"wall_seconds", r.WallSeconds}, {"train_seconds", r.TrainSeconds},
		{"eval_seconds", r.EvalSeconds}, {"examples_per_second", r.ExamplesPerSecond},
		{"params_added_pct", r.ParamsAddedPct},
	} {
		if !finite(c.x) {
			v.errorf(r, metricKey(c.name), "cost: %s is %v; a cost is a finite number (rerun "+
				"the run, or restore its file)", c.name, c.x)
		}
	}

	// The stream.
	if v.o.Streams != nil && r.Stream != "" {
		if cur, ok := v.o.Streams[r.Stream]; !ok {
			v.warnf(r, "", "stream %q is not built in (a stream file?): its tasks and data "+
				"cannot be checked", r.Stream)
		} else if r.StreamVersion != cur {
			v.warnf(r, "", "stream %s is at version %q, not the current %q: it is ranked on "+
				"that version's board, apart from the current one", r.Stream, r.StreamVersion, cur)
		} else if want, ok := v.o.StreamTasks[r.Stream]; ok && r.TaskNames != want {
			v.errorf(r, "", "stream %s@%s has tasks %q, but the built-in stream's are %q: "+
				"a stream file under a built-in's name? (it would be ranked as that stream)",
				r.Stream, r.StreamVersion, r.TaskNames, want)
		}
	}

	// Task sizes: they set a few-shot run's board (boardOf), so they must
	// be what its shots keep.
	if r.TaskSizes != "" {
		v.checkTaskSizes(r)
	}

	// Status.
	switch r.Status {
	case StatusOK:
	case StatusFailed:
		reason := firstLine(r.Error)
		if reason == "" {
			v.errorf(r, "", "failed without a reason")
			reason = "no reason"
		}
		v.errorf(r, "", "the run failed (%s): submit completed runs only", reason)
		for _, key := range ScoreMetrics {
			if val := storedMetric(r, key); val != nil {
				v.errorf(r, key, "a failed run stores %s = %v; it must never be a score",
					key, *val)
			}
		}
		return
	default:
		v.errorf(r, "", "status %q, want %q or %q", r.Status, StatusOK, StatusFailed)
		return
	}

	// Cells, then the metrics from them.
	if ok := v.checkCells(r); ok {
		v.checkMetrics(r)
	}
}

// checkTaskSizes checks a run's recorded task sizes ("512/128,16/128"):
// one train/test pair per task, and, in a few-shot run, every later
// task's training examples equal to its shots.
func (v *validator) checkTaskSizes(r Run) {
	tasks := strings.Split(r.TaskSizes, ",")
	if len(tasks) != int(r.NumTasks) {
		v.errorf(r, "", "task_sizes %q lists %d tasks; the run has %d", r.TaskSizes, len(tasks),
			r.NumTasks)
		return
	}
	for i, t := range tasks {
		a, b, ok := strings.Cut(t, "/")
		train, errA := strconv.ParseInt(a, 10, 64)
		_, errB := strconv.ParseInt(b, 10, 64)
		if !ok || errA != nil || errB != nil {
			v.errorf(r, "", "task_sizes %q: task %d is %q, want training/test examples "+
				"such as 512/128", r.TaskSizes, i+1, t)
			return
		}
		if r.Shots > 0 && i > 0 && train != r.Shots {
			v.errorf(r, "", "task_sizes %q: task %d trained on %d examples, but a %d-shot run "+
				"keeps %d of every task after the first", r.TaskSizes, i+1, train, r.Shots, r.Shots)
			return
		}
	}
}

// storedMetric returns the run's stored value of a score metric.
func storedMetric(r Run, key string) *float64 {
	switch key {
	case "acc":
		return r.ACC
	case "bwt":
		return r.BWT
	case "fwt":
		return r.FWT
	case "forgetting":
		return r.Forgetting
	case "intransigence":
		return r.Intransigence
	case "la":
		return r.LA
	}
	return nil
}

// checkCells checks a completed run's cells; it reports whether they
// make a matrix at all, that the metrics can be recomputed from.
func (v *validator) checkCells(r Run) bool {
	var cells []Cell
	for _, c := range v.s.Cells {
		if c.RunID == r.RunID {
			cells = append(cells, c)
		}
	}
	if len(cells) == 0 {
		v.errorf(r, "", "no cells: the accuracy matrix is missing (a lost %s file?)", CellsSuffix)
		return false
	}
	names := strings.Split(r.TaskNames, ",")
	scoreName := map[int32]string{}
	for _, c := range cells {
		where := fmt.Sprintf("cell (after task %d, task %d)", c.AfterTask, c.EvalTask)
		if c.Stream != r.Stream || c.StreamVersion != r.StreamVersion ||
			c.Strategy != r.Strategy || c.Seed != r.Seed || c.Shots != r.Shots ||
			c.Backend != r.Backend {
			v.errorf(r, "", "%s: its stream, version, strategy, seed, shots or backend is not "+
				"the run's", where)
		}
		if c.Score < 0 || c.Score > 1 || !finite(c.Score) {
			v.errorf(r, "", "%s: score %v is not in [0, 1]", where, c.Score)
		}
		j := int(c.EvalTask)
		if r.TaskNames != "" && j >= 1 && j <= len(names) && c.EvalTaskName != names[j-1] {
			v.errorf(r, "", "%s: task name %q, the run's task %d is %q", where, c.EvalTaskName,
				j, names[j-1])
		}
		if n, seen := scoreName[c.EvalTask]; seen && n != c.ScoreName {
			v.errorf(r, "", "task %d is scored as both %q and %q", c.EvalTask, n, c.ScoreName)
		}
		scoreName[c.EvalTask] = c.ScoreName
	}

	R, untrained, err := v.s.Matrix(r.RunID)
	if err != nil {
		v.errorf(r, "", "%v", err)
		return false
	}
	t := R.T()

	// The untrained row, the last row, and every row measured at all.
	if untrained == nil || slices.ContainsFunc(untrained, math.IsNaN) {
		v.errorf(r, "", "cells: the untrained row (after task 0) is %s",
			rowState(untrained))
	}
	for i := range R {
		measured := slices.IndexFunc(R[i], func(x float64) bool { return !math.IsNaN(x) }) >= 0
		if (measured || i == t-1) && slices.ContainsFunc(R[i], math.IsNaN) {
			v.errorf(r, "", "cells: the row after task %d is %s", i+1, rowState(R[i]))
		}
	}
	return true
}

// rowState describes an incomplete row of cells.
func rowState(row []float64) string {
	if row == nil {
		return "missing"
	}
	var missing []string
	for j, x := range row {
		if math.IsNaN(x) {
			missing = append(missing, fmt.Sprint(j+1))
		}
	}
	if len(missing) == len(row) {
		return "missing"
	}
	return "missing task(s) " + strings.Join(missing, ", ")
}

// checkMetrics recomputes the run's metrics from its cells and compares
// them with the stored ones.
func (v *validator) checkMetrics(r Run) {
	R, untrained, err := v.s.Matrix(r.RunID)
	if err != nil {
		return // reported by checkCells
	}
	ref, refID := v.reference(r)
	sum := metrics.Compute(R, untrained, ref)
	for _, m := range []struct {
		key    string
		stored *float64
		got    metrics.Value
	}{
		{"acc", r.ACC, sum.ACC}, {"bwt", r.BWT, sum.BWT}, {"fwt", r.FWT, sum.FWT},
		{"forgetting", r.Forgetting, sum.Forgetting}, {"la", r.LA, sum.LA},
		{"intransigence", r.Intransigence, sum.Intransigence},
	} {
		switch {
		case m.stored != nil && (math.IsNaN(*m.stored) || math.IsInf(*m.stored, 0)):
			v.errorf(r, m.key, "stored %v: a metric is a finite number, or null where undefined", *m.stored)
		case m.key == "intransigence" && m.stored == nil:
			// Not stored: the leaderboard computes it from the cumulative run.
		case m.key == "intransigence" && ref == nil:
			v.warnf(r, m.key, "stored %v cannot be checked: no cumulative run of the same "+
				"stream, version, shots and seed", *m.stored)
		case m.stored == nil && m.got.Defined:
			v.errorf(r, m.key, "stored null, but the cells give %v", m.got.X)
		case m.stored != nil && !m.got.Defined:
			v.errorf(r, m.key, "stored %v, but the cells cannot define it", *m.stored)
		case m.stored != nil && math.Abs(*m.stored-m.got.X) > v.o.Tolerance:
			against := ""
			if m.key == "intransigence" {
				against = " against cumulative run " + refID
			}
			v.errorf(r, m.key, "stored %v, but the cells give %v%s (off by %.3g)", *m.stored,
				m.got.X, against, *m.stored-m.got.X)
		}
	}
}

// reference returns the diagonal of the cumulative run of r's stream,
// version, shots and seed, and its id; nil when there is none.
func (v *validator) reference(r Run) ([]float64, string) {
	for _, ref := range v.s.Runs {
		if ref.Strategy != ReferenceStrategy || ref.Status != StatusOK ||
			ref.Stream != r.Stream || ref.StreamVersion != r.StreamVersion ||
			ref.Shots != r.Shots || ref.Seed != r.Seed || !sameSetupExceptStrategy(ref, r) {
			continue
		}
		R, _, err := v.s.Matrix(ref.RunID)
		if err != nil {
			return nil, ""
		}
		return R.Diagonal(), ref.RunID
	}
	return nil, ""
}

// checkCompleteness checks the set as a whole, board by board: the runs
// of one stream, version and shots under one setup (model, protocol,
// backend, build and, for a full stream, data), as the leaderboard
// ranks them (boardOf).
func (v *validator) checkCompleteness() {
	type boardKey struct {
		stream, version string
		shots           int64
		board           string
	}
	boards := map[boardKey][]Run{}
	var keys []boardKey
	perStream := map[[3]string]map[string]bool{} // stream, version, shots -> boards
	for _, r := range v.s.Runs {
		k := boardKey{r.Stream, r.StreamVersion, r.Shots, boardOf(r)}
		if _, ok := boards[k]; !ok {
			keys = append(keys, k)
		}
		boards[k] = append(boards[k], r)
		sk := [3]string{r.Stream, r.StreamVersion, fmt.Sprint(r.Shots)}
		if perStream[sk] == nil {
			perStream[sk] = map[string]bool{}
		}
		perStream[sk][k.board] = true
	}
	slices.SortFunc(keys, func(a, b boardKey) int {
		return cmp.Or(cmp.Compare(a.stream, b.stream), cmp.Compare(a.version, b.version),
			cmp.Compare(a.shots, b.shots), cmp.Compare(a.board, b.board))
	})
	warned := map[[3]string]bool{}
	for _, k := range keys {
		sk := [3]string{k.stream, k.version, fmt.Sprint(k.shots)}
		if n := len(perStream[sk]); n > 1 && !warned[sk] {
			warned[sk] = true
			v.add(Problem{Severity: SeverityWarning, Message: fmt.Sprintf("%s, %s: runs fall on %d boards "+
				"(their model, protocol, backend, build or data differ); each is checked, and ranked, "+
				"on its own", streamVersion(k.stream, k.version), shotsTitle(k.shots), n)})
		}
	}

	for _, k := range keys {
		runs := boards[k]
		where := fmt.Sprintf("%s, %s", streamVersion(k.stream, k.version), shotsTitle(k.shots))
		if len(perStream[[3]string{k.stream, k.version, fmt.Sprint(k.shots)}]) > 1 {
			where += " [board " + k.board + "]"
		}
		board := func(severity, format string, args ...any) {
			v.add(Problem{Severity: severity, Message: where + ": " + fmt.Sprintf(format, args...)})
		}

		// Seeds: every strategy (each configuration of it being an entry
		// of its own, as on the leaderboard) the same, one run each.
		allSeeds := map[int64]bool{}
		byStrategy := map[string][]Run{}
		configs := map[string][]string{} // strategy -> its configurations
		var strategies []string
		for _, r := range runs {
			allSeeds[r.Seed] = true
			if !slices.Contains(configs[r.Strategy], r.StrategyConfig) {
				configs[r.Strategy] = append(configs[r.Strategy], r.StrategyConfig)
			}
		}
		for _, r := range runs {
			name := r.Strategy
			if len(configs[r.Strategy]) > 1 {
				name += " " + r.StrategyConfig
			}
			if _, ok := byStrategy[name]; !ok {
				strategies = append(strategies, name)
			}
			byStrategy[name] = append(byStrategy[name], r)
		}
		slices.Sort(strategies)
		for _, st := range slices.Sorted(maps.Keys(configs)) {
			if n := len(configs[st]); n > 1 {
				board(SeverityWarning, "%s runs under %d configurations: each is an entry of "+
					"its own, labelled with its setup, and all of them are shown", st, n)
			}
		}
		seeds := sortedSeeds(allSeeds)
		if len(seeds) < MinSeeds {
			board(SeverityWarning, "%d seed(s): compare needs at least %d to call a change "+
				"significant", len(seeds), MinSeeds)
		}
		for _, st := range strategies {
			have := map[int64][]Run{}
			for _, r := range byStrategy[st] {
				have[r.Seed] = append(have[r.Seed], r)
			}
			var missing []string
			for _, seed := range seeds {
				switch n := len(have[seed]); {
				case n == 0:
					missing = append(missing, fmt.Sprint(seed))
				case n > 1:
					board(SeverityError, "%s has %d runs of seed %d (%s); want one", st, n, seed,
						runIDs(have[seed]))
				}
			}
			if len(missing) > 0 {
				board(SeverityError, "%s lacks seed(s) %s that other strategies have", st,
					strings.Join(missing, ", "))
			}
		}

		// Shared configuration and data.
		for _, f := range []struct {
			what     string
			severity string
			get      func(Run) string
		}{
			{"model configurations", SeverityError, func(r Run) string { return r.ModelConfig }},
			{"training configurations", SeverityError, func(r Run) string { return r.TrainConfig }},
			{"backends", SeverityWarning, func(r Run) string { return r.Backend }},
			{"builds", SeverityWarning, func(r Run) string { return r.Build }},
			{"clbench versions", SeverityWarning, func(r Run) string { return r.ClbenchVersion }},
		} {
			if vs := distinctOf(runs, f.get); len(vs) > 1 {
				board(f.severity, "runs use %d %s: %s", len(vs), f.what, abbreviate(vs))
			}
		}
		digests := map[int64][]string{} // seed (0 for the full stream) -> digests
		for _, r := range runs {
			seed := int64(0)
			if r.Shots > 0 {
				seed = r.Seed // a few-shot variant draws its examples with the seed
			}
			if !slices.Contains(digests[seed], r.StreamDigest) {
				digests[seed] = append(digests[seed], r.StreamDigest)
			}
		}
		for _, seed := range sortedSeeds(mapKeys(digests)) {
			if ds := digests[seed]; len(ds) > 1 {
				board(SeverityError, "runs saw different data (stream digests %s)", abbreviate(ds))
				break
			}
		}
		if len(configs[ReferenceStrategy]) == 0 {
			board(SeverityWarning, "no %s run: intransigence is undefined", ReferenceStrategy)
		}
	}
}

func sortedSeeds(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for s := range m {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func mapKeys[V any](m map[int64]V) map[int64]bool {
	out := make(map[int64]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

func runIDs(runs []Run) string {
	ids := make([]string, len(runs))
	for i, r := range runs {
		ids[i] = r.RunID
	}
	return strings.Join(ids, ", ")
}
