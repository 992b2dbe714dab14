package results

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

// diagnosticsOf is a two-task run's diagnostics: the key-token mass of
// task 1 at its end (0.8) and after task 2 (0.2), and its drift.
func diagnosticsOf(runID string) []Diagnostic {
	d := func(after, task int32, name, group string, v *float64) Diagnostic {
		return Diagnostic{RunID: runID, Stream: snd, StreamVersion: "1", Strategy: "finetune",
			Seed: 1, Backend: "go", AfterTask: after, Task: task, Name: name, Group: group, Value: v}
	}
	return []Diagnostic{
		d(1, 1, "key_token_mass", "all", ptr(0.8)),
		d(2, 1, "key_token_mass", "all", ptr(0.2)),
		d(2, 1, "attention_kl", "all", ptr(0.5)),
		d(2, 1, "attention_kl", "block0/head0", ptr(0.25)),
		d(2, 1, "cka", "", ptr(0.75)),
		d(2, 1, "inactive_units", "all", nil), // no unit responded before
		d(2, 1, "param_distance_rel", "all", ptr(0.125)),
		d(2, 1, "param_distance_rel", "ffn", ptr(0.25)),
		d(2, 2, "key_token_mass", "all", ptr(0.4)),
		// A pre-trained base's held-out text (task 0).
		d(0, 0, "general_masked_accuracy", "", ptr(0.5)),
		d(2, 0, "general_masked_accuracy", "", ptr(0.25)),
	}
}

// readWithDiagnostics writes fixtures[0] (finetune, seed 1: R = [[0.9,
// -], [0.5, 0.7]]) with the diagnostics of diagnosticsOf, diagnostics
// first as a suite does, and reads them back.
func readWithDiagnostics(t *testing.T) (*Set, Run) {
	t.Helper()
	dir := t.TempDir()
	run, cells := runOf(fixtures[0])
	if err := WriteDiagnostics(dir, run.RunID, diagnosticsOf(run.RunID)); err != nil {
		t.Fatal(err)
	}
	if err := WriteRun(dir, run, cells); err != nil {
		t.Fatal(err)
	}
	set, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	return set, run
}

func TestDiagnosticsRoundTripAndShow(t *testing.T) {
	set, run := readWithDiagnostics(t)
	if got := set.DiagnosticsOf(run.RunID); len(got) != 11 || got[5].Value != nil || *got[4].Value != 0.75 {
		t.Fatalf("read back %+v", got)
	}

	r, err := set.FindRun(run.RunID[:len(run.RunID)-2])
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := ShowRun(&buf, set, r); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + buf.String())
	out := strings.Join(strings.Fields(buf.String()), " ") // spacing aside
	// The matrix in points, the metrics of fixtures[0] (ACC 60, BWT
	// -40), and the diagnostics: task 1 at its end (mass only), after
	// task 2 (mass 0.2, KL 0.5, CKA 0.75, inactive n/a, distance 0.125,
	// ffn 0.25), task 2 at its end.
	for _, want := range []string{
		"after 1 90.0 -",
		"after 2 50.0 70.0",
		"ACC 60.0 BWT -40.0",
		"1 1 0.8 1 2 0.2 0.5 0.75 n/a 0.125 0.25 2 2 0.4 Distances",
		"the last task trained): before training 50.0, after 2 25.0",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("show has no %q", want)
		}
	}
}

func TestShowWithoutDiagnostics(t *testing.T) {
	set, err := Read(writeFixtures(t))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := set.Run(fixtures[0].stream + "-finetune-1")
	var buf bytes.Buffer
	if err := ShowRun(&buf, set, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "run with --diagnostics") {
		t.Errorf("show of a run without diagnostics does not say how to get them:\n%s", buf.String())
	}
}

func TestFindRun(t *testing.T) {
	set, err := Read(writeFixtures(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := set.FindRun("sentiment-ner-domain-ewc"); err == nil ||
		!strings.Contains(err.Error(), "names 2 runs") {
		t.Errorf("an ambiguous prefix gave %v", err)
	}
	if _, err := set.FindRun("nope"); err == nil || !strings.Contains(err.Error(), `no run "nope"`) {
		t.Errorf("an unknown id gave %v", err)
	}
	if _, err := set.FindRun(""); err == nil {
		t.Errorf("an empty id matched a run")
	}
}

func TestWriteDiagnosticsRefuses(t *testing.T) {
	dir := t.TempDir()
	bad := diagnosticsOf("a")
	bad[2].Value = ptr(nan)
	if err := WriteDiagnostics(dir, "a", bad); err == nil || !strings.Contains(err.Error(), "undefined is null") {
		t.Errorf("a NaN diagnostic gave %v", err)
	}
	if err := WriteDiagnostics(dir, "b", diagnosticsOf("a")); err == nil ||
		!strings.Contains(err.Error(), `belongs to run "a"`) {
		t.Errorf("another run's diagnostics gave %v", err)
	}
	if _, err := os.Stat(DiagnosticsPath(dir, "a")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused write left a file: %v", err)
	}
}

func TestDiagnosticsWithoutRunFileLeftOut(t *testing.T) {
	// A run interrupted after its diagnostics and before its run file:
	// its diagnostics are not read, with a warning.
	dir := writeFixtures(t)
	if err := WriteDiagnostics(dir, "lost", diagnosticsOf("lost")); err != nil {
		t.Fatal(err)
	}
	set, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Diagnostics) != 0 {
		t.Errorf("%d diagnostics of a run without a run file read", len(set.Diagnostics))
	}
	if !strings.Contains(strings.Join(set.Warnings, "\n"), `no run file for run "lost"`) {
		t.Errorf("warnings %q say nothing of the lost run", set.Warnings)
	}
}

func TestDamagedDiagnosticsFileIsLeftOut(t *testing.T) {
	// A damaged diagnostics file costs its diagnostics, with a warning
	// naming it, and never the runs' scores.
	dir := writeFixtures(t)
	run, _ := runOf(fixtures[0])
	path := DiagnosticsPath(dir, run.RunID)
	if err := os.WriteFile(path, []byte("PAR1 not parquet"), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := Read(dir)
	if err != nil {
		t.Fatalf("a damaged diagnostics file stopped the read: %v", err)
	}
	if len(set.Runs) != len(fixtures) || len(set.Diagnostics) != 0 {
		t.Errorf("%d runs and %d diagnostics read", len(set.Runs), len(set.Diagnostics))
	}
	if !strings.Contains(strings.Join(set.Warnings, "\n"), path) {
		t.Errorf("warnings %q do not name %s", set.Warnings, path)
	}
}

// show finds a run's intransigence as the leaderboard does: against the
// cumulative run of the same seed among the results read, and says why
// when there is none.
func TestShowIntransigenceFromCumulative(t *testing.T) {
	show := func(fs ...fixture) string {
		dir := t.TempDir()
		for _, f := range fs {
			run, cells := runOf(f)
			if err := WriteRun(dir, run, cells); err != nil {
				t.Fatal(err)
			}
		}
		set, err := Read(dir)
		if err != nil {
			t.Fatal(err)
		}
		first, _ := runOf(fs[0])
		r, _ := set.Run(first.RunID)
		var buf bytes.Buffer
		if err := ShowRun(&buf, set, r); err != nil {
			t.Fatal(err)
		}
		return strings.Join(strings.Fields(buf.String()), " ")
	}
	// finetune seed 1, R = [[0.9, -], [0.5, 0.7]], against cumulative
	// seed 1's diagonal (0.95, 0.9): ((0.95-0.9) + (0.9-0.7))/2 = 0.125.
	if out := show(fixtures[0], fixtures[4]); !strings.Contains(out, "Intransigence 12.5 LA") {
		t.Errorf("with the cumulative run: %s", out)
	}
	if out := show(fixtures[0]); !strings.Contains(out, "Intransigence n/a (no cumulative run") {
		t.Errorf("without it: %s", out)
	}
}
