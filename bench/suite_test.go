package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clbench/clbench/internal/toy"
	"github.com/clbench/clbench/results"
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

// A process killed after writing a run's results and before removing
// its lock leaves the lock behind; the suite that resumes skips the run
// as complete and removes that stale lock, but not a live one.
func TestSkippedRunClearsItsStaleLock(t *testing.T) {
	host, _ := os.Hostname()
	for _, tc := range []struct {
		name, owner string
		wantLock    bool
	}{
		{"process ended", fmt.Sprintf("%s %d\n", host, 1<<30), false},
		{"process alive", fmt.Sprintf("%s %d\n", host, os.Getppid()), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var started atomic.Int32
			s := failingSuite(t, 1, 1, &started)
			stream, _ := s.Streams[0].Load(1)
			row := s.newRow(stream, 0, s.Strategies[0], 1)
			row.Status = results.StatusOK
			if err := results.WriteRun(s.Out, row, nil); err != nil {
				t.Fatal(err)
			}
			lock := filepath.Join(s.Out, row.RunID+".lock")
			if err := os.WriteFile(lock, []byte(tc.owner), 0o644); err != nil {
				t.Fatal(err)
			}
			rep, err := s.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if rep.Skipped != 1 || started.Load() != 0 {
				t.Fatalf("%d skipped, %d started; want the complete run skipped", rep.Skipped, started.Load())
			}
			if _, err := os.Stat(lock); (err == nil) != tc.wantLock {
				t.Errorf("lock there: %v, want %v", err == nil, tc.wantLock)
			}
		})
	}
}

// A run already complete but made by another commit is kept, not rerun
// (the id leaves the build out), and the suite says so once, with the
// commits.
func TestSkippedRunOfAnotherCommitWarns(t *testing.T) {
	for _, tc := range []struct {
		name, commit string
		warn         bool
	}{
		{"this commit", GitCommit(), false},
		{"another commit", "0ldc0mm1t000", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var started atomic.Int32
			s := failingSuite(t, 1, 1, &started)
			var logs bytes.Buffer
			s.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			stream, _ := s.Streams[0].Load(1)
			row := s.newRow(stream, 0, s.Strategies[0], 1)
			row.Status, row.GitCommit = results.StatusOK, tc.commit
			if err := results.WriteRun(s.Out, row, nil); err != nil {
				t.Fatal(err)
			}
			rep, err := s.Run(context.Background())
			if err != nil || rep.Skipped != 1 {
				t.Fatalf("err %v, %d skipped; want the complete run skipped", err, rep.Skipped)
			}
			warned := strings.Contains(logs.String(), "made by another build or commit")
			if warned != tc.warn || (tc.warn && !strings.Contains(logs.String(), tc.commit)) {
				t.Errorf("warned %v, want %v:\n%s", warned, tc.warn, logs.String())
			}
		})
	}
}

// A run another live process holds is awaited, not left undone: when
// that process writes it and unlocks, the suite takes it as complete
// (two commands sharing a folder both end with the whole suite done).
func TestSuiteWaitsForARunAnotherProcessHolds(t *testing.T) {
	defer func(p time.Duration) { busyPoll = p }(busyPoll)
	busyPoll = 10 * time.Millisecond
	host, _ := os.Hostname()
	var started atomic.Int32
	s := failingSuite(t, 1, 1, &started)
	stream, _ := s.Streams[0].Load(1)
	row := s.newRow(stream, 0, s.Strategies[0], 1)
	lock := filepath.Join(s.Out, row.RunID+".lock")
	// The parent process (go test) is alive: the lock is not stale.
	if err := os.WriteFile(lock, []byte(fmt.Sprintf("%s %d\n", host, os.Getppid())), 0o644); err != nil {
		t.Fatal(err)
	}
	go func() { // the other process finishes the run a little later
		time.Sleep(100 * time.Millisecond)
		row.Status = results.StatusOK
		if err := results.WriteRun(s.Out, row, nil); err != nil {
			t.Error(err)
		}
		os.Remove(lock)
	}()
	rep, err := s.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Busy != 0 || rep.Skipped != 1 || len(rep.Runs) != 1 || started.Load() != 0 {
		t.Errorf("busy %d, skipped %d, runs %d, started %d; want the other process's run "+
			"awaited and taken as complete", rep.Busy, rep.Skipped, len(rep.Runs), started.Load())
	}
}
