// Package results owns clbench's results files and everything that reads
// them: the Parquet schema ([Run] and [Cell]), the writer and reader, the
// rebuilding of a run's accuracy matrix, and the leaderboard.
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
package results
