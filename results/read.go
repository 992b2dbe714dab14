package results

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// Set is what [Read] found: the runs, the cells of those runs, and
// warnings about files it left out.
type Set struct {
	Runs  []Run
	Cells []Cell
	// Diagnostics are the forgetting diagnostics of the runs that
	// measured them.
	Diagnostics []Diagnostic
	Warnings    []string

	// RunFiles maps each run id to the run file it was read from, so
	// that a report can name the file.
	RunFiles map[string]string
}

// Read reads results files. Each path is a folder, read recursively for
// every *.run.parquet and *.cells.parquet in it (in lexical order), or a
// single such file. Errors name the file. A file read twice (a folder
// and a file in it) counts once.
//
// Cells are kept only for runs that Read found a run file for; a cells
// file without its run file (an interrupted run) is left out with a
// warning. A run id found more than once keeps its first run file and
// the cells file beside it, with a warning.
//
// A file with the columns of its kind and no rows (pyarrow writes such a
// file) holds no runs; a warning says so.
func Read(paths ...string) (*Set, error) {
	s, err := read(paths, nil, nil)
	if err != nil {
		return nil, err
	}
	for i := range s.Runs {
		s.sane(&s.Runs[i])
	}
	// A file whose columns are not its kind's (a hand edit, another tool)
	// is read as far as it can be; say what was not.
	for _, f := range slices.Sorted(maps.Values(s.RunFiles)) {
		for _, path := range []string{f, sibling(f)} {
			problems, err := schemaProblems(path)
			if err != nil {
				continue // not there, or already reported when read
			}
			for _, p := range problems {
				if p.Severity == SeverityError {
					s.warnf("%s: %s, so its values are not read as clbench wrote them "+
						"(clbench validate reports it)", path, p.Message)
				}
			}
		}
	}
	warned := map[string]bool{}
	for _, c := range s.Cells {
		if !(c.Score >= 0 && c.Score <= 1) && !warned[c.RunID] {
			warned[c.RunID] = true
			s.warnf("%s: run %q has a cell scored %v (after task %d, task %d), outside [0, 1]; "+
				"clbench validate reports such runs", s.RunFiles[c.RunID], c.RunID, c.Score,
				c.AfterTask, c.EvalTask)
		}
	}
	return s, nil
}

// read is [Read]. A file in skip is left out, and so are the cells and
// diagnostics beside a run file in skip, without a warning. When
// damaged is not nil, a file that cannot be read is given to it and left
// out, as if in skip, instead of stopping the reading.
func read(paths []string, skip map[string]bool, damaged func(file string, err error)) (*Set,
	error) {
	var (
		files []string
		seen  = map[string]bool{}
		s     = &Set{RunFiles: map[string]string{}}
	)
	skipped := map[string]bool{}
	for f := range skip {
		skipped[f] = true
	}
	// readOrSkip returns false for a file left out.
	readOrSkip := func(f string, err error) (bool, error) {
		switch {
		case skipped[f]:
			return false, nil
		case err == nil:
			return true, nil
		case damaged == nil:
			return false, err
		}
		damaged(f, err)
		skipped[f] = true
		return false, nil
	}
	// besideSkipped reports whether a cells or diagnostics file is beside
	// a run file left out: its rows have no run to go with.
	besideSkipped := func(f, suffix string) bool {
		return skipped[strings.TrimSuffix(f, suffix)+RunSuffix]
	}

	// Gather the files, each once.
	for _, p := range paths {
		found, err := listFiles(p)
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			s.warnf("%s: no results files", p)
		}
		for _, f := range found {
			abs, err := filepath.Abs(f)
			if err != nil {
				return nil, err
			}
			if !seen[abs] {
				seen[abs] = true
				files = append(files, f)
			}
		}
	}

	// Read the run files first: they decide which cells count.
	runFile := map[string]string{} // run id -> the run file kept
	for _, f := range files {
		if !strings.HasSuffix(f, RunSuffix) || skipped[f] {
			continue
		}
		runs, err := readFile[Run](f, "run_id", "status")
		if ok, err := readOrSkip(f, err); !ok {
			if err != nil {
				return nil, err
			}
			continue
		}
		if len(runs) == 0 {
			s.warnf("%s: no rows: the file holds no run", f)
		}
		for _, r := range runs {
			if first, dup := runFile[r.RunID]; dup && first == f {
				s.warnf("%s: holds run %q twice; keeping the first row", f, r.RunID)
				continue
			} else if dup {
				s.warnf("%s: run %q already read from %s; keeping that one", f, r.RunID, first)
				continue
			}
			runFile[r.RunID] = f
			s.RunFiles[r.RunID] = f
			s.Runs = append(s.Runs, r)
		}
	}

	// Then the cells, grouped by file and run.
	type part struct {
		file  string
		runID string
		cells []Cell
	}
	var parts []part
	for _, f := range files {
		if !strings.HasSuffix(f, CellsSuffix) || skipped[f] || besideSkipped(f, CellsSuffix) {
			continue
		}
		cells, err := readFile[Cell](f, "run_id", "after_task", "eval_task", "score")
		if ok, err := readOrSkip(f, err); !ok {
			if err != nil {
				return nil, err
			}
			continue
		}
		byRun := map[string][]Cell{}
		var order []string
		for _, c := range cells {
			if _, ok := byRun[c.RunID]; !ok {
				order = append(order, c.RunID)
			}
			byRun[c.RunID] = append(byRun[c.RunID], c)
		}
		for _, id := range order {
			parts = append(parts, part{f, id, byRun[id]})
		}
	}

	// Each run takes the cells of one file: the one beside its run file
	// if there is one, else the first.
	chosen := map[string]string{} // run id -> cells file
	for _, p := range parts {
		if rf, ok := runFile[p.runID]; ok && p.file == sibling(rf) {
			chosen[p.runID] = p.file
		}
	}
	for _, p := range parts {
		if _, ok := runFile[p.runID]; !ok {
			s.warnf("%s: no run file for run %q (an interrupted run?); its cells are left out",
				p.file, p.runID)
			continue
		}
		if c, ok := chosen[p.runID]; ok && c != p.file {
			s.warnf("%s: cells of run %q already read from %s; keeping those", p.file, p.runID, c)
			continue
		}
		chosen[p.runID] = p.file
		s.Cells = append(s.Cells, p.cells...)
	}

	// Then the diagnostics, kept for the runs read, from the file beside
	// the run file.
	for _, f := range files {
		if !strings.HasSuffix(f, DiagnosticsSuffix) || skipped[f] ||
			besideSkipped(f, DiagnosticsSuffix) {
			continue
		}
		rows, err := readFile[Diagnostic](f, "run_id", "after_task", "task", "name", "value")
		if err != nil {
			// Diagnostics explain a run; a damaged file of them must not
			// hide the runs' scores.
			s.warnf("%v; its diagnostics are left out", err)
			continue
		}
		for _, d := range rows {
			rf, ok := runFile[d.RunID]
			if !ok {
				s.warnf("%s: no run file for run %q (an interrupted run?); its diagnostics are left out",
					f, d.RunID)
				break
			}
			if strings.TrimSuffix(rf, RunSuffix)+DiagnosticsSuffix != f {
				s.warnf("%s: diagnostics of run %q, whose run file is %s; left out", f, d.RunID, rf)
				break
			}
			s.Diagnostics = append(s.Diagnostics, d)
		}
	}
	return s, nil
}

// sane warns of what no writer of clbench stores in a run, which the
// file says all the same (a hand edit, another tool): a score metric that
// is not a finite number is read as undefined, and a status other than
// ok or failed keeps the run out of the rankings, as a failed run is.
// (Read also warns of a cell scored outside [0, 1].) clbench validate,
// which reads the files as they are, reports each as an error.
func (s *Set) sane(r *Run) {
	file := s.RunFiles[r.RunID]
	for _, m := range []struct {
		key string
		v   **float64
	}{{"acc", &r.ACC}, {"bwt", &r.BWT}, {"fwt", &r.FWT}, {"forgetting", &r.Forgetting},
		{"intransigence", &r.Intransigence}, {"la", &r.LA}} {
		if *m.v != nil && !finite(**m.v) {
			s.warnf("%s: run %q stores %s = %v; read as undefined (clbench validate reports it)",
				file, r.RunID, m.key, **m.v)
			*m.v = nil
		}
	}
	if r.Status != StatusOK && r.Status != StatusFailed {
		s.warnf("%s: run %q has status %q, neither %q nor %q; left out as a failed run",
			file, r.RunID, r.Status, StatusOK, StatusFailed)
	}
}

func (s *Set) warnf(format string, args ...any) {
	s.Warnings = append(s.Warnings, fmt.Sprintf(format, args...))
}

// sibling returns the cells file that goes with a run file.
func sibling(runFile string) string {
	return strings.TrimSuffix(runFile, RunSuffix) + CellsSuffix
}

// listFiles returns the results files at path: path itself if it is a
// file (with, for a run file, the cells and diagnostics files beside it),
// or those below it if it is a folder, in lexical order. Names
// starting with a dot (temporary files) are skipped.
func listFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such file or folder", path)
	} else if err != nil {
		return nil, fmt.Errorf("%s: cannot read it: %w", path, errors.Unwrap(err))
	}
	if !info.IsDir() {
		if !isResultsFile(path) {
			return nil, fmt.Errorf("%s: not a results file (want *%s, *%s or *%s)",
				path, RunSuffix, CellsSuffix, DiagnosticsSuffix)
		}
		files := []string{path}
		if base, ok := strings.CutSuffix(path, RunSuffix); ok {
			// A run file brings its cells and diagnostics, when beside it.
			for _, suffix := range []string{CellsSuffix, DiagnosticsSuffix} {
				if _, err := os.Stat(base + suffix); err == nil {
					files = append(files, base+suffix)
				}
			}
		}
		return files, nil
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && isResultsFile(p) && !strings.HasPrefix(d.Name(), ".") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	return files, nil
}

func isResultsFile(p string) bool {
	return strings.HasSuffix(p, RunSuffix) || strings.HasSuffix(p, CellsSuffix) ||
		strings.HasSuffix(p, DiagnosticsSuffix)
}

// readFile reads every row of the Parquet file at path as a T, after
// checking that the file has the columns named in need (so that a file
// of another kind is an error, not rows of zeros). A file with no rows
// gives none. Errors, and panics of the Parquet library on a damaged
// file, name the file and say what to do.
func readFile[T any](path string, need ...string) (rows []T, err error) {
	defer func() {
		if r := recover(); r != nil {
			rows, err = nil, damagedFile(path, fmt.Errorf("%v", r))
		}
	}()

	pf, closeFile, err := openParquet(path)
	if err != nil {
		return nil, err
	}
	defer closeFile()
	for _, col := range need {
		if _, ok := pf.Schema().Lookup(col); !ok {
			return nil, fmt.Errorf("%s: no column %q; not a clbench results file of this kind",
				path, col)
		}
	}
	if pf.NumRows() == 0 {
		// Reading no rows from a file that pyarrow wrote fails with
		// "Seek: invalid offset": there is nothing to read anyway.
		return nil, nil
	}
	rows = make([]T, pf.NumRows())
	r := parquet.NewGenericReader[T](pf)
	defer r.Close()
	n, err := r.Read(rows)
	if err != nil && err != io.EOF {
		return nil, damagedFile(path, err)
	}
	if n != len(rows) {
		return nil, damagedFile(path, fmt.Errorf("read %d of its %d rows", n, len(rows)))
	}
	return rows, nil
}

// openParquet opens the Parquet file at path; the error names the file.
func openParquet(path string) (*parquet.File, func() error, error) {
	f, err := os.Open(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // its own text repeats the path
		}
		return nil, nil, fmt.Errorf("%s: cannot open it: %w", path, err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	pf, err := parquet.OpenFile(f, info.Size())
	if err != nil {
		f.Close()
		return nil, nil, damagedFile(path, err)
	}
	return pf, f.Close, nil
}

// damagedFile is the error about a results file that the Parquet
// library cannot read.
func damagedFile(path string, err error) error {
	why := ""
	switch msg := err.Error(); {
	case strings.Contains(msg, "magic"):
		why = " (it does not end as a Parquet file does)"
	case !strings.ContainsFunc(msg, func(r rune) bool { return r < ' ' || r == '\\' }):
		why = " (" + msg + ")" // the library's words, when they hold no raw bytes
	}
	return fmt.Errorf("%s: not a readable Parquet file, damaged or cut short%s: "+
		"write it again (rerun its run) or remove it", path, why)
}
