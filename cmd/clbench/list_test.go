package main

import (
	"strings"
	"testing"

	"github.com/clbench/clbench/strategies"
)

// clbench list with no argument lists all four kinds (it was a usage
// error); list models names the sizes and what they read; list
// strategies NAME shows each parameter's default and its Doc from the
// registry.
func TestListAllAndOneStrategy(t *testing.T) {
	ewc, _ := strategies.Default.Lookup("ewc")
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"list"}, []string{"sentiment-ner-domain", "finetune", "mlp400", "Forgetting"}},
		{[]string{"list", "models"}, []string{"MODEL", "mlp400   images", "tiny     text"}},
		{[]string{"list", "strategies", "ewc"}, []string{"ewc (protect)", "--param ewc.NAME=VALUE",
			"lambda     100", ewc.Params[0].Doc, "samples"}},
		{[]string{"list", "strategies", "finetune"}, []string{"finetune (reference)", "no parameters"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, stdout, stderr := clbench(t, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, want := range tc.want {
				if !strings.Contains(stdout, want) {
					t.Errorf("output lacks %q:\n%s", want, stdout)
				}
			}
		})
	}
	for _, args := range [][]string{
		{"list", "strategies", "nope"}, {"list", "models", "tiny"}, {"list", "nope"},
	} {
		if code, _, _ := clbench(t, args...); code != 2 {
			t.Errorf("%s: exit %d, want 2", strings.Join(args, " "), code)
		}
	}
}
