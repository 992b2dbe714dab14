package results

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// File name suffixes of a run's two files.
const (
	RunSuffix   = ".run.parquet"
	CellsSuffix = ".cells.parquet"
	// DiagnosticsSuffix ends the file of a run's forgetting diagnostics,
	// written (when measured) before the run file.
	DiagnosticsSuffix = ".diagnostics.parquet"
)

// RunPath returns the path of run id's run file in dir; the file exists
// when the run is complete.
func RunPath(dir, runID string) string { return filepath.Join(dir, runID+RunSuffix) }

// CellsPath returns the path of run id's cells file in dir.
func CellsPath(dir, runID string) string { return filepath.Join(dir, runID+CellsSuffix) }

// DiagnosticsPath returns the path of run id's diagnostics file in dir.
func DiagnosticsPath(dir, runID string) string { return filepath.Join(dir, runID+DiagnosticsSuffix) }

// WriteDiagnostics writes the diagnostics of run runID into dir,
// atomically, creating dir if needed. Write them before the run file
// (WriteRun), which marks the run complete. Every row must belong to
// the run and hold a finite value or none.
func WriteDiagnostics(dir, runID string, rows []Diagnostic) error {
	if err := checkRunID(runID); err != nil {
		return fmt.Errorf("writing diagnostics of run %q: %w", runID, err)
	}
	for i, d := range rows {
		if d.RunID != runID {
			return fmt.Errorf("writing diagnostics of run %q: row %d belongs to run %q", runID, i, d.RunID)
		}
		if d.Value != nil && !finite(*d.Value) {
			return fmt.Errorf("writing diagnostics of run %q: row %d (%s %s) is %v; undefined is null",
				runID, i, d.Name, d.Group, *d.Value)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("writing diagnostics of run %q: %w", runID, err)
	}
	if err := writeAtomic(DiagnosticsPath(dir, runID), rows); err != nil {
		return fmt.Errorf("writing diagnostics of run %q: %w", runID, err)
	}
	return nil
}

// beforeRename, when set by a test, runs after a temporary file is
// written and synced and before it is renamed; an error stops the write
// there, as a crash or a full disk would.
var beforeRename func(tmp string) error

// WriteRun writes run and its cells into dir, creating dir if needed:
// first <run_id>.cells.parquet, then <run_id>.run.parquet, each
// atomically. It replaces an earlier version of the same run's files and
// touches no other file. It checks what it writes: a run id usable as a
// file name, a known status, finite scores and metrics (undefined is nil,
// not NaN), cells of this run with task numbers in range and no cell
// twice.
func WriteRun(dir string, run Run, cells []Cell) error {
	if err := checkRun(run, cells); err != nil {
		return fmt.Errorf("writing run %q: %w", run.RunID, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("writing run %q: %w", run.RunID, err)
	}
	if err := writeAtomic(CellsPath(dir, run.RunID), cells); err != nil {
		return fmt.Errorf("writing run %q: %w", run.RunID, err)
	}
	if err := writeAtomic(RunPath(dir, run.RunID), []Run{run}); err != nil {
		return fmt.Errorf("writing run %q: %w", run.RunID, err)
	}
	return nil
}

// checkRunID reports whether id can name files.
func checkRunID(id string) error {
	switch {
	case id == "":
		return errors.New("empty run id")
	case strings.HasPrefix(id, "."), strings.ContainsAny(id, `/\`+"\x00"):
		return errors.New("run id must not start with a dot or hold a path separator")
	}
	return nil
}

// checkRun returns an error describing the first thing wrong with run
// and cells.
func checkRun(run Run, cells []Cell) error {
	if err := checkRunID(run.RunID); err != nil {
		return err
	}
	if run.Status != StatusOK && run.Status != StatusFailed {
		return fmt.Errorf("status %q, want %q or %q", run.Status, StatusOK, StatusFailed)
	}

	// Metrics are nil or finite.
	for _, m := range []struct {
		name string
		p    *float64
	}{
		{"acc", run.ACC}, {"bwt", run.BWT}, {"fwt", run.FWT},
		{"forgetting", run.Forgetting}, {"intransigence", run.Intransigence}, {"la", run.LA},
	} {
		if m.p != nil && !finite(*m.p) {
			return fmt.Errorf("%s is %v; an undefined metric is nil", m.name, *m.p)
		}
	}

	// Cells belong to the run, are in range and measured, once each.
	type key struct{ after, eval int32 }
	seen := make(map[key]bool, len(cells))
	for _, c := range cells {
		where := fmt.Sprintf("cell (after task %d, task %d)", c.AfterTask, c.EvalTask)
		switch {
		case c.RunID != run.RunID:
			return fmt.Errorf("%s belongs to run %q", where, c.RunID)
		case c.AfterTask < 0 || c.EvalTask < 1:
			return fmt.Errorf("%s: tasks are numbered from 1 (after task 0 is untrained)", where)
		case run.NumTasks > 0 && (c.AfterTask > run.NumTasks || c.EvalTask > run.NumTasks):
			return fmt.Errorf("%s: the run has %d tasks", where, run.NumTasks)
		case !finite(c.Score):
			return fmt.Errorf("%s: score is %v; write only measured cells", where, c.Score)
		case seen[key{c.AfterTask, c.EvalTask}]:
			return fmt.Errorf("%s written twice", where)
		}
		seen[key{c.AfterTask, c.EvalTask}] = true
	}
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// writeAtomic writes rows as a Parquet file at path: into a temporary
// file in the same folder, synced, then renamed over path, then the
// folder synced so that the rename survives a crash. On error the
// temporary file is removed and path is as it was.
func writeAtomic[T any](path string, rows []T) (err error) {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}

	// The temporary name starts with a dot and does not end in a results
	// suffix, so a reader never takes it for a results file.
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()

	// Write and sync the data.
	if err := writeParquet(f, rows); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if beforeRename != nil {
		if err := beforeRename(tmp); err != nil {
			return err
		}
	}

	// Publish it.
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

func writeParquet[T any](w io.Writer, rows []T) error {
	pw := parquet.NewGenericWriter[T](w, parquet.Compression(&parquet.Snappy))
	if _, err := pw.Write(rows); err != nil {
		return err
	}
	return pw.Close()
}

// syncDir flushes dir's entries (a rename) to disk. Windows cannot sync
// a folder; there the rename is as durable as the system makes it.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
