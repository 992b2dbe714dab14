package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestParquetOpensInPyarrow reads a run's Parquet files with pyarrow, a
// reader independent of the one that wrote them. It needs a Python with
// pyarrow: $CLBENCH_PYTHON, else .cache/py (which .ci/run installs), else
// python3; it is skipped, saying so, when none has pyarrow.
func TestParquetOpensInPyarrow(t *testing.T) {
	python := findPyarrow()
	if python == "" {
		t.Skip("no Python with pyarrow (set CLBENCH_PYTHON, or run .ci/run to install one in .cache/py)")
	}
	dir := t.TempDir()
	if code, _, stderr := clbench(t, quickRun(dir, "--strategy", "finetune,joint")...); code != 0 {
		t.Fatal(stderr)
	}
	out, err := exec.Command(python, "../../scripts/check_parquet.py", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("pyarrow could not read the results: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), "rows"); n != 4 {
		t.Errorf("pyarrow read %d files, want 4:\n%s", n, out)
	}
}

func findPyarrow() string {
	candidates := []string{os.Getenv("CLBENCH_PYTHON"), filepath.FromSlash("../../.cache/py/bin/python"), "python3"}
	for _, p := range candidates {
		if p == "" {
			continue
		}
		if err := exec.Command(p, "-c", "import pyarrow.parquet").Run(); err == nil {
			return p
		}
	}
	return ""
}
