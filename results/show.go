package results

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/clbench/clbench/metrics"
)

// FindRun returns the run of s whose id is id or starts with it. It is
// an error when no run matches, or more than one does.
func (s *Set) FindRun(id string) (Run, error) {
	if r, ok := s.Run(id); ok {
		return r, nil
	}
	var found []Run
	for _, r := range s.Runs {
		if id != "" && strings.HasPrefix(r.RunID, id) {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 0:
		return Run{}, fmt.Errorf("no run %q in the results", id)
	case 1:
		return found[0], nil
	}
	ids := make([]string, len(found))
	for i, r := range found {
		ids[i] = r.RunID
	}
	return Run{}, fmt.Errorf("%q names %d runs: %s", id, len(found), strings.Join(ids, ", "))
}

// ShowRun writes one run in full: its provenance, its accuracy matrix,
// its metrics and cost, and its forgetting diagnostics when it measured
// them.
func ShowRun(w io.Writer, s *Set, r Run) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	line := func(format string, args ...any) { fmt.Fprintf(tw, format+"\n", args...) }

	line("run\t%s\t(%s)", r.RunID, s.RunFiles[r.RunID])
	line("stream\t%s@%s\t%s, digest %s", r.Stream, r.StreamVersion, shotsText(r.Shots), shortDigest(r.StreamDigest))
	line("strategy\t%s\t%s", r.Strategy, r.StrategyConfig)
	line("seed\t%d", r.Seed)
	line("model\t%s", r.ModelConfig)
	line("protocol\t%s", r.TrainConfig)
	line("tasks\t%s\t%s", r.TaskNames, r.TaskSizes)
	line("backend\t%s\t%s", r.Backend, r.Build)
	line("made by\tclbench %s\tcommit %s, %s, %s", r.ClbenchVersion, r.GitCommit, r.GoVersion,
		r.StartTime.Format("2006-01-02 15:04 UTC"))
	line("status\t%s\t%s", r.Status, r.Error)
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.Status != StatusOK {
		return nil
	}

	// The accuracy matrix, rows after each task.
	m, untrained, err := s.Matrix(r.RunID)
	if err != nil {
		return err
	}
	names := strings.Split(r.TaskNames, ",")
	name := func(j int) string { // "2 conll2003", or "2" when the run has no names
		if j < len(names) && names[j] != "" {
			return fmt.Sprintf("%d %s", j+1, names[j])
		}
		return fmt.Sprint(j + 1)
	}
	fmt.Fprintf(w, "\nScores (%%) on each task (columns) after each task (rows)\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	header := "\t"
	for j := range m {
		header += name(j) + "\t"
	}
	fmt.Fprintln(tw, header)
	row := func(label string, xs []float64) {
		cells := label + "\t"
		for _, x := range xs {
			cells += cellPoints(x) + "\t"
		}
		fmt.Fprintln(tw, cells)
	}
	if untrained != nil {
		row("untrained", untrained)
	}
	for i := range m {
		row(fmt.Sprintf("after %d", i+1), m[i])
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintf(w, "\nMetrics (points)\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	// Intransigence as the leaderboard finds it: stored, or against the
	// cumulative run of the same seed among the results read.
	intr := valuePoints(intransigence(s, r))
	if !intransigence(s, r).Defined {
		intr += " (no " + ReferenceStrategy + " run of this stream, shots, seed and setup in " +
			"these results)"
	}
	for _, mv := range []struct {
		name, v string
	}{{"ACC", valuePoints(metrics.FromPtr(r.ACC))}, {"BWT", valuePoints(metrics.FromPtr(r.BWT))},
		{"FWT", valuePoints(metrics.FromPtr(r.FWT))},
		{"Forgetting", valuePoints(metrics.FromPtr(r.Forgetting))},
		{"Intransigence", intr}, {"LA", valuePoints(metrics.FromPtr(r.LA))}} {
		fmt.Fprintf(tw, "%s\t%s\n", mv.name, mv.v)
	}
	fmt.Fprintf(tw, "wall\t%.1f s (training %.1f s, evaluation %.1f s), %.0f examples/s\n",
		r.WallSeconds, r.TrainSeconds, r.EvalSeconds, r.ExamplesPerSecond)
	fmt.Fprintf(tw, "parameters\t%d trainable, %d in the base model, %.2f%% added; %d examples stored\n",
		r.TrainableParams, r.BaseParams, r.ParamsAddedPct, r.ExamplesStored)
	if err := tw.Flush(); err != nil {
		return err
	}
	return showDiagnostics(w, s.DiagnosticsOf(r.RunID), name)
}

// DiagnosticsOf returns the diagnostics of run runID.
func (s *Set) DiagnosticsOf(runID string) []Diagnostic {
	var out []Diagnostic
	for _, d := range s.Diagnostics {
		if d.RunID == runID {
			out = append(out, d)
		}
	}
	return out
}

// showDiagnostics writes a run's diagnostics as one line per task
// probed after each later task, over all blocks, heads and layers.
func showDiagnostics(w io.Writer, ds []Diagnostic, name func(int) string) error {
	if len(ds) == 0 {
		fmt.Fprintf(w, "\nNo forgetting diagnostics (run with --diagnostics to measure them).\n")
		return nil
	}
	// The general text of a pre-trained base, on a line of its own.
	var general []string
	for _, d := range ds {
		if d.Task == 0 && d.Name == "general_masked_accuracy" {
			label := fmt.Sprintf("after %d", d.AfterTask)
			if d.AfterTask == 0 {
				label = "before training"
			}
			general = append(general, label+" "+valuePoints(metrics.FromPtr(d.Value)))
		}
	}
	if len(general) > 0 {
		fmt.Fprintf(w, "\nGeneral knowledge (masked-token accuracy on the base's held-out text, %%, through "+
			"the strategy's modules of the last task trained): %s\n", strings.Join(general, ", "))
	}

	type key struct{ after, task int32 }
	values := map[key]map[string]metrics.Value{}
	for _, d := range ds {
		if d.Task == 0 {
			continue
		}
		if d.Group != "all" && d.Group != "" && !strings.HasPrefix(d.Name, "param_distance") {
			continue
		}
		k := key{d.AfterTask, d.Task}
		if values[k] == nil {
			values[k] = map[string]metrics.Value{}
		}
		values[k][d.Name+"/"+d.Group] = metrics.FromPtr(d.Value)
	}
	if len(values) == 0 {
		fmt.Fprintf(w, "\nNo forgetting diagnostics (run with --diagnostics to measure them).\n")
		return nil
	}
	keys := slices.SortedFunc(func(yield func(key) bool) {
		for k := range values {
			if !yield(k) {
				return
			}
		}
	}, func(a, b key) int {
		if a.task != b.task {
			return int(a.task - b.task)
		}
		return int(a.after - b.after)
	})

	fmt.Fprintf(w, "\nForgetting diagnostics: each task's probe after it (drift from its end)\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "task\tafter\tkey-token mass\tattention KL (nats)\tCKA\tsilent units\t"+
		"distance (relative)\tembeddings\tattention\tffn\tnorm\thead\t")
	for _, k := range keys {
		v := values[k]
		get := func(name string) string {
			if x, ok := v[name]; ok {
				return number(x)
			}
			return ""
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", name(int(k.task-1)), k.after,
			get("key_token_mass/all"), get("attention_kl/all"), get("cka/"),
			get("inactive_units/all"), get("param_distance_rel/all"),
			get("param_distance_rel/embeddings"), get("param_distance_rel/attention"),
			get("param_distance_rel/ffn"), get("param_distance_rel/norm"), get("param_distance_rel/head"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "Distances are relative to the parameters' norm at the end of the task; blank where "+
		"the row has no such value, n/a where it is undefined (a key-token mass where no probe example "+
		"holds a key token, silent units where none responded). Per block, head and layer: "+
		"the run's .diagnostics.parquet.\n")
	return nil
}

// number prints a diagnostic with 3 significant digits, "n/a" when
// undefined.
func number(v metrics.Value) string {
	if !v.Defined {
		return "n/a"
	}
	return fmt.Sprintf("%.3g", v.X)
}

// cellPoints prints a score in [0, 1] as points, "-" when not measured.
func cellPoints(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return point(x)
}

// valuePoints prints a metric in points, "n/a" when undefined.
func valuePoints(v metrics.Value) string {
	if !v.Defined {
		return "n/a"
	}
	return point(v.X)
}

func shortDigest(d string) string {
	if len(d) > 12 {
		return d[:12]
	}
	return d
}

func shotsText(shots int64) string {
	if shots == 0 {
		return "full stream"
	}
	return fmt.Sprintf("%d shots", shots)
}
