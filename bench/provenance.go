package bench

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend" // registers the pure-Go backend as "go"
)

// Version is clbench's version, recorded with every result.
const Version = "0.1.0"

// Commit is the git commit clbench was built from. `make build` sets it
// with -ldflags "-X github.com/clbench/clbench/bench.Commit=...".
var Commit = ""

// GitCommit returns the commit clbench was built from, or "unknown".
func GitCommit() string {
	if Commit != "" {
		return Commit
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", ""
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision":
				rev = s.Value
			case s.Key == "vcs.modified" && s.Value == "true":
				dirty = "-dirty"
			}
		}
		if rev != "" {
			return rev + dirty
		}
	}
	return "unknown"
}

// Build describes the toolchain and experiments the binary was built
// with, e.g. "go1.26.8 X:simd linux/amd64": builds with and without the
// SIMD kernels differ in the last bits of their results.
func Build() string {
	return fmt.Sprintf("%s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// Host names the machine a run ran on.
func Host() string {
	h, err := os.Hostname()
	if err != nil {
		return "unknown"
	}
	return fmt.Sprintf("%s (%d CPUs)", h, runtime.NumCPU())
}

// DefaultBackend is the backend configuration used when none is given:
// GoMLX's pure-Go backend with its operations run one after another. The
// Go backend's default scheduling was seen to deadlock (ops waiting for
// worker slots they hold themselves); sequential ops cannot.
const DefaultBackend = "go:ops_sequential"

// NewBackend creates the GoMLX backend a configuration names: "go" (the
// safe default configuration of the pure-Go backend), "xla[:plugin]"
// (see xla.go), or any "name[:options]" of a registered backend. It
// returns the backend and the configuration to record with results: the
// one used, except that an XLA plugin is named as its file is, without
// its folder ("xla:cpu"), so that results do not depend on where the
// plugin was installed.
func NewBackend(config string) (b compute.Backend, used string, err error) {
	if config == "" || config == "go" {
		config = DefaultBackend
	}
	used = config
	name, _, _ := strings.Cut(config, ":")
	if isXLABackend(name) {
		if config, used, err = resolveXLA(config); err != nil {
			return nil, "", err
		}
	}
	if !slices.Contains(compute.List(), name) {
		return nil, "", fmt.Errorf("backend %q is not available in this build (available: %s)",
			name, strings.Join(compute.List(), ", "))
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("creating backend %q: %v", config, r)
		}
	}()
	b, err = compute.NewWithConfig(config)
	if err != nil {
		return nil, "", fmt.Errorf("creating backend %q: %w", config, err)
	}
	return b, used, nil
}
