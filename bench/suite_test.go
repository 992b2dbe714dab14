package bench

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/clbench/clbench/internal/toy"
	"github.com/clbench/clbench/tasks"
)

// failingSuite is a suite of runs whose strategy cannot be made, so each
// run fails at once, before training; started counts the runs begun.
func failingSuite(t *testing.T, seeds, jobs int, started *atomic.Int32) *Suite {
	t.Helper()
	stream := toy.Stream(64)
	model, _ := ModelSize("micro")
	s := &Suite{
		Streams: []StreamSpec{{Name: stream.Name, Load: func(int64) (*tasks.Stream, error) { return stream, nil }}},
		Strategies: []StrategySpec{{Name: "broken", New: func() (Strategy, error) {
			started.Add(1)
			return nil, errors.New("broken on purpose")
		}}},
		Model: model, Train: DefaultTrainConfig, Out: t.TempDir(), FailFast: true, Jobs: jobs,
	}
	for i := 1; i <= seeds; i++ {
		s.Seeds = append(s.Seeds, int64(i))
	}
	return s
}

// With --fail-fast no run starts after the first failure. One job: the
// first run fails, so exactly 1 of the 3 starts and 2 are not started.
// Two jobs: at most the 2 runs already going when the first failed
// start, so of 4 runs at least 2 are not started.
func TestFailFastStartsNoRunAfterAFailure(t *testing.T) {
	for _, tc := range []struct {
		name        string
		seeds, jobs int
		maxStarted  int32
	}{
		{"one job", 3, 1, 1},
		{"two jobs", 4, 2, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var started atomic.Int32
			rep, err := failingSuite(t, tc.seeds, tc.jobs, &started).Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			n := started.Load()
			if n < 1 || n > tc.maxStarted {
				t.Errorf("%d runs started, want 1..%d", n, tc.maxStarted)
			}
			if len(rep.Failed) != int(n) || rep.NotStarted != tc.seeds-int(n) {
				t.Errorf("report: %d failed, %d not started; want %d and %d",
					len(rep.Failed), rep.NotStarted, n, tc.seeds-int(n))
			}
		})
	}
}
