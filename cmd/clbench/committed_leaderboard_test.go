package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clbench/clbench/bench"
	"github.com/clbench/clbench/results"
)

// The committed LEADERBOARD.md and its figures are what `make
// leaderboard` makes from the committed results, byte for byte. The
// test builds the report in memory with the Makefile's options (the
// same command, so the same header) and compares. It is skipped while
// leaderboard/results holds no runs.
func TestCommittedLeaderboardIsReproducible(t *testing.T) {
	root := filepath.Join("..", "..")
	resultsDir := filepath.Join(root, "leaderboard", "results")
	if _, err := os.Stat(resultsDir); err != nil {
		t.Skip("no committed results in leaderboard/results")
	}
	set, err := results.Read(resultsDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Runs) == 0 {
		t.Skip("no runs in leaderboard/results")
	}

	// The options of the Makefile's LEADERBOARD_CMD, paths relative to
	// the repository's root.
	o := &leaderboardOptions{report: "LEADERBOARD.md", images: "leaderboard/img",
		baseline: "finetune", paths: []string{"leaderboard/results"}}
	rep, err := results.BuildReport(set, results.ReportOptions{
		Path: o.report, ImageDir: o.images, Command: reportCommand(o),
		Generator: "clbench " + bench.Version, Baseline: o.baseline,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mustRead(t, filepath.Join(root, "Makefile"))),
		strings.TrimPrefix(reportCommand(o), "clbench ")) {
		t.Errorf("the Makefile's leaderboard command is not %q", reportCommand(o))
	}

	const stale = "; run make leaderboard and commit the result"
	if got := mustRead(t, filepath.Join(root, "LEADERBOARD.md")); !bytes.Equal(got, rep.Markdown) {
		t.Errorf("LEADERBOARD.md is not what the committed results give" + stale)
	}
	imgDir := filepath.Join(root, "leaderboard", "img")
	for name, fig := range rep.Figures {
		if got := mustRead(t, filepath.Join(imgDir, name)); !bytes.Equal(got, fig) {
			t.Errorf("leaderboard/img/%s is not what the committed results give"+stale, name)
		}
	}
	entries, err := os.ReadDir(imgDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := rep.Figures[e.Name()]; !ok && strings.HasSuffix(e.Name(), ".svg") {
			t.Errorf("leaderboard/img/%s is not a figure of the report"+stale, e.Name())
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// docs/REPRODUCTION.md is what its own command (quoted in the reference
// file's commands) makes from the committed runs in
// docs/reproduction/results, byte for byte.
func TestCommittedReproductionIsReproducible(t *testing.T) {
	root := filepath.Join("..", "..")
	if _, err := os.Stat(filepath.Join(root, "docs", "reproduction", "results")); err != nil {
		t.Skip("no committed runs in docs/reproduction/results")
	}
	t.Chdir(root)
	o := &reproduceOptions{reference: "docs/reproduction/van-de-ven-2019.yaml",
		report: "docs/REPRODUCTION.md", paths: []string{"docs/reproduction/results"}}
	got, err := reproduceReport(o)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(mustRead(t, o.report), got) {
		t.Errorf("%s is not what the committed runs give; run ./bin/clbench reproduce "+
			"--reference %s --report %s %s and commit the result",
			o.report, o.reference, o.report, o.paths[0])
	}
}
