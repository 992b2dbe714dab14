package results

import (
	"strings"
	"testing"

	"github.com/clbench/clbench/metrics"
)

// Runs of one strategy under two model configurations are two entries,
// each labelled with its setup, never one entry averaged over both.
func TestLeaderboardKeepsSetupsApart(t *testing.T) {
	set := &Set{}
	for i, f := range []fixture{
		{snd, 0, "finetune", 1, metrics.Matrix{{0.9, nan}, {0.5, 0.7}}, StatusOK, nil, 10, 0},
		{snd, 0, "finetune", 2, metrics.Matrix{{0.9, nan}, {0.6, 0.8}}, StatusOK, nil, 20, 0},
		{snd, 0, "finetune", 1, metrics.Matrix{{0.9, nan}, {0.7, 0.9}}, StatusOK, nil, 30, 0},
	} {
		run, cells := runOf(f)
		run.RunID += string(rune('a' + i))
		run.ModelConfig = `{"name":"tiny"}`
		if i == 2 {
			run.ModelConfig = `{"name":"micro"}`
		}
		set.Runs = append(set.Runs, run)
		set.Cells = append(set.Cells, cells...)
	}
	entries := Leaderboard(set)
	if len(entries) != 2 {
		t.Fatalf("%d entries, want 2 (one per model)", len(entries))
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Strategy, "finetune [setup ") || e.Setup == "" {
			t.Errorf("entry %q is not labelled with its setup", e.Strategy)
		}
	}
	// The tiny entry has seeds 1 and 2: ACC (0.6+0.7)/2 = 0.65; the
	// micro one seed 1 alone: ACC (0.7+0.9)/2 = 0.8.
	got := map[int]float64{}
	for _, e := range entries {
		got[e.Seeds] = e.ACC.Mean
	}
	if abs(got[2]-0.65) > 1e-12 || abs(got[1]-0.8) > 1e-12 {
		t.Errorf("ACC by seeds = %v, want 2 seeds: 0.65, 1 seed: 0.8", got)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
