package results

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// sampleRun is a complete run with some metrics undefined (nil).
func sampleRun() (Run, []Cell) {
	run, cells := runOf(fixtures[0]) // finetune seed 1: FWT and intransigence nil
	run.StreamDigest = "sha256:abc"
	run.StrategyConfig = `{"lr":0.001}`
	run.TaskNames = "sst2,conll2003"
	run.Build = "v0.1.0"
	run.ModelConfig = `{"name":"tiny"}`
	run.TrainConfig = `{"epochs":1}`
	run.TrainSeconds, run.EvalSeconds = 8, 2
	run.PeakMemoryBytes = 1 << 30
	run.ParamsAddedPct = 1.5
	run.ClbenchVersion, run.GitCommit, run.GoVersion, run.Host = "0.1.0", "abc123", "go1.26", "ci-1"
	run.StartTime = time.Date(2025, 3, 1, 12, 0, 0, 123_000_000, time.UTC)
	return run, cells
}

func TestWriteReadRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out", "shard-1") // created by WriteRun
	run, cells := sampleRun()
	if run.FWT != nil || run.Intransigence != nil || run.ACC == nil {
		t.Fatal("the sample should have FWT and intransigence undefined, ACC defined")
	}
	if err := WriteRun(dir, run, cells); err != nil {
		t.Fatal(err)
	}

	s, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) != 0 {
		t.Errorf("warnings: %q", s.Warnings)
	}
	if len(s.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(s.Runs))
	}
	got := s.Runs[0]
	got.StartTime = got.StartTime.UTC()
	if !reflect.DeepEqual(got, run) {
		t.Errorf("run read back\n%+v\nwant\n%+v", got, run)
	}
	if got.FWT != nil || got.Intransigence != nil {
		t.Error("nil metrics did not stay nil")
	}
	if !reflect.DeepEqual(s.Cells, cells) {
		t.Errorf("cells read back\n%+v\nwant\n%+v", s.Cells, cells)
	}
}

// TestColumnNames reads the files with types that know nothing but the
// column names, as a reader in another language would.
func TestColumnNames(t *testing.T) {
	dir := t.TempDir()
	run, cells := sampleRun()
	if err := WriteRun(dir, run, cells); err != nil {
		t.Fatal(err)
	}

	// A row type of three columns.
	type partialRun struct {
		ID  string   `parquet:"run_id"`
		ACC *float64 `parquet:"acc,optional"`
		FWT *float64 `parquet:"fwt,optional"`
	}
	rows, err := parquet.ReadFile[partialRun](RunPath(dir, run.RunID))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].ID != run.RunID || rows[0].ACC == nil ||
		math.Abs(*rows[0].ACC-0.6) > 1e-12 || rows[0].FWT != nil {
		t.Errorf("got %+v, want id %s, acc 0.6, fwt null", rows, run.RunID)
	}

	// The columns by name, in the schema's order.
	for _, c := range []struct {
		file string
		want []string
	}{
		{RunPath(dir, run.RunID), []string{"run_id", "stream", "status", "acc", "bwt", "fwt",
			"forgetting", "intransigence", "la", "wall_seconds", "start_time"}},
		{CellsPath(dir, run.RunID), []string{"run_id", "after_task", "eval_task", "score"}},
	} {
		f, err := os.Open(c.file)
		if err != nil {
			t.Fatal(err)
		}
		info, _ := f.Stat()
		pf, err := parquet.OpenFile(f, info.Size())
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, col := range pf.Schema().Columns() {
			names = append(names, strings.Join(col, "."))
		}
		for _, w := range c.want {
			if !slices.Contains(names, w) {
				t.Errorf("%s: no column %q in %q", filepath.Base(c.file), w, names)
			}
		}
		f.Close()
	}
}

// snapshot returns the name and bytes of every file in dir.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = b
	}
	return m
}

func TestWriteRunAtomic(t *testing.T) {
	errDisk := errors.New("disk full")
	tests := []struct {
		name      string
		failOn    string // the suffix of the file whose write fails
		sameRun   bool   // rewrite the earlier run instead of writing another
		wantNew   []string
		wantWarns int // warnings when reading the folder afterwards
	}{
		// Nothing of the new run is written.
		{"cells file of a new run", CellsSuffix, false, nil, 0},
		// The new run's cells are in place, its run file is not: an
		// interrupted run, which Read leaves out with a warning.
		{"run file of a new run", RunSuffix, false, []string{"b" + CellsSuffix}, 1},
		// Rewriting a run keeps its old files whole.
		{"cells file of the same run", CellsSuffix, true, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			run, cells := sampleRun()
			run.RunID = "a"
			for i := range cells {
				cells[i].RunID = "a"
			}
			if err := WriteRun(dir, run, cells); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, dir)

			// Write again, failing just before one of the renames.
			next, nextCells := run, slices.Clone(cells)
			next.WallSeconds = 99
			if !tt.sameRun {
				next.RunID = "b"
				for i := range nextCells {
					nextCells[i].RunID = "b"
				}
			}
			beforeRename = func(tmp string) error {
				if strings.Contains(filepath.Base(tmp), tt.failOn) {
					return errDisk
				}
				return nil
			}
			err := WriteRun(dir, next, nextCells)
			beforeRename = nil
			if !errors.Is(err, errDisk) {
				t.Fatalf("error %v, want %v", err, errDisk)
			}

			// The earlier files are byte-identical, no temporary file is
			// left, and only the expected new files exist.
			after := snapshot(t, dir)
			for name, b := range before {
				if !bytes.Equal(after[name], b) {
					t.Errorf("%s changed", name)
				}
			}
			var added []string
			for name := range after {
				if _, ok := before[name]; !ok {
					added = append(added, name)
				}
			}
			slices.Sort(added)
			if !slices.Equal(added, tt.wantNew) {
				t.Errorf("new files %q, want %q", added, tt.wantNew)
			}

			s, err := Read(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Runs) != 1 || s.Runs[0].RunID != "a" || s.Runs[0].WallSeconds != 10 {
				t.Errorf("runs %+v, want run a as first written", s.Runs)
			}
			if len(s.Warnings) != tt.wantWarns {
				t.Errorf("warnings %q, want %d", s.Warnings, tt.wantWarns)
			}
		})
	}
}

func TestWriteRunRejects(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Run, []Cell) []Cell
		wantErr string
	}{
		{"empty id", func(r *Run, c []Cell) []Cell { r.RunID = ""; return c }, "empty run id"},
		{"path in id", func(r *Run, c []Cell) []Cell { r.RunID = "../x"; return c }, "path separator"},
		{"hidden id", func(r *Run, c []Cell) []Cell { r.RunID = ".x"; return c }, "dot"},
		{"unknown status", func(r *Run, c []Cell) []Cell { r.Status = "done"; return c },
			`status "done"`},
		{"NaN metric", func(r *Run, c []Cell) []Cell { r.BWT = ptr(nan); return c }, "bwt is NaN"},
		{"cell of another run", func(r *Run, c []Cell) []Cell { c[0].RunID = "other"; return c },
			`belongs to run "other"`},
		{"NaN score", func(r *Run, c []Cell) []Cell { c[1].Score = nan; return c }, "score is NaN"},
		{"task 0 evaluated", func(r *Run, c []Cell) []Cell { c[0].EvalTask = 0; return c },
			"numbered from 1"},
		{"task out of range", func(r *Run, c []Cell) []Cell { c[0].EvalTask = 3; return c },
			"has 2 tasks"},
		{"cell twice", func(r *Run, c []Cell) []Cell { return append(c, c[0]) }, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			run, cells := sampleRun()
			cells = tt.edit(&run, cells)
			err := WriteRun(dir, run, cells)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
			if files := snapshot(t, dir); len(files) != 0 {
				t.Errorf("wrote %d files", len(files))
			}
		})
	}
}
