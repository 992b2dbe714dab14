package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter/renderer"
	"gopkg.in/yaml.v3"

	"github.com/clbench/clbench/internal/yamlerr"
)

// Reference is a published table that clbench's runs reproduce: for
// each row, the paper's method, the clbench stream and strategy that
// stand for it, and the published ACC. It is read from YAML (see
// ReadReference); the report set beside it is [Reproduce]'s.
type Reference struct {
	// Paper names the publication, Table what was read of it (which
	// table, metric, seeds, statistic).
	Paper string `yaml:"paper"`
	Table string `yaml:"table"`
	// Sources says where each published number was read.
	Sources []string `yaml:"sources"`
	// Tolerance is how far (in points) a reproduction may be from the
	// published mean and still count as reproduced.
	Tolerance float64 `yaml:"tolerance"`
	// Rows, in the order the report shows them.
	Rows []ReferenceRow `yaml:"rows"`
	// Differences lists what differs between clbench's protocol and the
	// paper's, whatever the numbers.
	Differences []string `yaml:"differences"`
	// Commands reproduces the runs behind the report.
	Commands string `yaml:"commands"`
	// NotesOn names the results the rows' notes were written about (a
	// note may quote their numbers); the report says so above the notes.
	NotesOn string `yaml:"notes_on"`
	// Protocol is what every matched run must have been trained under;
	// a run that differs is an error, never a row of the report.
	Protocol ReferenceProtocol `yaml:"protocol"`

	path string
}

// ReferenceProtocol is the paper's protocol as clbench records it.
// Empty fields are not checked.
type ReferenceProtocol struct {
	Model        string  `yaml:"model"` // the model size's name
	Iterations   int     `yaml:"iterations"`
	BatchSize    int     `yaml:"batch_size"`
	LearningRate float64 `yaml:"learning_rate"`
	// TaskSizes maps a stream to its tasks' training and test sizes as
	// runs record them ("12665/2115,..."): the paper's data, uncapped.
	TaskSizes map[string]string `yaml:"task_sizes"`
}

// ReferenceRow is one method in one scenario.
type ReferenceRow struct {
	Scenario string `yaml:"scenario"` // the heading the row goes under
	Method   string `yaml:"method"`   // the paper's name
	Stream   string `yaml:"stream"`
	Strategy string `yaml:"strategy"`
	// ACC and SEM are the published mean and standard error, in
	// points; nil where the number is not at hand.
	ACC *float64 `yaml:"acc"`
	SEM *float64 `yaml:"sem"`
	// Note explains the row: where a number comes from, or why the
	// reproduction is off.
	Note string `yaml:"note"`
	// Params are the strategy's parameters of the paper's setting: a
	// run with other values is an error.
	Params map[string]string `yaml:"params"`

	line int
}

// Line is the line of the row in its file.
func (r ReferenceRow) Line() int { return r.line }

// Path is the file the reference was read from.
func (r *Reference) Path() string { return r.path }

// ReadReference reads a reference table, naming the file and line of
// what is wrong.
func ReadReference(path string) (*Reference, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", path, yamlerr.Plain(err))
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	ref := &Reference{path: path}
	if err := dec.Decode(ref); err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("%s: the file is empty", path)
		}
		return nil, fmt.Errorf("%s: %w", path, yamlerr.Plain(err))
	}
	if ref.Paper == "" {
		return nil, fmt.Errorf("%s: no paper", path)
	}
	if len(ref.Rows) == 0 {
		return nil, fmt.Errorf("%s: no rows", path)
	}
	if !(ref.Tolerance > 0) {
		return nil, fmt.Errorf("%s: tolerance is missing or not positive: give it in points", path)
	}
	lines := rowLines(&root)
	seen := map[string]int{}
	for i := range ref.Rows {
		r := &ref.Rows[i]
		if i < len(lines) {
			r.line = lines[i]
		}
		at := fmt.Sprintf("%s:%d", path, r.line)
		switch {
		case r.Scenario == "" || r.Method == "" || r.Stream == "" || r.Strategy == "":
			return nil, fmt.Errorf("%s: a row needs scenario, method, stream and strategy", at)
		case r.ACC != nil && !(*r.ACC >= 0 && *r.ACC <= 100):
			return nil, fmt.Errorf("%s: acc %g is not in points (0 to 100)", at, *r.ACC)
		case r.SEM != nil && (r.ACC == nil || !(*r.SEM >= 0)):
			return nil, fmt.Errorf("%s: sem needs an acc and must not be negative", at)
		}
		key := r.Stream + "\x00" + r.Strategy
		if prev, ok := seen[key]; ok {
			return nil, fmt.Errorf("%s: stream %s and strategy %s already have a row (line %d)",
				at, r.Stream, r.Strategy, prev)
		}
		seen[key] = r.line
	}
	return ref, nil
}

// rowLines returns the line of each entry of the document's rows.
func rowLines(root *yaml.Node) []int {
	if len(root.Content) == 0 {
		return nil
	}
	doc := root.Content[0]
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Value == "rows" {
			var lines []int
			for _, n := range doc.Content[i+1].Content {
				lines = append(lines, n.Line)
			}
			return lines
		}
	}
	return nil
}

// Reproduction is a reference row beside what the runs gave.
type Reproduction struct {
	Row ReferenceRow
	// Entry is the leaderboard entry of the row's stream and strategy;
	// nil when the runs hold none.
	Entry *Entry
	// Difference is ours minus the paper's mean, in points; NaN when
	// either is missing.
	Difference float64
}

// Within says whether the reproduction is within tolerance points of
// the paper's mean.
func (r Reproduction) Within(tolerance float64) bool {
	return !math.IsNaN(r.Difference) && math.Abs(r.Difference) <= tolerance
}

// Reproduce matches each reference row with the leaderboard entry of
// its stream and strategy. Runs of one stream and strategy under
// several setups (boards or configurations) are an error: the report
// would have to choose between them.
func Reproduce(s *Set, ref *Reference) ([]Reproduction, error) {
	byKey := map[string][]Entry{}
	for _, e := range Leaderboard(s) {
		name := e.Strategy
		if e.Setup != "" {
			name = strings.TrimSuffix(name, " [setup "+e.Setup+"]")
		}
		byKey[e.Stream+"\x00"+name] = append(byKey[e.Stream+"\x00"+name], e)
	}
	out := make([]Reproduction, len(ref.Rows))
	for i, row := range ref.Rows {
		out[i] = Reproduction{Row: row, Difference: math.NaN()}
		entries := byKey[row.Stream+"\x00"+row.Strategy]
		switch {
		case len(entries) > 1:
			return nil, fmt.Errorf("%s:%d: the runs hold %s on %s under %d setups; "+
				"give the report one setup's runs", ref.path, row.line, row.Strategy, row.Stream, len(entries))
		case len(entries) == 0:
			continue
		}
		e := entries[0]
		if err := checkProtocol(s, ref, row, e); err != nil {
			return nil, err
		}
		out[i].Entry = &e
		if row.ACC != nil && e.ACC.HasMean() {
			out[i].Difference = 100*e.ACC.Mean - *row.ACC
		}
	}
	return out, nil
}

// reproductionHeader names the columns of a scenario's table.
var reproductionHeader = []string{"method (paper)", "clbench strategy", "paper ACC ± SEM",
	"clbench ACC ± 95% CI", "seeds", "difference", "within tolerance"}

// checkProtocol refuses an entry one of whose runs was not trained
// under the reference's protocol and the row's parameters.
func checkProtocol(s *Set, ref *Reference, row ReferenceRow, e Entry) error {
	runs := map[string]Run{}
	for _, r := range s.Runs {
		runs[r.RunID] = r
	}
	p := ref.Protocol
	for _, id := range e.RunIDs {
		r := runs[id]
		var model struct {
			Name string `json:"name"`
		}
		var train struct {
			Iterations   int     `json:"iterations"`
			BatchSize    int     `json:"batch_size"`
			LearningRate float64 `json:"learning_rate"`
		}
		var params map[string]string
		_ = json.Unmarshal([]byte(r.ModelConfig), &model)
		_ = json.Unmarshal([]byte(r.TrainConfig), &train)
		_ = json.Unmarshal([]byte(r.StrategyConfig), &params)
		var diffs []string
		differ := func(what string, got, want any) {
			diffs = append(diffs, fmt.Sprintf("%s %v, not %v", what, got, want))
		}
		if p.Model != "" && model.Name != p.Model {
			differ("model", model.Name, p.Model)
		}
		if p.Iterations != 0 && train.Iterations != p.Iterations {
			differ("iterations", train.Iterations, p.Iterations)
		}
		if p.BatchSize != 0 && train.BatchSize != p.BatchSize {
			differ("batch size", train.BatchSize, p.BatchSize)
		}
		if p.LearningRate != 0 && train.LearningRate != p.LearningRate {
			differ("learning rate", train.LearningRate, p.LearningRate)
		}
		if want, ok := p.TaskSizes[r.Stream]; ok && r.TaskSizes != want {
			differ("task sizes (train/test)", r.TaskSizes, want)
		}
		for _, k := range sortedKeys(row.Params) {
			if params[k] != row.Params[k] {
				differ(row.Strategy+"."+k, quoteOrNone(params, k), row.Params[k])
			}
		}
		if len(diffs) > 0 {
			return fmt.Errorf("%s:%d: run %s (%s on %s, seed %d) is not the paper's setting: %s",
				ref.path, row.line, r.RunID, r.Strategy, r.Stream, r.Seed, strings.Join(diffs, "; "))
		}
	}
	return nil
}

func quoteOrNone(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return "(not set)"
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// RenderReproduction writes the Markdown report of a reproduction:
// one table per scenario (the paper's ACC, clbench's with its interval
// and seeds, the difference and whether it is within tolerance), the
// rows' notes, the differences of protocol and the commands. command
// is the clbench command line that wrote it.
func RenderReproduction(w io.Writer, ref *Reference, reps []Reproduction, command string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Reproduction: %s\n\n", ref.Paper)
	fmt.Fprintf(&b, "Generated by `%s` from the runs' Parquet results; do not edit by hand. "+
		"The paper's side: %s. clbench's side: ACC (mean over seeds, points) with the 95%% "+
		"t-interval's half-width and the number of seeds. A row is reproduced when the means "+
		"are within %s points.\n\n", command, ref.Table, strconv.FormatFloat(ref.Tolerance, 'f', -1, 64))

	var scenarios []string
	rows := map[string][]Reproduction{}
	for _, r := range reps {
		if _, ok := rows[r.Row.Scenario]; !ok {
			scenarios = append(scenarios, r.Row.Scenario)
		}
		rows[r.Row.Scenario] = append(rows[r.Row.Scenario], r)
	}
	var notes []string
	for _, sc := range scenarios {
		fmt.Fprintf(&b, "## %s\n\n", sc)
		var table [][]string
		for _, r := range rows[sc] {
			paper, ours, seeds, diff, ok := "not at hand", "not run", "-", "-", "-"
			if r.Row.ACC != nil {
				paper = strconv.FormatFloat(*r.Row.ACC, 'f', 2, 64)
				if r.Row.SEM != nil {
					paper += " ± " + strconv.FormatFloat(*r.Row.SEM, 'f', 2, 64)
				}
			}
			if r.Entry != nil {
				ours = points(r.Entry.ACC)
				seeds = strconv.Itoa(r.Entry.Seeds)
			}
			if !math.IsNaN(r.Difference) {
				diff = strconv.FormatFloat(r.Difference, 'f', 1, 64)
				if r.Difference > 0 {
					diff = "+" + diff
				}
				ok = "no"
				if r.Within(ref.Tolerance) {
					ok = "yes"
				}
				if n := r.Entry.Seeds; n < MinSeeds {
					// Too few seeds for the mean to say much either way.
					ok += fmt.Sprintf(" (%d seed%s only)", n, map[bool]string{true: "s"}[n != 1])
				}
			}
			method := r.Row.Method
			if r.Row.Note != "" && r.Entry != nil { // a note is about the row's runs
				notes = append(notes, fmt.Sprintf("%s, %s: %s", sc, r.Row.Method, strings.TrimSpace(r.Row.Note)))
				method += fmt.Sprintf(" [%d]", len(notes))
			}
			table = append(table, []string{method, r.Row.Strategy, paper, ours, seeds, diff, ok})
		}
		var tb strings.Builder
		if err := writeTable(&tb, renderer.NewMarkdown(), reproductionHeader,
			map[int]bool{0: true, 1: true}, table); err != nil {
			return err
		}
		b.WriteString(tb.String())
		b.WriteString("\n")
	}
	if len(notes) > 0 {
		b.WriteString("## Notes\n\n")
		if ref.NotesOn != "" {
			fmt.Fprintf(&b, "Written about the runs in `%s`: runs of your own may give other "+
				"numbers than these notes quote.\n\n", ref.NotesOn)
		}
		for i, n := range notes {
			fmt.Fprintf(&b, "%d. %s\n", i+1, n)
		}
		b.WriteString("\n")
	}
	if len(ref.Differences) > 0 {
		b.WriteString("## What differs from the paper's protocol\n\n")
		for _, d := range ref.Differences {
			fmt.Fprintf(&b, "- %s\n", strings.TrimSpace(d))
		}
		b.WriteString("\n")
	}
	if len(ref.Sources) > 0 {
		b.WriteString("## Where the paper's numbers were read\n\n")
		for _, s := range ref.Sources {
			fmt.Fprintf(&b, "- %s\n", strings.TrimSpace(s))
		}
		b.WriteString("\n")
	}
	if ref.Commands != "" {
		b.WriteString("## Reproduce\n\n```sh\n" + strings.TrimSpace(ref.Commands) + "\n```\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
