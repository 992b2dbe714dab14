package bench

// Progress tells a suite's observer where it stands. Fields that do not
// apply to an event are zero.
type Progress struct {
	Run, Runs int    // the run (from 1) of how many in this suite or shard
	Label     string // "strategy on stream, seed n"
	Task      int    // the task being trained (from 1), 0 outside training
	Tasks     int
	TaskName  string
	Step      int  // training step within the task (from 1)
	Steps     int  // training steps of the task, all epochs
	Done      bool // this run has ended
	Finished  int  // runs ended so far
}
