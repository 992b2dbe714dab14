package bench

import (
	"strings"
	"testing"

	"github.com/clbench/clbench/internal/toy"
	"github.com/clbench/clbench/results"
)

// A run's id follows its content: another protocol, seed or strategy
// configuration is another run; the same content is the same run.
func TestRunIDFollowsContent(t *testing.T) {
	first := DefaultTrainConfig
	first.Protocol = 0
	base := results.Run{Stream: "s", StreamVersion: "1", StreamDigest: "d", Strategy: "ewc",
		StrategyConfig: `{"lambda":"1"}`, Seed: 1, ModelConfig: "{}", Backend: "go",
		TrainConfig: canonicalJSON(first)}
	// Protocol 0 stays out of the JSON, so the first results keep their ids.
	if strings.Contains(base.TrainConfig, "protocol") {
		t.Errorf("protocol 0 written into %s", base.TrainConfig)
	}
	next := first
	next.Protocol = 1
	for name, change := range map[string]func(*results.Run){
		"protocol": func(r *results.Run) { r.TrainConfig = canonicalJSON(next) },
		"seed":     func(r *results.Run) { r.Seed = 2 },
		"config":   func(r *results.Run) { r.StrategyConfig = `{"lambda":"2"}` },
		"data":     func(r *results.Run) { r.StreamDigest = "e" },
	} {
		r := base
		change(&r)
		if RunID(r) == RunID(base) {
			t.Errorf("another %s gives the same run id", name)
		}
	}
	if same := base; RunID(same) != RunID(base) {
		t.Error("the same content gives another id")
	}
}

// A run records each task's training and test sizes as it used them:
// the toy stream of 64 examples per task keeps a quarter for test.
func TestRowRecordsTaskSizes(t *testing.T) {
	row := (&Suite{}).newRow(toy.Stream(64), 0, StrategySpec{Name: "finetune"}, 1)
	if want := "48/16,48/16,48/16"; row.TaskSizes != want {
		t.Errorf("task sizes %q, want %q", row.TaskSizes, want)
	}
}
