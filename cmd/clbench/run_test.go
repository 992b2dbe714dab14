package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// --fail-fast starts no run after the first failure and counts the rest
// as not started. The suite is l2 (whose strength 1e39 makes the loss
// NaN on task 2, see TestDivergingRunsFailAndOthersComplete) then
// finetune, two seeds each: 4 runs, the first fails, so 1 of 1 run made
// failed and the other 3 were not started.
func TestFailFastCountsRunsNotStarted(t *testing.T) {
	code, _, stderr := clbench(t, quickRun(t.TempDir(), "--strategy", "l2,finetune",
		"--param", "l2.lambda=1e39", "--seeds", "2", "--fail-fast")...)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr: %s", code, stderr)
	}
	if want := "1 of 1 runs failed; 3 not started"; !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
}

// make test-real and smoke-real use the CLBENCH_DATA the user exported
// (they used ../shared/datasets whatever it said), DATA=... above it,
// and ../shared/datasets when neither is set. make -n only prints the
// commands.
func TestMakefileDataFolder(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	def, _ := filepath.Abs(filepath.Join("..", "..", "..", "shared", "datasets"))
	for _, tc := range []struct {
		name, env string
		args      []string
		want      string
	}{
		{"exported", "/elsewhere/data", nil, "CLBENCH_DATA=/elsewhere/data "},
		{"DATA wins", "/elsewhere/data", []string{"DATA=/given"}, "CLBENCH_DATA=/given "},
		{"neither", "", nil, "CLBENCH_DATA=" + def + " "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, target := range []string{"smoke-real", "test-real"} {
				cmd := exec.Command("make", append([]string{"-n", "-C", filepath.Join("..", ".."), target}, tc.args...)...)
				cmd.Env = append(os.Environ(), "CLBENCH_DATA="+tc.env)
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("make -n %s: %v\n%s", target, err, out)
				}
				if !strings.Contains(string(out), tc.want) {
					t.Errorf("make %s with CLBENCH_DATA=%q: output lacks %q:\n%s", target, tc.env, tc.want, out)
				}
			}
		})
	}
}

// A model that cannot read the stream is refused before anything runs
// (it used to start, fail each run, and exit 1): exit 2, an error naming
// where the model was chosen, the model, the stream and the sizes that
// fit, and nothing written.
func TestModelThatDoesNotFitTheStreamIsRefused(t *testing.T) {
	suite := writeSuite(t, "streams:\n  - name: synthetic\nstrategies:\n  - finetune\nmodel: mlp400\n")
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"mlp on text", []string{"--stream", "synthetic", "--model", "mlp400"},
			[]string{"--model", "mlp400", "stream synthetic", "micro, small, tiny"}},
		{"Transformer on images", []string{"--stream", "split-mnist-task", "--model", "tiny"},
			[]string{"--model", "tiny", "stream split-mnist-task", "mlp1000, mlp400"}},
		{"suite file", []string{"--suite", suite},
			[]string{suite, "mlp400", "stream synthetic", "micro, small, tiny"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			code, _, stderr := clbench(t, append([]string{"run", "--out", out, "-q"}, tc.args...)...)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr: %s", code, stderr)
			}
			for _, want := range tc.want {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q: %s", want, stderr)
				}
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("the output folder was made: %v", err)
			}
		})
	}
}

// A run stopped by a signal exits as a shell reports a process the
// signal killed: 128 plus its number, 130 for SIGINT (2) and 143 for
// SIGTERM (15). SIGTERM gave 130 before. The test sends the signal to
// itself while signalContext catches it.
func TestStoppedBySignalExitCode(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(signalName(tc.sig), func(t *testing.T) {
			ctx, stop := signalContext(context.Background())
			defer stop()
			if err := syscall.Kill(os.Getpid(), tc.sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Second):
				t.Fatal("the signal did not stop the context")
			}
			err := stoppedBySignal(ctx, fmt.Errorf("run 1: stopped: %w", ctx.Err()))
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != tc.code || !strings.Contains(err.Error(), signalName(tc.sig)) {
				t.Errorf("error %v, want exit %d naming %s", err, tc.code, signalName(tc.sig))
			}
		})
	}
}

// concept-graph without a ties file says at the start of its run that it
// behaves as finetune (it did so silently).
func TestConceptGraphWithoutFileWarns(t *testing.T) {
	var code int
	var stderr string
	logs := captureLogs(t, func() {
		code, _, stderr = clbench(t, quickRun(t.TempDir(), "--strategy", "concept-graph")...)
	})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"level=WARN", "no ties file", "behaves as finetune", "concept-graph.file="} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

// A flag or parameter that cannot be read is named in words (exit 2),
// not with Go's parser or file-system text (strconv.ParseFloat: parsing
// "x": invalid syntax; open PATH: no such file or directory).
func TestBadFlagValuesInWords(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.yaml")
	suite := writeSuite(t, "streams:\n  - file: "+missing+"\nstrategies: [finetune]\n")
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"float", quickRun(dir, "--lr", "x"), `--lr "x": want a number`},
		{"int", quickRun(dir, "--epochs", "1.5"), `--epochs "1.5": want a whole number`},
		{"out of range", quickRun(dir, "--jobs", "99999999999999999999"), "--jobs 99999999999999999999: out of range"},
		{"bool", quickRun(dir, "--force=maybe"), `--force "maybe": want true or false`},
		{"parameter file", quickRun(dir, "--strategy", "concept-graph", "--param", "concept-graph.file="+missing),
			`strategy "concept-graph": parameter file=` + missing + ": no such file"},
		{"suite file", []string{"run", "--suite", missing}, "--suite " + missing + ": no such file"},
		{"stream file", []string{"run", "--stream-file", missing}, "--stream-file " + missing + ": no such file"},
		{"stream file of a suite", []string{"run", "--suite", suite},
			suite + ": line 2: stream file " + missing + ": no such file"},
		{"unknown stream of a suite", []string{"run", "--suite",
			writeSuite(t, "streams:\n  - name: synthetik\nstrategies: [finetune]\n")},
			`suite.yaml: line 2: unknown stream "synthetik"`},
		// A relative path says where it was looked for.
		{"relative parameter file", quickRun(dir, "--strategy", "concept-graph", "--param",
			"concept-graph.file=no/such/ties.yaml"), "parameter file=no/such/ties.yaml: no such file " +
			"(a relative path is read from the working directory, " + cwd + ")"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := clbench(t, tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
			for _, leak := range []string{"strconv", "parsing", "open /"} {
				if strings.Contains(stderr, leak) {
					t.Errorf("stderr has %q: %s", leak, stderr)
				}
			}
		})
	}
}

// A concept-graph ties file that names tasks the stream lacks is refused
// before anything trains, with the file and line; nothing is written
// (it used to be recorded as a failed run, which then failed validate).
func TestTiesFileForAnotherStreamIsRefused(t *testing.T) {
	dir := t.TempDir()
	ties, err := filepath.Abs("../../strategies/testdata/concept-graph-sentiment-ner-domain.yaml")
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr := clbench(t, quickRun(dir, "--strategy", "concept-graph", "--param",
		"concept-graph.file="+ties)...)
	want := ties + `:14: task "conll2003" is not in stream synthetic`
	if code != 2 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, want)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.parquet")); len(files) > 0 {
		t.Errorf("files written: %v", files)
	}
}
