package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clbench/clbench/results"
)

func TestDiagnosticsRunAndShow(t *testing.T) {
	// A run with --diagnostics writes its diagnostics beside its cells,
	// and show prints them; the same run without the flag (--force)
	// gives the same scores and removes the stale diagnostics file.
	dir := t.TempDir()
	if code, _, stderr := clbench(t, quickRun(dir, "--diagnostics")...); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	set, err := results.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Runs) != 1 || len(set.Diagnostics) == 0 {
		t.Fatalf("%d runs, %d diagnostics", len(set.Runs), len(set.Diagnostics))
	}
	id := set.Runs[0].RunID
	scores := readScores(t, dir)

	code, stdout, stderr := clbench(t, "show", id[:6], dir)
	if code != 0 {
		t.Fatalf("show: exit %d: %s", code, stderr)
	}
	for _, want := range []string{id, "after 3", "Forgetting diagnostics", "key-token mass", "1 movie-sentiment"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("show has no %q:\n%s", want, stdout)
		}
	}

	if code, _, stderr := clbench(t, quickRun(dir, "--force")...); code != 0 {
		t.Fatalf("rerun: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, id+results.DiagnosticsSuffix)); !os.IsNotExist(err) {
		t.Errorf("the rerun without --diagnostics kept the old diagnostics file (%v)", err)
	}
	for k, v := range readScores(t, dir) {
		if v != scores[k] {
			t.Errorf("%s: %v with diagnostics, %v without", k, scores[k], v)
		}
	}
}

func TestShowBadInput(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := clbench(t, "show", "nope", dir); code != 2 || !strings.Contains(stderr, "no results files") &&
		!strings.Contains(stderr, `no run "nope"`) {
		t.Errorf("show of an unknown run: exit %d, %q", code, stderr)
	}
	if code, _, stderr := clbench(t, "show", "x", filepath.Join(dir, "missing")); code != 2 ||
		!strings.Contains(stderr, "missing") {
		t.Errorf("show of a missing folder: exit %d, %q", code, stderr)
	}
}

func TestShowARunFile(t *testing.T) {
	// show given a run file reads the cells beside it.
	dir := t.TempDir()
	if code, _, stderr := clbench(t, quickRun(dir)...); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"+results.RunSuffix))
	if len(files) != 1 {
		t.Fatalf("%d run files", len(files))
	}
	code, stdout, stderr := clbench(t, "show", files[0])
	if code != 0 || !strings.Contains(stdout, "after 3") {
		t.Errorf("show %s: exit %d, %s\n%s", files[0], code, stderr, stdout)
	}
}
