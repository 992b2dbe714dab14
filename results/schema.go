package results

import "time"

// Status values of a Run.
const (
	StatusOK     = "ok"
	StatusFailed = "failed"
)

// Cell is one cell of a run's accuracy matrix: the score on task
// EvalTask's test set after training through task AfterTask. Tasks are
// numbered from 1; AfterTask 0 is the untrained model (the b_j of
// forward transfer).
type Cell struct {
	RunID         string  `parquet:"run_id" json:"run_id"`
	Stream        string  `parquet:"stream" json:"stream"`
	StreamVersion string  `parquet:"stream_version" json:"stream_version"`
	Strategy      string  `parquet:"strategy" json:"strategy"`
	Seed          int64   `parquet:"seed" json:"seed"`
	Shots         int64   `parquet:"shots" json:"shots"`
	Backend       string  `parquet:"backend" json:"backend"`
	AfterTask     int32   `parquet:"after_task" json:"after_task"`
	EvalTask      int32   `parquet:"eval_task" json:"eval_task"`
	EvalTaskName  string  `parquet:"eval_task_name" json:"eval_task_name"`
	ScoreName     string  `parquet:"score_name" json:"score_name"`
	Score         float64 `parquet:"score" json:"score"`
}

// Diagnostic is one forgetting diagnostic of a run, keyed like a cell:
// after training task AfterTask, about task Task (both from 1), the
// quantity Name for Group (a parameter group, "block0/head1",
// "layer0", "all", or empty). Value is null where the quantity is
// undefined. bench.Diagnostic's documentation defines each name.
type Diagnostic struct {
	RunID         string   `parquet:"run_id" json:"run_id"`
	Stream        string   `parquet:"stream" json:"stream"`
	StreamVersion string   `parquet:"stream_version" json:"stream_version"`
	Strategy      string   `parquet:"strategy" json:"strategy"`
	Seed          int64    `parquet:"seed" json:"seed"`
	Shots         int64    `parquet:"shots" json:"shots"`
	Backend       string   `parquet:"backend" json:"backend"`
	AfterTask     int32    `parquet:"after_task" json:"after_task"`
	Task          int32    `parquet:"task" json:"task"`
	TaskName      string   `parquet:"task_name" json:"task_name"`
	Name          string   `parquet:"name" json:"name"`
	Group         string   `parquet:"group" json:"group"`
	Value         *float64 `parquet:"value,optional" json:"value"`
}

// Run is the summary of one run (stream x strategy x seed): its
// metrics, its cost and its provenance. Metrics that the run cannot
// define are nil (null in Parquet and JSON).
type Run struct {
	RunID          string `parquet:"run_id" json:"run_id"`
	Stream         string `parquet:"stream" json:"stream"`
	StreamVersion  string `parquet:"stream_version" json:"stream_version"`
	StreamDigest   string `parquet:"stream_digest" json:"stream_digest"`
	Strategy       string `parquet:"strategy" json:"strategy"`
	StrategyConfig string `parquet:"strategy_config" json:"strategy_config"`
	Seed           int64  `parquet:"seed" json:"seed"`
	Shots          int64  `parquet:"shots" json:"shots"`
	NumTasks       int32  `parquet:"num_tasks" json:"num_tasks"`
	TaskNames      string `parquet:"task_names" json:"task_names"`
	// TaskSizes is each task's number of training and test examples, as
	// the run used them (after caps and few-shot sampling), in task
	// order: "1000/500,1000/500,1000/400". Empty in results written
	// before it was recorded.
	TaskSizes   string `parquet:"task_sizes,optional" json:"task_sizes,omitempty"`
	Backend     string `parquet:"backend" json:"backend"`
	Build       string `parquet:"build" json:"build"`
	ModelConfig string `parquet:"model_config" json:"model_config"`
	TrainConfig string `parquet:"train_config" json:"train_config"`

	Status string `parquet:"status" json:"status"`
	Error  string `parquet:"error" json:"error"`

	ACC           *float64 `parquet:"acc,optional" json:"acc"`
	BWT           *float64 `parquet:"bwt,optional" json:"bwt"`
	FWT           *float64 `parquet:"fwt,optional" json:"fwt"`
	Forgetting    *float64 `parquet:"forgetting,optional" json:"forgetting"`
	Intransigence *float64 `parquet:"intransigence,optional" json:"intransigence"`
	LA            *float64 `parquet:"la,optional" json:"la"`

	WallSeconds       float64 `parquet:"wall_seconds" json:"wall_seconds"`
	TrainSeconds      float64 `parquet:"train_seconds" json:"train_seconds"`
	EvalSeconds       float64 `parquet:"eval_seconds" json:"eval_seconds"`
	ExamplesPerSecond float64 `parquet:"examples_per_second" json:"examples_per_second"`
	PeakMemoryBytes   int64   `parquet:"peak_memory_bytes" json:"peak_memory_bytes"`
	TrainableParams   int64   `parquet:"trainable_params" json:"trainable_params"`
	BaseParams        int64   `parquet:"base_params" json:"base_params"`
	ParamsAddedPct    float64 `parquet:"params_added_pct" json:"params_added_pct"`
	ExamplesStored    int64   `parquet:"examples_stored" json:"examples_stored"`

	ClbenchVersion string    `parquet:"clbench_version" json:"clbench_version"`
	GitCommit      string    `parquet:"git_commit" json:"git_commit"`
	GoVersion      string    `parquet:"go_version" json:"go_version"`
	Host           string    `parquet:"host" json:"host"`
	StartTime      time.Time `parquet:"start_time,timestamp(millisecond)" json:"start_time"`
}
