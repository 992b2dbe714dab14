package bench

import (
	"bufio"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"
)

// XLA backend configurations. GoMLX's XLA backend runs on a PJRT plugin,
// a shared library loaded at run time. clbench finds the plugin itself
// and hands GoMLX its absolute path, because GoMLX's own search stops
// with a nil-pointer panic at the first file that fails to load, and its
// automatic install downloads from GitHub with no timeout.
//
//	xla, xla:cpu           the CPU plugin from the search path
//	xla:cuda               a CUDA plugin from the search path
//	xla:/abs/path/x.so     that file; keep "cpu" in a CPU plugin's name,
//	                       GoMLX shares host buffers only with such names
//
// Options follow the plugin after a comma, as GoMLX reads them:
// "xla:cpu,noshared_buffers". The search path is PJRT_PLUGIN_LIBRARY_PATH
// (a colon-separated list) or, when that is unset, GoMLX's default list:
// ~/.local/lib/go-xla, /usr/local/lib/go-xla, LD_LIBRARY_PATH and the
// folders of /etc/ld.so.conf. A plugin file there is named
// pjrt_c_api_NAME_plugin.so or pjrt-plugin-NAME.so (NAME may carry a
// version: cpu_v0.114.0).
//
// Automatic install (GoMLX downloads a plugin into ~/.local/lib/go-xla)
// happens only when no plugin was found and CLBENCH_XLA_AUTO_INSTALL
// allows it: "1" always tries, "0" never does, and unset tries when
// https://github.com answers within a few seconds, so an offline machine
// never waits on the network.

// xlaInstall runs GoMLX's automatic plugin install. It is set by
// backend_xla.go, in builds with -tags xla; nil means the binary was built
// without the XLA backend.
var xlaInstall func() error

// xlaCheckVersion loads the plugin at path and reports a PJRT C API too
// old for GoMLX's bindings. Set by backend_xla.go.
var xlaCheckVersion func(path string) error

// xlaBackendNames are the names GoMLX registers its XLA backend under.
var xlaBackendNames = []string{"xla", "stablehlo", "hlo", "shlo"}

// xlaAutoInstallEnv names the variable that allows or forbids GoMLX's
// automatic plugin install.
const xlaAutoInstallEnv = "CLBENCH_XLA_AUTO_INSTALL"

// xlaNeedsBuild is the error for an XLA configuration in a pure-Go build.
const xlaNeedsBuild = "this clbench was built without the XLA backend: " +
	"build it with cgo and -tags xla (`make xla` fetches a CPU plugin and prints the commands)"

// resolveXLA turns an XLA backend configuration into one that names its
// plugin by absolute path, after checking that file: "xla:cpu,opt"
// becomes "xla:/home/u/.local/lib/go-xla/pjrt_c_api_cpu_plugin.so,opt".
// It also returns the configuration to record with results, which names
// the plugin as its file does, without the folder: "xla:cpu,opt" (see
// xlaRecorded).
func resolveXLA(config string) (resolved, recorded string, err error) {
	resolved, err = resolveXLAPath(config)
	if err != nil {
		return "", "", err
	}
	return resolved, xlaRecorded(resolved), nil
}

// xlaRecorded is the configuration results record for a resolved XLA
// configuration: the backend as "xla" whatever alias named it, the
// plugin by the name its file carries ("cpu" for
// pjrt_c_api_cpu_plugin.so, "cpu_v0.114.0" for a versioned file, the
// file name itself when it follows no pattern), and the options. The
// folder is left out, so that the same plugin gives the same run ids
// and ranks on the same board wherever it is installed.
func xlaRecorded(resolved string) string {
	_, rest, _ := strings.Cut(resolved, ":")
	plugin, opts, _ := strings.Cut(rest, ",")
	file := filepath.Base(plugin)
	name := xlaPluginName(file)
	if name == "" {
		name = file
	}
	if opts != "" {
		opts = "," + opts
	}
	return "xla:" + name + opts
}

// resolveXLAPath does resolveXLA's work of finding and checking the
// plugin.
func resolveXLAPath(config string) (string, error) {
	if xlaInstall == nil {
		return "", errors.New(xlaNeedsBuild)
	}
	name, rest, _ := strings.Cut(config, ":")
	plugin, opts, _ := strings.Cut(rest, ",")
	if opts != "" {
		opts = "," + opts
	}
	if plugin == "" {
		plugin = "cpu"
	}

	// A path names one file; it must be absolute for GoMLX to load it
	// directly rather than search for it.
	if strings.ContainsRune(plugin, '/') {
		path, err := filepath.Abs(plugin)
		if err != nil {
			return "", err
		}
		if err := checkXLAPlugin(path); err != nil {
			return "", err
		}
		if err := xlaCheckVersion(path); err != nil {
			return "", err
		}
		return name + ":" + path + opts, nil
	}

	// A name is searched for, installed when allowed and missing, and
	// searched for again.
	path, err := findXLAPlugin(plugin, xlaSearchPaths())
	if err != nil && xlaAutoInstallAllowed() {
		if ierr := xlaInstall(); ierr != nil {
			err = fmt.Errorf("%w; automatic install failed: %v", err, ierr)
		} else {
			path, err = findXLAPlugin(plugin, xlaSearchPaths())
		}
	}
	if err != nil {
		return "", err
	}
	if err := xlaCheckVersion(path); err != nil {
		return "", err
	}
	return name + ":" + path + opts, nil
}

// isXLABackend reports whether a backend name is GoMLX's XLA backend.
func isXLABackend(name string) bool {
	for _, n := range xlaBackendNames {
		if n == name {
			return true
		}
	}
	return false
}

// xlaPluginPatterns are the file names GoMLX recognises as plugins, with
// the plugin's name as the first group.
var xlaPluginPatterns = []*regexp.Regexp{
	regexp.MustCompile(`^pjrt_c_api_(.+)_plugin\.so$`),
	regexp.MustCompile(`^pjrt[-_]plugin[-_](.+)\.so$`),
}

// xlaPluginName returns the plugin name a file name carries, or "".
func xlaPluginName(file string) string {
	for _, re := range xlaPluginPatterns {
		if m := re.FindStringSubmatch(file); m != nil {
			return m[1]
		}
	}
	return ""
}

// findXLAPlugin returns the first file in dirs that holds the named
// plugin and passes checkXLAPlugin; a file named "NAME_vVERSION" counts
// as NAME. When nothing fits, the error names every folder searched and
// every matching file skipped, with its reason.
func findXLAPlugin(name string, dirs []string) (string, error) {
	var rejected []string
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			got := xlaPluginName(e.Name())
			if got != name && !strings.HasPrefix(got, name+"_v") {
				continue
			}
			p := filepath.Join(dir, e.Name())
			if err := checkXLAPlugin(p); err != nil {
				rejected = append(rejected, err.Error())
				continue
			}
			return p, nil
		}
	}
	msg := fmt.Sprintf("no PJRT %q plugin for the XLA backend: searched %s", name, strings.Join(dirs, ":"))
	if len(rejected) > 0 {
		msg += "; skipped " + strings.Join(rejected, "; ")
	}
	msg += ". Run `make xla` and use the --backend it prints, name a plugin file " +
		"(--backend xla:/abs/path/pjrt_c_api_cpu_plugin.so), set PJRT_PLUGIN_LIBRARY_PATH to its folder, " +
		"or set " + xlaAutoInstallEnv + "=1 to let GoMLX download one"
	return "", errors.New(msg)
}

// checkXLAPlugin reports a file that cannot be a PJRT plugin for this
// machine: missing, not a shared library, built for another
// architecture, or not exporting GetPjrtApi. It reads the ELF headers
// only, so it neither loads the library nor needs cgo.
func checkXLAPlugin(path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("PJRT plugin: %w", err)
	}
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("%s is not a PJRT plugin: not a shared library (%v)", path, err)
	}
	defer f.Close()
	if want, ok := elfMachines[runtime.GOARCH]; ok && f.Machine != want {
		return fmt.Errorf("PJRT plugin %s is built for %v, not %s", path, f.Machine, runtime.GOARCH)
	}
	syms, err := f.DynamicSymbols()
	if err != nil {
		return fmt.Errorf("PJRT plugin %s: reading its symbols: %w", path, err)
	}
	for _, s := range syms {
		if s.Name == "GetPjrtApi" && s.Section != elf.SHN_UNDEF {
			return nil
		}
	}
	return fmt.Errorf("%s is not a PJRT plugin: it does not export GetPjrtApi", path)
}

var elfMachines = map[string]elf.Machine{
	"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64, "386": elf.EM_386, "arm": elf.EM_ARM,
}

// xlaSearchPaths lists the folders GoMLX searches for plugins, in its
// order (go-xla v0.4.1, pjrt/dynamiclib_posix.go).
func xlaSearchPaths() []string {
	if env, ok := os.LookupEnv("PJRT_PLUGIN_LIBRARY_PATH"); ok {
		var dirs []string
		for _, d := range strings.Split(env, ":") {
			if d != "" {
				dirs = append(dirs, d)
			}
		}
		return dirs
	}
	var dirs []string
	if home, err := os.UserHomeDir(); err == nil {
		lib := filepath.Join(home, ".local", "lib", "go-xla")
		dirs = append(dirs, lib, filepath.Join(lib, "nvidia"), filepath.Join(home, ".local", "lib", "gomlx", "pjrt"))
	}
	dirs = append(dirs, "/usr/local/lib/go-xla", "/usr/local/lib/go-xla/nvidia", "/usr/local/lib/gomlx/pjrt")
	for _, d := range strings.Split(os.Getenv("LD_LIBRARY_PATH"), ":") {
		if filepath.IsAbs(d) {
			dirs = append(dirs, d)
		}
	}
	return ldConfDirs(dirs, "/etc/ld.so.conf", 0)
}

// ldConfDirs appends the folders an ld.so.conf file lists, following its
// include lines.
func ldConfDirs(dirs []string, file string, depth int) []string {
	f, err := os.Open(file)
	if err != nil || depth > 8 {
		return dirs
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "", strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "include"):
			matches, _ := filepath.Glob(strings.TrimSpace(strings.TrimPrefix(line, "include")))
			for _, m := range matches {
				dirs = ldConfDirs(dirs, m, depth+1)
			}
		default:
			dirs = append(dirs, line)
		}
	}
	return dirs
}

// xlaAutoInstallAllowed reads CLBENCH_XLA_AUTO_INSTALL; unset, it asks
// whether GitHub, where GoMLX downloads CPU plugins from, answers.
func xlaAutoInstallAllowed() bool {
	switch os.Getenv(xlaAutoInstallEnv) {
	case "1", "true", "yes":
		return true
	case "":
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodHead, "https://github.com", nil)
		if err != nil {
			return false
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return true
	default:
		return false
	}
}
