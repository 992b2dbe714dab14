package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"

	"github.com/clbench/clbench/bench"
)

// newProgress returns the suite's progress reporter: a progress bar on
// stderr when stderr is a terminal (runs done of total, the current run,
// task and step, elapsed and estimated time), else a plain log line
// every interval.
func newProgress(stderr io.Writer, logger *slog.Logger, interval time.Duration) (func(bench.Progress), func()) {
	if f, ok := stderr.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		var bar *progressbar.ProgressBar
		update := func(p bench.Progress) {
			if bar == nil {
				bar = progressbar.NewOptions(p.Runs,
					progressbar.OptionSetWriter(stderr),
					progressbar.OptionSetItsString("runs"),
					progressbar.OptionShowCount(),
					progressbar.OptionSetElapsedTime(true),
					progressbar.OptionSetPredictTime(true),
					progressbar.OptionThrottle(200*time.Millisecond),
					progressbar.OptionClearOnFinish(),
				)
			}
			bar.Describe(describe(p))
			if p.Done {
				_ = bar.Set(p.Finished)
			}
		}
		finish := func() {
			if bar != nil {
				_ = bar.Finish()
			}
		}
		return update, finish
	}
	start := time.Now()
	var last time.Time
	update := func(p bench.Progress) {
		if time.Since(last) < interval || p.Done {
			return
		}
		last = time.Now()
		logger.Info("progress", "at", describe(p), "elapsed", time.Since(start).Round(time.Second))
	}
	return update, func() {}
}

func describe(p bench.Progress) string {
	s := fmt.Sprintf("run %d/%d %s", p.Run, p.Runs, p.Label)
	if p.Task > 0 {
		s += fmt.Sprintf(" · task %d/%d %s · step %d/%d", p.Task, p.Tasks, p.TaskName, p.Step, p.Steps)
	}
	return s
}
