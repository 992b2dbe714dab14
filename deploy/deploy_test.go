// Package deploy_test checks the batch-system files in deploy/: that
// they parse, run the right command, and that the shards they start
// cover every run of a suite exactly once.
package deploy_test

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/clbench/clbench/bench"
)

// coverage starts n shards from their environments and counts how
// often each run of a 10-run suite is run.
func coverage(t *testing.T, n int, env func(shard int) map[string]string) []int {
	t.Helper()
	suite := &bench.Suite{
		Streams:    []bench.StreamSpec{{Name: "a"}, {Name: "b"}},
		Strategies: []bench.StrategySpec{{Name: "x"}},
		Seeds:      []int64{1, 2, 3, 4, 5},
	}
	counts := make([]int, len(suite.Runs()))
	for shard := 0; shard < n; shard++ {
		e := env(shard)
		i, count, source, err := bench.ShardFromEnv(func(k string) string { return e[k] })
		if err != nil || source == "" {
			t.Fatalf("shard %d: source %q, err %v", shard, source, err)
		}
		suite.Shard, suite.Shards = i, count
		for _, r := range suite.Runs() {
			counts[r.Index]++
		}
	}
	return counts
}

func TestKubernetesIndexedJob(t *testing.T) {
	data, err := os.ReadFile("kubernetes/clbench-suite.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var job struct {
		Kind string
		Spec struct {
			CompletionMode string `yaml:"completionMode"`
			Completions    int
			Template       struct {
				Spec struct {
					Containers []struct {
						Command []string
						Env     []struct{ Name, Value string }
					}
				}
			}
		}
	}
	if err := yaml.Unmarshal(data, &job); err != nil {
		t.Fatal(err)
	}
	if job.Kind != "Job" || job.Spec.CompletionMode != "Indexed" || len(job.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("want one container in an Indexed Job, got %+v", job)
	}
	c := job.Spec.Template.Spec.Containers[0]
	if len(c.Command) < 4 || c.Command[0] != "clbench" || c.Command[1] != "run" || !slices.Contains(c.Command, "--suite") {
		t.Errorf("command %q does not run a clbench suite", c.Command)
	}
	count := ""
	for _, e := range c.Env {
		if e.Name == "CLBENCH_SHARD_COUNT" {
			count = e.Value
		}
	}
	if count != strconv.Itoa(job.Spec.Completions) {
		t.Errorf("CLBENCH_SHARD_COUNT = %q, completions = %d: they must be equal", count, job.Spec.Completions)
	}
	counts := coverage(t, job.Spec.Completions, func(i int) map[string]string {
		return map[string]string{"JOB_COMPLETION_INDEX": strconv.Itoa(i), "CLBENCH_SHARD_COUNT": count}
	})
	for run, c := range counts {
		if c != 1 {
			t.Errorf("run %d is run %d times by the Job's shards", run, c)
		}
	}
}

func TestSlurmArray(t *testing.T) {
	data, err := os.ReadFile("slurm/clbench-array.sh")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^#SBATCH --array=(\d+)-(\d+)$`).FindSubmatch(data)
	if m == nil {
		t.Fatal("no contiguous #SBATCH --array=LO-HI line")
	}
	lo, _ := strconv.Atoi(string(m[1]))
	hi, _ := strconv.Atoi(string(m[2]))
	if !regexp.MustCompile(`(?m)^exec clbench run --suite `).Match(data) {
		t.Error("the script does not exec clbench run --suite")
	}
	n := hi - lo + 1
	counts := coverage(t, n, func(i int) map[string]string {
		return map[string]string{"SLURM_ARRAY_TASK_ID": strconv.Itoa(lo + i),
			"SLURM_ARRAY_TASK_MIN": strconv.Itoa(lo), "SLURM_ARRAY_TASK_COUNT": strconv.Itoa(n)}
	})
	for run, c := range counts {
		if c != 1 {
			t.Errorf("run %d is run %d times by the array's shards", run, c)
		}
	}
}
