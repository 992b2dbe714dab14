package strategies

import (
	"strings"
	"testing"

	"github.com/clbench/clbench/bench"
)

func TestRegistryRejectsDuplicateName(t *testing.T) {
	r := &Registry{}
	info := Info{Name: "mine", Family: Fuse, Summary: "a test strategy",
		New: func(Config) (bench.Strategy, error) { return finetune{}, nil }}
	if err := r.Register(info); err != nil {
		t.Fatal(err)
	}
	err := r.Register(info)
	if err == nil || !strings.Contains(err.Error(), "already registered") {
		t.Fatalf("second registration of %q: err = %v, want already registered", info.Name, err)
	}
}

func TestRegistryRejectsUnknownParameter(t *testing.T) {
	_, _, err := Default.New("finetune", map[string]string{"lambda": "1"})
	if err == nil || !strings.Contains(err.Error(), "no parameter") {
		t.Fatalf("err = %v, want an unknown-parameter error", err)
	}
}

func TestEveryStrategyIsDescribed(t *testing.T) {
	for _, info := range Default.All() {
		if info.Family == "" || info.Summary == "" {
			t.Errorf("%s: family %q, summary %q; both must be set", info.Name, info.Family, info.Summary)
		}
		for _, p := range info.Params {
			if p.Default == "" || p.Doc == "" {
				t.Errorf("%s: parameter %s lacks a default or a description", info.Name, p.Name)
			}
		}
		// Every strategy must build with its defaults.
		if _, _, err := Default.New(info.Name, nil); err != nil {
			t.Errorf("%s with defaults: %v", info.Name, err)
		}
	}
}

// joint leaves every row but the last unmeasured; finetune measures
// all of them and forgets the first task's cue once the third task
// (another classify task on the same kind of sentences) has trained.
func TestReferenceStrategies(t *testing.T) {
	ft := runStrategy(t, "finetune", nil, 1)
	for i := range ft.R {
		for j := range ft.R[i] {
			if ft.R[i][j] != ft.R[i][j] {
				t.Errorf("finetune R[%d][%d] not measured", i, j)
			}
		}
	}
	jt := runStrategy(t, "joint", nil, 1)
	last := len(jt.R) - 1
	for i := 0; i < last; i++ {
		if jt.R[i][0] == jt.R[i][0] {
			t.Errorf("joint R[%d] measured (%v), want unmeasured", i, jt.R[i])
		}
	}
	for j, score := range jt.R[last] {
		if !(score >= 0.9) {
			t.Errorf("joint final score on task %d = %.3f, want >= 0.9 (every toy task is one cue word)", j+1, score)
		}
	}
}
