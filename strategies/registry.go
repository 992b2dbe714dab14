package strategies

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/clbench/clbench/bench"
)

// Families group strategies by how they fight forgetting: reference
// points, protecting parameters, isolating tasks, fusing old and new
// knowledge, expanding the model.
const (
	Reference = "reference"
	Protect   = "protect"
	Isolate   = "isolate"
	Fuse      = "fuse"
	Expand    = "expand"
)

// Param documents one parameter of a strategy and its default.
type Param struct {
	Name    string
	Default string
	Doc     string
	// File marks a parameter that names a file ("none" for no file). In
	// a suite file a relative path is read from the suite file's folder,
	// and a run records the file by its base name: what it holds is the
	// strategy's to record (a hash in Config), so that the same file
	// gives the same runs wherever it lies.
	File bool
}

// Info describes a strategy and makes new instances of it.
type Info struct {
	Name    string
	Family  string
	Summary string
	Params  []Param
	// New makes a strategy for one run from its parameters (defaults
	// already filled in).
	New func(cfg Config) (bench.Strategy, error)
}

// Registry maps names to strategies. The package keeps one (Default)
// that every strategy file registers itself in from init.
type Registry struct {
	mu     sync.RWMutex
	byName map[string]Info
}

// Default is the registry of the built-in strategies.
var Default = &Registry{}

// Register adds a strategy; a name already taken is an error.
func (r *Registry) Register(info Info) error {
	if info.Name == "" || info.New == nil {
		return fmt.Errorf("strategy registration needs a name and a constructor")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byName == nil {
		r.byName = map[string]Info{}
	}
	if _, dup := r.byName[info.Name]; dup {
		return fmt.Errorf("strategy %q is already registered", info.Name)
	}
	r.byName[info.Name] = info
	return nil
}

// MustRegister registers in Default and panics on a duplicate name: it
// is meant for init functions, where a duplicate is a programming error.
func MustRegister(info Info) {
	if err := Default.Register(info); err != nil {
		panic(err)
	}
}

// Lookup returns the named strategy's Info.
func (r *Registry) Lookup(name string) (Info, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	info, ok := r.byName[name]
	return info, ok
}

// All lists the strategies sorted by family, then name.
func (r *Registry) All() []Info {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var all []Info
	for _, info := range r.byName {
		all = append(all, info)
	}
	order := map[string]int{Reference: 0, Protect: 1, Isolate: 2, Fuse: 3, Expand: 4}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Family != all[j].Family {
			return order[all[i].Family] < order[all[j].Family]
		}
		return all[i].Name < all[j].Name
	})
	return all
}

// Names lists the registered names, sorted as All.
func (r *Registry) Names() []string {
	var names []string
	for _, info := range r.All() {
		names = append(names, info.Name)
	}
	return names
}

// New makes the named strategy with the given parameter values; any
// parameter the strategy does not declare is an error, and declared
// ones not given take their defaults.
func (r *Registry) New(name string, given map[string]string) (bench.Strategy, Config, error) {
	info, ok := r.Lookup(name)
	if !ok {
		return nil, nil, fmt.Errorf("unknown strategy %q (known: %s)", name, strings.Join(r.Names(), ", "))
	}
	cfg := Config{}
	for _, p := range info.Params {
		cfg[p.Name] = p.Default
	}
	for k, v := range given {
		if _, ok := cfg[k]; !ok {
			return nil, nil, fmt.Errorf("strategy %q has no parameter %q (it has: %s)", name, k, paramNames(info))
		}
		cfg[k] = v
	}
	s, err := info.New(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("strategy %q: %w", name, err)
	}
	return s, cfg, nil
}

func paramNames(info Info) string {
	if len(info.Params) == 0 {
		return "none"
	}
	var names []string
	for _, p := range info.Params {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

// Config holds a strategy's parameters as text, as given on the command
// line or in a suite file.
type Config map[string]string

// Float parses parameter name as a number.
func (c Config) Float(name string) (float64, error) {
	v, err := strconv.ParseFloat(c[name], 64)
	if err != nil {
		return 0, fmt.Errorf("parameter %s=%q is not a number", name, c[name])
	}
	return v, nil
}

// Int parses parameter name as an integer.
func (c Config) Int(name string) (int, error) {
	v, err := strconv.Atoi(c[name])
	if err != nil {
		return 0, fmt.Errorf("parameter %s=%q is not an integer", name, c[name])
	}
	return v, nil
}
