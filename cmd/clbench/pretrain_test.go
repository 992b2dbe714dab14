package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clbench/clbench/results"
)

// fduCorpus writes an FDU-MTL folder with 150 unlabelled lines per
// domain (600 in all: 500 held out, 100 to pre-train on) and a test file.
func fduCorpus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	fdu := filepath.Join(dir, "fdu-mtl")
	if err := os.MkdirAll(fdu, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"books", "dvd", "electronics", "kitchen_housewares"} {
		var b strings.Builder
		for i := 0; i < 150; i++ {
			fmt.Fprintf(&b, "this %s is good number %d\n", d, i)
		}
		if err := os.WriteFile(filepath.Join(fdu, d+".task.unlabel"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(fdu, "books.task.test"), []byte("1\tfine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestRunFromAPretrainedBase(t *testing.T) {
	// --pretrain pre-trains once into the cache, records the base in
	// the run's model and scores its held-out text before training and
	// after each task; a second suite finds the base in the cache.
	t.Setenv("CLBENCH_CACHE", t.TempDir())
	data, out := fduCorpus(t), t.TempDir()
	logs := captureLogs(t, func() {
		if code, _, stderr := clbench(t, quickRun(out, "--pretrain", "fdu-mtl", "--data", data, "-v")...); code != 0 {
			t.Fatalf("run: exit %d: %s", code, stderr)
		}
	})
	if n := strings.Count(logs, "pre-training a base encoder"); n != 1 {
		t.Errorf("pre-trained %d times in the first suite, want 1", n)
	}
	set, err := results.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Runs) != 1 || !strings.Contains(set.Runs[0].ModelConfig, `"base":"`) {
		t.Fatalf("runs %d, model %s: the base is not recorded", len(set.Runs), set.Runs[0].ModelConfig)
	}
	var after []int32
	for _, d := range set.Diagnostics {
		if d.Name == "general_masked_accuracy" && d.Task == 0 && d.Value != nil {
			after = append(after, d.AfterTask)
		}
	}
	if fmt.Sprint(after) != "[0 1 2 3]" {
		t.Errorf("general text scored after tasks %v, want [0 1 2 3]", after)
	}

	logs = captureLogs(t, func() {
		if code, _, stderr := clbench(t, quickRun(t.TempDir(), "--pretrain", "fdu-mtl", "--data", data, "-v")...); code != 0 {
			t.Fatalf("second run: exit %d: %s", code, stderr)
		}
	})
	if strings.Contains(logs, "pre-training a base encoder") {
		t.Errorf("the second suite pre-trained again instead of using the cache")
	}

	// A suite whose runs are all complete never needs the base: with
	// an empty cache it still does not pre-train.
	t.Setenv("CLBENCH_CACHE", t.TempDir())
	logs = captureLogs(t, func() {
		if code, _, stderr := clbench(t, quickRun(out, "--pretrain", "fdu-mtl", "--data", data, "-v")...); code != 0 {
			t.Fatalf("complete suite: exit %d: %s", code, stderr)
		}
	})
	if strings.Contains(logs, "pre-training a base encoder") || !strings.Contains(logs, "already complete") {
		t.Errorf("a complete suite pre-trained (or ran again):\n%s", logs)
	}

	if code, _, stderr := clbench(t, quickRun(t.TempDir(), "--pretrain", "wiki", "--data", data)...); code != 2 ||
		!strings.Contains(stderr, `unknown corpus "wiki"`) {
		t.Errorf("unknown corpus: exit %d, %q", code, stderr)
	}
}
