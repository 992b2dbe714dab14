package strategies

import (
	"context"
	"fmt"
	"testing"

	"github.com/clbench/clbench/bench"
	"github.com/clbench/clbench/metrics"
	"github.com/clbench/clbench/tasks"
)

// splitMNISTACC runs each strategy (with its parameters) on a split
// MNIST scenario in a CI-sized protocol: the paper's network and
// optimizer (mlp400, Adam 0.001, batches of 128) for 150 iterations per
// task instead of 2,000, one seed, 500 test images per task. It
// returns each strategy's ACC.
func splitMNISTACC(t *testing.T, scenario tasks.Scenario, runs map[string]map[string]string) map[string]float64 {
	t.Helper()
	t.Setenv(tasks.DataEnv, t.TempDir()) // MNIST from the Go module cache
	stream, err := tasks.Load("split-mnist-"+string(scenario), tasks.Options{MaxTest: 500})
	if err != nil {
		t.Fatal(err)
	}
	model, err := bench.ModelSize("mlp400")
	if err != nil {
		t.Fatal(err)
	}
	train := bench.DefaultTrainConfig
	train.Epochs, train.Iterations, train.BatchSize, train.LearningRate = 0, 150, 128, 0.001
	backend, _, err := bench.NewBackend("")
	if err != nil {
		t.Fatal(err)
	}
	acc := map[string]float64{}
	for name, params := range runs {
		s := newStrategy(t, name, params)
		out, err := bench.Run(context.Background(), bench.RunSpec{
			Stream: stream, Strategy: s, Seed: 1, Model: model, Train: train, Backend: backend,
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		acc[name] = metrics.Compute(metrics.Matrix(out.R), out.Untrained, nil).ACC.X
		t.Logf("%s on split-mnist-%s: ACC %.1f", name, scenario, 100*acc[name])
	}
	return acc
}

// The parameters of van de Ven and Tolias' code for each scenario
// (docs/reproduction/split-mnist-*.yaml), with the Fisher from 500
// examples instead of all.
func paperParams(scenario tasks.Scenario) map[string]map[string]string {
	ewc, oewc, c := "1e7", "8e7", "50"
	if scenario == tasks.ClassIL {
		ewc, oewc, c = "1e8", "8e8", "0.5"
	}
	return map[string]map[string]string{
		"finetune":   nil,
		"ewc":        {"lambda": ewc, "samples": "500", "labels": "predicted"},
		"online-ewc": {"lambda": oewc, "gamma": "0.8", "samples": "500", "labels": "predicted"},
		"si":         {"c": c, "xi": "0.1"},
		"lwf":        {"weighting": "tasks"},
	}
}

// TestSplitMNISTClassILOrdering checks the ordering van de Ven and
// Tolias (2019) report for class-incremental split MNIST: with no task
// identity, the regularisation methods stay at the level of sequential
// fine-tuning, about 20% (the last task's two digits of ten), while
// replay does far better. The bounds leave room for a short training:
// regularisers within 15 points of 20%, replay at least 30 points
// above the best of them.
func TestSplitMNISTClassILOrdering(t *testing.T) {
	if testing.Short() {
		t.Skip("trains seven mlp400 runs on split MNIST")
	}
	runs := paperParams(tasks.ClassIL)
	runs["replay"] = map[string]string{"memory": "1000", "batch": "128"}
	acc := splitMNISTACC(t, tasks.ClassIL, runs)
	best := 0.0
	for _, name := range []string{"finetune", "ewc", "online-ewc", "si", "lwf"} {
		if a := acc[name]; a < 0.10 || a > 0.35 {
			t.Errorf("%s: class-IL ACC %.1f%%, want near 20%% (10 to 35)", name, 100*a)
		}
		best = max(best, acc[name])
	}
	if acc["replay"] < best+0.30 {
		t.Errorf("replay: class-IL ACC %.1f%%, want at least 30 points above the regularisers' best %.1f%%",
			100*acc["replay"], 100*best)
	}
}

// TestSplitMNISTTaskILOrdering checks the task-incremental ordering:
// with task identity every method does better than fine-tuning.
func TestSplitMNISTTaskILOrdering(t *testing.T) {
	if testing.Short() {
		t.Skip("trains six mlp400 runs on split MNIST")
	}
	runs := paperParams(tasks.TaskIL)
	runs["joint"] = nil
	acc := splitMNISTACC(t, tasks.TaskIL, runs)
	for name, a := range acc {
		if name != "finetune" && !(a > acc["finetune"]) {
			t.Errorf("%s: task-IL ACC %.1f%% is not above finetune's %.1f%%", name, 100*a, 100*acc["finetune"])
		}
	}
	if t.Failed() {
		t.Log(fmt.Sprint(acc))
	}
}
