package strategies

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/clbench/clbench/bench"
)

// trainBackboneParam is the parameter every Isolate and Expand strategy
// takes: with no pre-trained encoder, the backbone learns on the first
// task and is frozen from the second on.
var trainBackboneParam = Param{
	Name:    "train_backbone_first",
	Default: "true",
	Doc: "train the embeddings, blocks and norms on the first task (there is no " +
		"pre-trained encoder); they are frozen from the second task on",
}

// isolation is what the Isolate and Expand strategies share. Each adds
// parameters of its own for a task under root/task<k>, uses them only
// in passes whose Forward.Task is k, and trains only them and task k's
// head from the second task on. Since nothing a task's evaluation reads
// changes after that task, old tasks keep their scores bit for bit:
// forgetting is exactly 0 in the per-task-head setting.
type isolation struct {
	// root is the scope of the parameters the strategy adds.
	root          string
	trainBackbone bool
}

func newIsolation(root string, cfg Config) (isolation, error) {
	iso := isolation{root: root}
	b, err := isoBool(cfg, trainBackboneParam.Name)
	if err != nil {
		return iso, err
	}
	iso.trainBackbone = b
	return iso, nil
}

// scope is where task's own parameters live.
func (iso isolation) scope(task int) string {
	return fmt.Sprintf("%s/task%d", iso.root, task)
}

// Trainable lets task's own parameters and head train, and the backbone
// (everything neither a head nor added by the strategy) only on the
// first task when train_backbone_first is set.
func (iso isolation) Trainable(_ *bench.Session, task int, path string) bool {
	switch {
	case strings.HasPrefix(path, bench.HeadPath(task)+"/"),
		strings.HasPrefix(path, iso.scope(task)+"/"):
		return true
	case strings.HasPrefix(path, "/head/"), strings.HasPrefix(path, iso.root+"/"):
		return false
	}
	return task == 0 && iso.trainBackbone
}

// AfterTask does nothing: the strategies add their parameters before a
// task and need no work after it.
func (isolation) AfterTask(*bench.Session, int) error { return nil }

// exists reports whether the model holds parameter path, that is
// whether the task that owns it has started. A task evaluated before
// its parameters exist is evaluated without them.
func (isolation) exists(f *bench.Forward, path string) bool {
	return f.Model.Param(path) != nil
}

// isoBool parses parameter name as a boolean (true, false, 1, 0).
func isoBool(cfg Config, name string) (bool, error) {
	v, err := strconv.ParseBool(cfg[name])
	if err != nil {
		return false, fmt.Errorf("parameter %s=%q is not true or false", name, cfg[name])
	}
	return v, nil
}

// isoPositive reads integer parameter name and rejects values below 1.
func isoPositive(cfg Config, name string) (int, error) {
	n, err := cfg.Int(name)
	if err != nil {
		return 0, err
	}
	if n < 1 {
		return 0, fmt.Errorf("parameter %s=%d must be at least 1", name, n)
	}
	return n, nil
}
