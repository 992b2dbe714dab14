package bench

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gomlx/compute"

	"github.com/clbench/clbench/tasks"
)

func TestXLAPluginName(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{"pjrt_c_api_cpu_plugin.so", "cpu"},
		{"pjrt_c_api_cpu_v0.114.0_plugin.so", "cpu_v0.114.0"},
		{"pjrt-plugin-cuda.so", "cuda"},
		{"pjrt_plugin_tpu.so", "tpu"},
		{"xla_cpu_pjrt.so", ""},
		{"pjrt_c_api_cpu_plugin.so.1", ""},
	} {
		if got := xlaPluginName(c.file); got != c.want {
			t.Errorf("xlaPluginName(%q) = %q, want %q", c.file, got, c.want)
		}
	}
}

// A file in the search path that is not a plugin is skipped and named,
// where GoMLX's own search would stop with a nil-pointer panic.
func TestFindXLAPluginSkipsBadFiles(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "pjrt_c_api_cpu_plugin.so")
	if err := os.WriteFile(bad, []byte("not a library"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	_, err := findXLAPlugin("cpu", []string{filepath.Join(dir, "missing"), empty, dir})
	if err == nil {
		t.Fatal("a text file was accepted as a plugin")
	}
	for _, want := range []string{`no PJRT "cpu" plugin`, bad, empty, "make xla", xlaAutoInstallEnv} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

// The test binary is an ELF file without GetPjrtApi.
func TestCheckXLAPluginNeedsGetPjrtApi(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	err = checkXLAPlugin(exe)
	if err == nil || !strings.Contains(err.Error(), "GetPjrtApi") {
		t.Errorf("checkXLAPlugin(test binary) = %v, want an error naming GetPjrtApi", err)
	}
}

// Asking for XLA never hangs or panics: a pure-Go build says how to get
// XLA, and an XLA build without a plugin says where it looked.
func TestNewBackendXLAWithoutPlugin(t *testing.T) {
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", t.TempDir())
	t.Setenv(xlaAutoInstallEnv, "0")
	for _, config := range []string{"xla", "xla:cpu", "xla:/nonexistent/pjrt_c_api_cpu_plugin.so"} {
		_, _, err := NewBackend(config)
		if err == nil {
			t.Errorf("NewBackend(%q) succeeded without a plugin", config)
			continue
		}
		if xlaInstall == nil && !strings.Contains(err.Error(), "-tags xla") {
			t.Errorf("NewBackend(%q) in a pure-Go build: %v, want a hint to build with -tags xla", config, err)
		}
		t.Logf("%s: %v", config, err)
	}
}

// xlaTestBackend is the XLA configuration the comparison test uses:
// CLBENCH_XLA_BACKEND, else the plugin `make xla` leaves in .cache/xla,
// else xla:cpu from the search path.
func xlaTestBackend() string {
	if c := os.Getenv("CLBENCH_XLA_BACKEND"); c != "" {
		return c
	}
	if p, err := filepath.Abs("../.cache/xla/lib/pjrt_c_api_cpu_plugin.so"); err == nil {
		if _, err := os.Stat(p); err == nil {
			return "xla:" + p
		}
	}
	return "xla:cpu"
}

// The synthetic stream trains on XLA to the scores of the pure-Go
// backend. The backends round differently, so the runs may drift apart;
// 0.02 allows about two of each task's 96 test examples. Five epochs let
// the micro model learn every task (with two, it misses the tag task);
// the XLA run's time is mostly compiling its graphs, a second or two
// each on two cores.
func TestSyntheticOnXLAMatchesGo(t *testing.T) {
	if xlaInstall == nil {
		t.Skip("built without the XLA backend: run `make xla`, then go test -tags xla ./bench/")
	}
	if os.Getenv(xlaAutoInstallEnv) == "" {
		t.Setenv(xlaAutoInstallEnv, "0")
	}
	xb, used, err := NewBackend(xlaTestBackend())
	if err != nil {
		t.Skipf("no XLA plugin (run `make xla` or set CLBENCH_XLA_BACKEND): %v", err)
	}
	t.Logf("XLA backend %s", used)
	gb, _, err := NewBackend("")
	if err != nil {
		t.Fatal(err)
	}
	stream, err := tasks.Load("synthetic", tasks.Options{MaxTrain: 256, MaxTest: 96})
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := ModelSize("micro")
	train := DefaultTrainConfig
	train.Epochs = 5
	run := func(b compute.Backend) *Outcome {
		t0 := time.Now()
		defer func() { t.Logf("%s: %v", b.Name(), time.Since(t0)) }()
		out, err := Run(context.Background(), RunSpec{
			Stream: stream, Strategy: plain{}, Seed: 1, Model: cfg, Train: train, Backend: b,
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	onGo, onXLA := run(gb), run(xb)
	t.Logf("untrained go %.3f xla %.3f", onGo.Untrained, onXLA.Untrained)
	t.Logf("go:  %.3f", onGo.R)
	t.Logf("xla: %.3f", onXLA.R)

	// 0.02 is two test examples of 96.
	const tol = 0.02
	for i := range onGo.R {
		for j := range onGo.R[i] {
			g, x := onGo.R[i][j], onXLA.R[i][j]
			if math.IsNaN(g) && math.IsNaN(x) {
				continue
			}
			if !(math.Abs(g-x) <= tol) {
				t.Errorf("R[%d][%d]: %.4f on go, %.4f on xla, differ by more than %g", i, j, g, x, tol)
			}
		}
		// Training must have happened: each task gains on its own.
		if gain := onXLA.R[i][i] - onXLA.Untrained[i]; !(gain >= 0.1) {
			t.Errorf("task %d gains %.3f on XLA from its training, want >= 0.1", i+1, gain)
		}
	}
}

// Results record an XLA plugin by the name its file carries, not by its
// folder: the same plugin installed in two places gives one backend
// string, hence the same run ids and the same leaderboard board.
func TestXLARecordedLeavesOutTheFolder(t *testing.T) {
	for _, c := range []struct{ resolved, want string }{
		{"xla:/work/a/.cache/xla/lib/pjrt_c_api_cpu_plugin.so", "xla:cpu"},
		{"xla:/home/u/.local/lib/go-xla/pjrt_c_api_cpu_plugin.so", "xla:cpu"},
		{"stablehlo:/opt/pjrt_c_api_cpu_v0.114.0_plugin.so,noshared_buffers", "xla:cpu_v0.114.0,noshared_buffers"},
		{"xla:/usr/local/lib/go-xla/nvidia/pjrt-plugin-cuda.so", "xla:cuda"},
		{"xla:/opt/xla/libmyplugin.so", "xla:libmyplugin.so"},
	} {
		if got := xlaRecorded(c.resolved); got != c.want {
			t.Errorf("xlaRecorded(%q) = %q, want %q", c.resolved, got, c.want)
		}
	}
}
