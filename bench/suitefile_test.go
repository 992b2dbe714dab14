package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeSuite writes body as a suite file and returns its path.
func writeSuite(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "suite.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadSuiteFile(t *testing.T) {
	path := writeSuite(t, `name: s
streams:
  - name: synthetic
    shots: [0, 64]
strategies:
  - finetune
  - name: ewc
    params: {lambda: "10"}
  - name: ewc
    params: {lambda: "100"}
seeds: [1, 7]
epochs: 1
`)
	sf, err := ReadSuiteFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(sf.Strategies) != 3 || len(sf.Seeds) != 2 || sf.Epochs != 1 || len(sf.Streams[0].Shots) != 2 {
		t.Errorf("read %+v", sf)
	}
}

// Each bad file is refused with its path, the line of the fault and
// what is wrong; the lines are counted in the bodies below.
func TestReadSuiteFileRefusesBadInput(t *testing.T) {
	const head = "streams:\n  - name: synthetic\n" // lines 1-2
	for _, c := range []struct{ name, body, want string }{
		{"misspelt key", head + "strategies: [finetune]\nepoch: 2\n", `line 4: unknown key "epoch" (known keys: name,`},
		{"misspelt strategy key", head + "strategies:\n  - name: ewc\n    parms: {lambda: \"5\"}\n",
			`line 5: unknown key "parms" (known keys: name, params)`},
		{"misspelt stream key", "streams:\n  - name: synthetic\n    shot: [64]\nstrategies: [finetune]\n",
			`line 3: unknown key "shot" (known keys: name, file, shots)`},
		{"empty file", "", "empty suite file"},
		{"zero epochs", head + "strategies: [finetune]\nepochs: 0\n", "line 4: epochs must be a positive number"},
		{"negative lr", head + "strategies: [finetune]\nlr: -0.1\n", "line 4: lr must be a positive number"},
		{"infinite lr", head + "strategies: [finetune]\nlr: .inf\n", "line 4: lr must be a positive number"},
		{"negative cap", head + "strategies: [finetune]\nmax_train: -5\n", "line 4: max_train must be a number of examples"},
		{"zero seeds", head + "strategies: [finetune]\nseeds: 0\n", "line 4: seeds must be a positive count"},
		{"empty seed list", head + "strategies: [finetune]\nseeds: []\n", "line 4: seeds lists no seeds"},
		{"seeds without a value", head + "strategies: [finetune]\nseeds:\n", "line 4: seeds lists no seeds"},
		{"empty shots", "streams:\n  - name: synthetic\n    shots: []\nstrategies: [finetune]\n",
			"line 3: stream 1's shots lists none"},
		{"repeated seed", head + "strategies: [finetune]\nseeds: [1, 2, 1]\n", "line 4: seed 1 is listed twice"},
		{"repeated strategy", head + "strategies:\n  - finetune\n  - ewc\n  - finetune\n",
			"line 6: strategy 3 repeats strategy 1 (line 4)"},
		{"repeated strategy with params", head + "strategies:\n  - {name: ewc, params: {lambda: \"5\"}}\n" +
			"  - {name: ewc, params: {lambda: \"5\"}}\n", "line 5: strategy 2 repeats strategy 1 (line 4)"},
		{"repeated stream", "streams:\n  - name: synthetic\n  - name: synthetic\nstrategies: [finetune]\n",
			"line 3: stream 2 repeats stream 1 (line 2)"},
		{"repeated shots", "streams:\n  - name: synthetic\n    shots: [64, 64]\nstrategies: [finetune]\n",
			"line 2: stream 1 lists shots 64 twice"},
		{"no strategies", head, "no strategies"},
		{"stream with name and file", "streams:\n  - {name: a, file: b.yaml}\nstrategies: [finetune]\n",
			"line 2: stream 1: give exactly one of name and file"},
		// YAML of the wrong shape, said in words (not Go's types or
		// YAML's tags).
		{"streams not a list", "streams: synthetic\nstrategies: [finetune]\n",
			"line 1: want a list, got a string (synthetic)"},
		{"a list, not a suite", "- a\n- b\n", "line 1: want a mapping, got a list"},
		{"parameter not a string", head + "strategies:\n  - {name: ewc, params: {lambda: [1, 2]}}\n",
			"line 4: want a string, got a list"},
		{"YAML syntax", head + "strategies: [finetune\n", ": did not find expected"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := writeSuite(t, c.body)
			_, err := ReadSuiteFile(path)
			if err == nil {
				t.Fatalf("accepted:\n%s", c.body)
			}
			if !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want %s: ...%s...", err, path, c.want)
			}
		})
	}
}
