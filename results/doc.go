// Package results owns clbench's results files and everything that reads
// them: the Parquet schema ([Run] and [Cell]), the writer and reader, the
// rebuilding of a run's accuracy matrix, the leaderboard and its report,
// the comparison of two result sets, and the validation of a submission.
//
// # Files
//
// A run writes two Parquet files into an output folder:
//
//	<run_id>.cells.parquet   one Cell per measured cell of R, with the
//	                         untrained model's row (AfterTask 0)
//	<run_id>.run.parquet     one Run: metrics, cost, provenance
//
// [WriteRun] writes the cells first and the run last, each atomically (a
// temporary file in the same folder, fsync, rename, fsync of the folder),
// so a run file's presence marks the run complete, and a folder never
// holds half a file. A cells file without its run file is what an
// interrupted run leaves; [Read] ignores it with a warning.
//
// Cells number tasks from 1 as the papers do (AfterTask 0 is the
// untrained model); [metrics.Matrix] is 0-based, so Cell{AfterTask: i,
// EvalTask: j} with i >= 1 is R[i-1][j-1], and Cell{AfterTask: 0,
// EvalTask: j} is the untrained score b[j-1]. See [Set.Matrix].
//
// # Undefined metrics
//
// A metric a run cannot define is a nil pointer in [Run] (null in
// Parquet and JSON), never 0 and never NaN: [WriteRun] rejects a NaN.
// Use [metrics.Value.Ptr] to fill the pointers.
//
// # Leaderboard
//
// [Leaderboard] groups the runs that completed (Status "ok") by stream,
// stream version, shots and strategy; seeds are the repeats. Each score
// is a mean over seeds with a 95% Student-t interval ([metrics.MeanCI]);
// [Render] prints it in points (score × 100) as "mean ± half-width".
// Failed runs are never scores: [Failures] lists them apart.
//
// [Amplification] turns leaderboard entries into the few-shot
// amplification table: for each stream and strategy, forgetting on the
// full stream and on each few-shot variant, and
// [metrics.FewShotAmplification] of the means.
//
// # Report
//
// [BuildReport] and [WriteReport] make LEADERBOARD.md: a header saying
// what made it (the generator's version and the command; nothing that
// depends on the time or the machine), one section per stream, version
// and shots with its table, an SVG heat map of each strategy's mean
// accuracy matrix and an SVG plot of each task's score along the stream
// (gonum.org/v1/plot, vgsvg backend), then the amplification table and
// the failed runs. Fonts are named in the SVG, never embedded or fetched;
// gonum/plot measures text with its own embedded Liberation fonts, so
// the same results give the same bytes whatever fonts a machine has.
//
// # Comparison
//
// [Compare] compares two result sets as benchstat compares benchmarks,
// seeds being the repeats: per stream, shots, strategy and metric, the
// means with their intervals, the change (in points for scores, in
// percent of the old mean for costs), and Welch's two-sample t-test
// ([WelchTTest]); "~" where the change is not significant. It uses
// Welch's t rather than benchstat's Mann-Whitney U because seeds are
// few: U cannot reach p < 0.05 below four values a side (its smallest
// two-sided p with three and three is 2/C(6,3) = 0.1), while Welch's t,
// which assumes roughly normal values over seeds but not equal spreads,
// can. With fewer than [MinSeeds] values on a side nothing is tested,
// and a note says that no change can be significant. A change regresses
// when its metric gates, it is significant, it goes the metric's worse
// way (metrics.Info.HigherIsBetter) and it is larger than the threshold.
//
// # Validation
//
// [Validate] checks a submitted set and lists every problem with its
// file, run and metric: schema, provenance, run ids, stream versions,
// failed runs, cells, metrics recomputed from the cells with
// [metrics.Compute] against the stored ones, and complete seeds and
// configurations.
package results
