package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clbench/clbench/results"
)

// One damaged file does not stop validate: it is an error naming the
// file, the other runs are checked, and the exit status is 1.
func TestValidateGoesOnPastADamagedFile(t *testing.T) {
	dir := t.TempDir()
	writeSeeds(t, dir, "finetune", results.StatusOK, 1, 2, 3)
	bad := filepath.Join(dir, "bad"+results.RunSuffix)
	if err := os.WriteFile(bad, []byte("not parquet"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := clbench(t, "validate", dir)
	if code != 1 || !strings.Contains(stdout, "error: "+bad+": not a readable Parquet file") ||
		!strings.Contains(stderr, "3 runs checked") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1, an error naming %s, 3 runs checked",
			code, stdout, stderr, bad)
	}
}
