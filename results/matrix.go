package results

import (
	"fmt"
	"math"

	"github.com/clbench/clbench/metrics"
)

// Run returns the run with the given id.
func (s *Set) Run(runID string) (Run, bool) {
	for _, r := range s.Runs {
		if r.RunID == runID {
			return r, true
		}
	}
	return Run{}, false
}

// Matrix rebuilds the accuracy matrix of run runID from its cells: the
// cell (AfterTask i, EvalTask j), i >= 1, is R[i-1][j-1], and (AfterTask
// 0, EvalTask j) is untrained[j-1]. Cells not in the set are NaN.
// untrained is nil when the run has no AfterTask 0 cell. T is the run's
// NumTasks, or the largest task number in its cells when NumTasks is 0.
// It is an error when the run is not in the set, has no cells, or a cell
// is out of range or measured twice.
func (s *Set) Matrix(runID string) (r metrics.Matrix, untrained []float64, err error) {
	run, ok := s.Run(runID)
	if !ok {
		return nil, nil, fmt.Errorf("run %q: not in the results", runID)
	}
	var cells []Cell
	for _, c := range s.Cells {
		if c.RunID == runID {
			cells = append(cells, c)
		}
	}
	if len(cells) == 0 {
		return nil, nil, fmt.Errorf("run %q: no cells", runID)
	}

	// The number of tasks.
	t := int(run.NumTasks)
	if t == 0 {
		for _, c := range cells {
			t = max(t, int(c.AfterTask), int(c.EvalTask))
		}
	}

	// Place each cell once.
	r = metrics.NewMatrix(t)
	b := make([]float64, t)
	for j := range b {
		b[j] = math.NaN()
	}
	hasUntrained := false
	for _, c := range cells {
		i, j := int(c.AfterTask), int(c.EvalTask)
		if i < 0 || i > t || j < 1 || j > t {
			return nil, nil, fmt.Errorf("run %q: cell (after task %d, task %d) outside %d tasks",
				runID, i, j, t)
		}
		dst := &b[j-1]
		if i > 0 {
			dst = &r[i-1][j-1]
		} else {
			hasUntrained = true
		}
		if !math.IsNaN(*dst) {
			return nil, nil, fmt.Errorf("run %q: cell (after task %d, task %d) given twice",
				runID, i, j)
		}
		*dst = c.Score
	}
	if hasUntrained {
		untrained = b
	}
	return r, untrained, nil
}
