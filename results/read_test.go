package results

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clbench/clbench/metrics"
)

// copyFile copies src to dst.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadErrors(t *testing.T) {
	good := t.TempDir()
	run, cells := sampleRun()
	if err := WriteRun(good, run, cells); err != nil {
		t.Fatal(err)
	}
	runBytes, err := os.ReadFile(RunPath(good, run.RunID))
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		setup func(dir string) string // writes into dir, returns the path to read
		want  string                  // in the error, besides the file name
	}{
		{"not Parquet", func(dir string) string {
			p := filepath.Join(dir, "x.run.parquet")
			os.WriteFile(p, []byte("run_id,acc\nx,0.5\n"), 0o644)
			return dir
		}, "not a readable Parquet file"},
		{"truncated", func(dir string) string {
			p := filepath.Join(dir, "x.run.parquet")
			os.WriteFile(p, runBytes[:len(runBytes)/2], 0o644)
			return dir
		}, "not a readable Parquet file"},
		{"damaged footer", func(dir string) string {
			p := filepath.Join(dir, "x.run.parquet")
			b := append([]byte(nil), runBytes...)
			for i := len(b) - 200; i < len(b)-8; i++ {
				b[i] ^= 0x5a
			}
			os.WriteFile(p, b, 0o644)
			return p
		}, "not a readable Parquet file"},
		{"cells file named as a run file", func(dir string) string {
			p := filepath.Join(dir, "x.run.parquet")
			copyFile(t, CellsPath(good, run.RunID), p)
			return dir
		}, `no column "status"`},
		{"run file named as a cells file", func(dir string) string {
			p := filepath.Join(dir, "x.cells.parquet")
			copyFile(t, RunPath(good, run.RunID), p)
			return p
		}, `no column "after_task"`},
		{"not a results file", func(dir string) string {
			p := filepath.Join(dir, "x.parquet")
			copyFile(t, RunPath(good, run.RunID), p)
			return p
		}, "not a results file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tt.setup(dir)
			_, err := Read(good, path)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not name the file under %s or say %q", err, dir, tt.want)
			}
		})
	}

	// The library's own words alone ("Seek: invalid offset") say
	// nothing of what to do.
	t.Run("says what to do", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "x.run.parquet"), runBytes[:len(runBytes)/2], 0o644)
		if _, err := Read(dir); err == nil || !strings.Contains(err.Error(), "rerun its run") {
			t.Errorf("error %v does not say to rerun or remove the file", err)
		}
	})

	t.Run("missing path", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "nothing")
		if _, err := Read(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("error %v does not name %s", err, p)
		}
	})
}

func TestReadWarnings(t *testing.T) {
	run, cells := sampleRun()
	tests := []struct {
		name      string
		setup     func(t *testing.T) []string // the paths to read
		wantRuns  int
		wantCells int
		wantWarns []string // parts of each warning, in order
	}{
		{"run and cells", func(t *testing.T) []string {
			d := t.TempDir()
			WriteRun(d, run, cells)
			return []string{d}
		}, 1, len(cells), nil},
		{"a folder and a file in it read once", func(t *testing.T) []string {
			d := t.TempDir()
			WriteRun(d, run, cells)
			return []string{d, RunPath(d, run.RunID), CellsPath(d, run.RunID)}
		}, 1, len(cells), nil},
		{"cells without run file", func(t *testing.T) []string {
			d := t.TempDir()
			WriteRun(d, run, cells)
			os.Remove(RunPath(d, run.RunID))
			return []string{d}
		}, 0, 0, []string{
			`no run file for run "sentiment-ner-domain-finetune-1" (an interrupted run?)`,
		}},
		{"same run in two folders", func(t *testing.T) []string {
			a, b := t.TempDir(), t.TempDir()
			WriteRun(a, run, cells)
			WriteRun(b, run, cells)
			return []string{a, b}
		}, 1, len(cells), []string{"already read", "already read"}},
		{"subfolders", func(t *testing.T) []string {
			d := t.TempDir()
			WriteRun(filepath.Join(d, "shard-0"), run, cells)
			other, otherCells := runOf(fixtures[1])
			WriteRun(filepath.Join(d, "shard-1"), other, otherCells)
			return []string{d}
		}, 2, 2 * len(cells), nil},
		{"empty folder", func(t *testing.T) []string {
			return []string{t.TempDir()}
		}, 0, 0, []string{"no results files"}},
		// What no clbench writes (a hand edit): warned of, a NaN metric
		// read as undefined; validate reports each as an error.
		{"values no writer stores", func(t *testing.T) []string {
			d := t.TempDir()
			bad, badCells := run, slices.Clone(cells)
			bad.ACC, bad.Status = ptr(math.NaN()), "weird"
			badCells[0].Score = 1.5
			if err := writeAtomic(RunPath(d, bad.RunID), []Run{bad}); err != nil {
				t.Fatal(err)
			}
			if err := writeAtomic(CellsPath(d, bad.RunID), badCells); err != nil {
				t.Fatal(err)
			}
			return []string{d}
		}, 1, len(cells), []string{"stores acc = NaN; read as undefined",
			`has status "weird"`, "has a cell scored 1.5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Read(tt.setup(t)...)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Runs) != tt.wantRuns || len(s.Cells) != tt.wantCells {
				t.Errorf("%d runs and %d cells, want %d and %d",
					len(s.Runs), len(s.Cells), tt.wantRuns, tt.wantCells)
			}
			if len(s.Warnings) != len(tt.wantWarns) {
				t.Fatalf("warnings %q, want %d", s.Warnings, len(tt.wantWarns))
			}
			for i, w := range tt.wantWarns {
				if !strings.Contains(s.Warnings[i], w) {
					t.Errorf("warning %q does not say %q", s.Warnings[i], w)
				}
			}
		})
	}
}

func TestSetMatrix(t *testing.T) {
	base := func() *Set {
		run, cells := runOf(fixtures[0]) // R = [[0.9, ·], [0.5, 0.7]], b = (0.5, 0.5)
		return &Set{Runs: []Run{run}, Cells: cells}
	}
	id := base().Runs[0].RunID
	tests := []struct {
		name          string
		edit          func(s *Set)
		id            string
		wantR         metrics.Matrix
		wantUntrained []float64
		wantErr       string
	}{
		{"as written", func(*Set) {}, id,
			metrics.Matrix{{0.9, nan}, {0.5, 0.7}}, []float64{0.5, 0.5}, ""},
		{"no untrained row", func(s *Set) { s.Cells = s.Cells[2:] }, id,
			metrics.Matrix{{0.9, nan}, {0.5, 0.7}}, nil, ""},
		// T from the cells: the largest task number, 2.
		{"NumTasks not recorded", func(s *Set) { s.Runs[0].NumTasks = 0 }, id,
			metrics.Matrix{{0.9, nan}, {0.5, 0.7}}, []float64{0.5, 0.5}, ""},
		// Cells of another run do not mix in.
		{"other runs' cells", func(s *Set) {
			c := s.Cells[2]
			c.RunID, c.Score = "other", 0.1
			s.Cells = append(s.Cells, c)
		}, id, metrics.Matrix{{0.9, nan}, {0.5, 0.7}}, []float64{0.5, 0.5}, ""},
		{"unknown run", func(*Set) {}, "nope", nil, nil, "not in the results"},
		{"no cells", func(s *Set) { s.Cells = nil }, id, nil, nil, "no cells"},
		{"out of range", func(s *Set) { s.Cells[2].AfterTask = 3 }, id, nil, nil, "outside 2 tasks"},
		{"twice", func(s *Set) { s.Cells = append(s.Cells, s.Cells[3]) }, id, nil, nil, "given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base()
			tt.edit(s)
			r, b, err := s.Matrix(tt.id)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !sameRows(r, tt.wantR) {
				t.Errorf("R = %v, want %v", r, tt.wantR)
			}
			if (b == nil) != (tt.wantUntrained == nil) ||
				!sameRows([][]float64{b}, [][]float64{tt.wantUntrained}) {
				t.Errorf("untrained = %v, want %v", b, tt.wantUntrained)
			}
		})
	}
}

// sameRows compares matrices, NaN equal to NaN.
func sameRows(a, b [][]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] && !(math.IsNaN(a[i][j]) && math.IsNaN(b[i][j])) {
				return false
			}
		}
	}
	return true
}

// A run file with the schema and no rows, as pyarrow writes it, holds no
// run: a warning, not "Seek: invalid offset". testdata/pyarrow-empty.run.parquet
// was written by pyarrow 26 from a committed run file:
//
//	t = pq.read_table("leaderboard/results/00c14b9d4a4aab7e.run.parquet")
//	pq.write_table(t.slice(0, 0), "pyarrow-empty.run.parquet")
func TestReadPyarrowEmptyFile(t *testing.T) {
	dir := t.TempDir()
	run, cells := sampleRun()
	if err := WriteRun(dir, run, cells); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty"+RunSuffix)
	copyFile(t, filepath.Join("testdata", "pyarrow-empty"+RunSuffix), empty)
	s, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Runs) != 1 || len(s.Warnings) != 1 ||
		!strings.Contains(s.Warnings[0], empty+": no rows") {
		t.Errorf("%d runs, warnings %q; want the one run and a warning that %s has no rows",
			len(s.Runs), s.Warnings, empty)
	}
}

// A run file without a column of its kind (written by another tool) is
// read as far as it can be, with a warning naming the file and column.
func TestReadWarnsOfAnotherSchema(t *testing.T) {
	dir := t.TempDir()
	type partRun struct {
		RunID  string `parquet:"run_id"`
		Status string `parquet:"status"`
		Stream string `parquet:"stream"`
	}
	path := filepath.Join(dir, "hand"+RunSuffix)
	if err := writeAtomic(path, []partRun{{"hand", StatusOK, snd}}); err != nil {
		t.Fatal(err)
	}
	s, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Runs) != 1 || !slices.ContainsFunc(s.Warnings, func(w string) bool {
		return strings.HasPrefix(w, path+`: no column "acc", so its values are not read`)
	}) {
		t.Errorf("%d runs, warnings %q; want the run and a warning of its missing acc",
			len(s.Runs), s.Warnings)
	}
}
