package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/clbench/clbench/strategies"
)

// The workflow in docs/ci-regression-gate.md is valid YAML, and every
// clbench command in it has flags this clbench knows and strategies
// that are registered, so the documentation cannot drift from the
// program unnoticed.
func TestCIGateWorkflowCommands(t *testing.T) {
	doc := string(mustRead(t, filepath.Join("..", "..", "docs", "ci-regression-gate.md")))
	_, rest, ok := strings.Cut(doc, "```yaml\n")
	if !ok {
		t.Fatal("no yaml block")
	}
	block, _, _ := strings.Cut(rest, "\n```\n")
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Name string `yaml:"name"`
				Run  string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(block), &wf); err != nil {
		t.Fatalf("workflow is not valid YAML: %v", err)
	}

	seen := map[string]bool{}
	for _, job := range wf.Jobs {
		for _, step := range job.Steps {
			script := strings.ReplaceAll(step.Run, "\\\n", " ")
			for _, line := range strings.Split(script, "\n") {
				_, cmdline, ok := strings.Cut(line, "bin/clbench ")
				if !ok {
					continue
				}
				cmdline, _, _ = strings.Cut(cmdline, ">") // the shell's redirections
				args := strings.Fields(cmdline)
				root := newRootCmd()
				cmd, flags, err := root.Find(args)
				if err != nil || cmd == root {
					t.Errorf("%s: %q is not a clbench command", step.Name, cmdline)
					continue
				}
				seen[cmd.Name()] = true
				if err := cmd.ParseFlags(flags); err != nil {
					t.Errorf("%s: %q: %v", step.Name, cmdline, err)
				}
				s, err := cmd.Flags().GetString("strategy")
				if err != nil || !cmd.Flags().Changed("strategy") {
					continue
				}
				for _, name := range strings.Split(s, ",") {
					if _, ok := strategies.Default.Lookup(name); !ok {
						t.Errorf("%s: strategy %q is not registered", step.Name, name)
					}
				}
			}
		}
	}
	for _, want := range []string{"run", "validate", "compare"} {
		if !seen[want] {
			t.Errorf("the workflow never runs clbench %s", want)
		}
	}
	if _, err := os.Stat(filepath.Join("..", "..", "CONTRIBUTING.md")); err != nil {
		t.Errorf("CONTRIBUTING.md: %v", err)
	}
}
