package results

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/clbench/clbench/metrics"
)

// ReportOptions says where [WriteReport] writes and what the report's
// header says. Nothing in the report depends on the time or the machine
// it is made on, so the same results and options give the same bytes.
type ReportOptions struct {
	Path      string // the Markdown file, e.g. LEADERBOARD.md
	ImageDir  string // the folder of the figures, e.g. leaderboard/img
	Command   string // the command that regenerates the report, quoted in the header
	Generator string // the program that wrote it, e.g. "clbench 0.1.0"
	// Baseline, when set, is a strategy every other one of a board is
	// compared with, below the board's table (see AgainstBaseline).
	Baseline string
}

// Report is a rendered leaderboard report: the Markdown and the figures
// it links to, by file name within the image folder.
type Report struct {
	Markdown []byte
	Figures  map[string][]byte
}

// Figure file name suffixes; [WriteReport] removes stale files with them.
const (
	matrixSuffix = "-matrix.svg"
	curvesSuffix = "-curves.svg"
	// diagnosticsSuffix ends a board's figure of forgetting against the
	// diagnostics.
	diagnosticsSuffix = "-diagnostics.svg"
)

// board is the entries ranked against each other: one stream, version,
// shots and setup (Entry.Board).
type board struct {
	stream, version string
	shots           int64
	entries         []Entry
}

func boards(entries []Entry) []board {
	var bs []board
	for _, e := range entries {
		if n := len(bs); n > 0 && sameBoard(bs[n-1].entries[0], e) {
			bs[n-1].entries = append(bs[n-1].entries, e)
			continue
		}
		bs = append(bs, board{e.Stream, e.StreamVersion, e.Shots, []Entry{e}})
	}
	return bs
}

// BuildReport renders the report of the set: a header saying how it was
// made, then for each stream (at one version and shots) its leaderboard
// table, its tasks, a heat map of each strategy's accuracy matrix and a
// plot of each task's score along the stream (means over seeds), then
// the few-shot amplification table and the failed runs.
func BuildReport(s *Set, o ReportOptions) (*Report, error) {
	entries := Leaderboard(s)
	rep := &Report{Figures: map[string][]byte{}}
	var md bytes.Buffer

	imgRel, err := filepath.Rel(filepath.Dir(o.Path), o.ImageDir)
	if err != nil {
		imgRel = o.ImageDir
	}
	imgRel = filepath.ToSlash(imgRel)

	writeHeader(&md, s, o)
	var against *Comparison
	if o.Baseline != "" {
		if against, err = AgainstBaseline(s, o.Baseline, CompareOptions{Alpha: DefaultAlpha}); err != nil {
			return nil, err
		}
	}

	// One section per board.
	for _, b := range boards(entries) {
		title := streamVersion(b.stream, b.version) + ", " + shotsTitle(b.shots)
		if label := b.entries[0].BoardLabel; label != "" {
			title += ", board " + label
		}
		fmt.Fprintf(&md, "## %s\n\n", title)
		if line := setupLine(s, b.entries[0]); line != "" {
			fmt.Fprintf(&md, "%s.\n\n", line)
		}
		if names := taskNames(s, b.entries); len(names) > 0 {
			sizes := taskSizes(s, b.entries, len(names))
			var parts []string
			for i, n := range names {
				part := fmt.Sprintf("%d %s", i+1, n)
				if sizes != nil {
					part += " (" + sizes[i] + ")"
				}
				parts = append(parts, part)
			}
			if sizes != nil {
				fmt.Fprintf(&md, "Tasks in order (training / test examples): %s.\n\n", strings.Join(parts, " → "))
			} else {
				fmt.Fprintf(&md, "Tasks in order: %s.\n\n", strings.Join(parts, " → "))
			}
		}
		if err := Render(&md, b.entries, "markdown"); err != nil {
			return nil, err
		}
		md.WriteString("\n")
		if against != nil {
			if err := writeAgainst(&md, against, b, o.Baseline); err != nil {
				return nil, err
			}
		}

		// The figures, one panel per strategy with cells.
		var panels []Panel
		for _, e := range b.entries {
			r, u, err := s.MeanMatrix(e.RunIDs)
			if err != nil {
				return nil, fmt.Errorf("%s, %s: %w", title, e.Strategy, err)
			}
			panels = append(panels, Panel{
				Title: fmt.Sprintf("%s (%s)", e.Strategy, seedsWord(e.Seeds)),
				R:     r, Untrained: u,
			})
		}
		base := slug(b.stream) + "-" + slug(b.version) + "-" + shotsSlug(b.shots)
		if label := b.entries[0].BoardLabel; label != "" {
			base += "-" + label
		}
		var buf bytes.Buffer
		if err := MatrixFigure(&buf, panels); err != nil {
			return nil, fmt.Errorf("%s: %w", title, err)
		}
		rep.Figures[base+matrixSuffix] = bytes.Clone(buf.Bytes())
		buf.Reset()
		if err := CurvesFigure(&buf, panels, taskNames(s, b.entries)); err != nil {
			return nil, fmt.Errorf("%s: %w", title, err)
		}
		rep.Figures[base+curvesSuffix] = bytes.Clone(buf.Bytes())

		fmt.Fprintf(&md, "Accuracy matrices (mean over seeds, in points; row i is after "+
			"task i, grey cells were not measured):\n\n![Accuracy matrices, %s](%s)\n\n",
			title, imgRel+"/"+base+matrixSuffix)
		fmt.Fprintf(&md, "Each task's score along the stream (mean over seeds):\n\n"+
			"![Task scores along the stream, %s](%s)\n\n", title, imgRel+"/"+base+curvesSuffix)
	}

	// Few-shot amplification.
	md.WriteString("## Few-shot amplification\n\n")
	amp := Amplification(entries)
	if len(amp) == 0 {
		md.WriteString("No few-shot variants in these results.\n\n")
	} else {
		md.WriteString("Forgetting on the full stream and on each few-shot variant (in " +
			"points, mean ± 95% interval over seeds), and the amplification " +
			"F_few-shot / F_full − 1 of the means: +40.0% means 40% more forgetting " +
			"with few examples. A variant is set beside the full stream it was drawn from " +
			"(same protocol and caps); n/a when there is none (\"-\" full seeds), or when the " +
			"full stream's forgetting is not above 0.\n\n")
		if err := RenderAmplification(&md, amp, "markdown"); err != nil {
			return nil, err
		}
		md.WriteString("\n")
	}

	// Forgetting diagnostics, where runs measured them.
	if des := Diagnostics(s, entries); len(des) > 0 {
		md.WriteString("## Why tasks were forgotten\n\n" +
			"Forgetting diagnostics of the runs made with `--diagnostics` (mean ± 95% interval " +
			"over seeds). Each run's value is the mean, over every task before the last, of " +
			"the change from the end of that task to the end of the stream: attention KL " +
			"(nats, over blocks and heads), the share of attention on the task's key tokens " +
			"at its end and at the end of the stream, CKA of the encoder's outputs, the " +
			"parameters' distance relative to their norm, and the share of feed-forward " +
			"units fallen silent; general drop is, for runs from a pre-trained base, its " +
			"held-out masked-token accuracy lost (points).\n\n")
		if err := RenderDiagnostics(&md, des, true); err != nil {
			return nil, err
		}
		md.WriteString("\n")
		names, groups := diagnosticsBoards(des)
		for _, name := range names {
			e := groups[name][0].Entry
			base := slug(e.Stream) + "-" + slug(e.StreamVersion) + "-" + shotsSlug(e.Shots)
			if e.BoardLabel != "" {
				base += "-" + e.BoardLabel
			}
			var buf bytes.Buffer
			if err := DiagnosticsFigure(&buf, groups[name]); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			rep.Figures[base+diagnosticsSuffix] = bytes.Clone(buf.Bytes())
			fmt.Fprintf(&md, "Forgetting against each diagnostic, one point per strategy, %s:\n\n"+
				"![Forgetting against the diagnostics, %s](%s)\n\n", name, name, imgRel+"/"+base+diagnosticsSuffix)
		}
	}

	// Failed runs are listed, never scored.
	if failed := Failures(s); len(failed) > 0 {
		md.WriteString("## Failed runs\n\nThese runs did not complete and are not in the " +
			"tables above.\n\n")
		for _, r := range failed {
			fmt.Fprintf(&md, "- `%s`: %s on %s, %s, seed %d: %s\n", r.RunID, r.Strategy,
				streamVersion(r.Stream, r.StreamVersion), shotsTitle(r.Shots), r.Seed,
				firstLine(r.Error))
		}
		md.WriteString("\n")
	}

	writeLegend(&md)
	rep.Markdown = md.Bytes()
	return rep, nil
}

// writeHeader says what made the report and from what.
func writeHeader(w io.Writer, s *Set, o ReportOptions) {
	fmt.Fprintf(w, "# clbench leaderboard\n\n")
	fmt.Fprintf(w, "<!-- Generated by %s; do not edit. Regenerate it with the command "+
		"below. -->\n\n", o.Generator)
	fmt.Fprintf(w, "Generated by %s from the results with\n\n", o.Generator)
	fmt.Fprintf(w, "```\n%s\n```\n\n", o.Command)

	ok := 0
	for _, r := range s.Runs {
		if r.Status == StatusOK {
			ok++
		}
	}
	fmt.Fprintf(w, "The results hold %d runs (%d completed, %d failed).", len(s.Runs), ok,
		len(s.Runs)-ok)
	fmt.Fprintf(w, " They were produced by %s", joinCode(distinct(s, producer)))
	fmt.Fprintf(w, ", on the backend %s", joinCode(distinct(s, func(r Run) string {
		return r.Backend
	})))
	fmt.Fprintf(w, ", built with %s", joinCode(distinct(s, func(r Run) string { return r.Build })))
	fmt.Fprintf(w, ", with the model %s", joinCode(distinct(s, func(r Run) string {
		return r.ModelConfig
	})))
	fmt.Fprintf(w, " and the training protocol %s.\n\n", joinCode(distinct(s, func(r Run) string {
		return r.TrainConfig
	})))
	fmt.Fprintf(w, "Scores are in points (score × 100): the mean over seeds ± the "+
		"half-width of its 95%% Student-t interval; a single seed has no interval; n/a "+
		"marks a metric the runs cannot define. Strategies are ranked by ACC within each "+
		"stream and number of shots; intervals that overlap mean the ranks between them "+
		"are not settled. \"shots\" is the number of training examples kept for every "+
		"task after the first; \"full\" is no few-shot sampling, not uncapped data: each "+
		"task keeps the examples its stream's caps, or the caps its suite set, allow "+
		"(runs of different data are never averaged together: see each run's "+
		"stream_digest).\n\n")
}

// writeAgainst writes the board's part of the comparison with the
// baseline strategy.
func writeAgainst(w io.Writer, against *Comparison, b board, baseline string) error {
	sub := &Comparison{Options: against.Options, Labels: against.Labels}
	for _, ch := range against.Changes {
		if ch.Stream == streamName(b.entries[0]) && ch.Shots == b.shots {
			ch.Notes = nil
			sub.Changes = append(sub.Changes, ch)
		}
	}
	if len(sub.Changes) == 0 {
		fmt.Fprintf(w, "No other strategy is compared with `%s` on this board: it has no "+
			"`%s` runs under one configuration, or no other strategy.\n\n", baseline, baseline)
		return nil
	}
	fmt.Fprintf(w, "Against `%s`: the change of each mean in points (strategy − %s) and the "+
		"p-value of Welch's t-test over seeds; ~ when p ≥ %g, - when a side has fewer than "+
		"%d seeds. With this many strategies some p-values below %g are expected by chance.\n\n",
		baseline, baseline, sub.Options.Alpha, MinSeeds, sub.Options.Alpha)
	if err := RenderBaseline(w, sub, "markdown"); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return nil
}

// setupLine says what the runs of e's board share, from its first run:
// backend, build, model and protocol, each where recorded.
func setupLine(s *Set, e Entry) string {
	r, ok := s.Run(e.RunIDs[0])
	if !ok {
		return ""
	}
	var parts []string
	for _, p := range []struct{ name, value string }{
		{"backend", r.Backend}, {"build", r.Build}, {"model", r.ModelConfig},
		{"protocol", r.TrainConfig},
	} {
		if p.value != "" {
			parts = append(parts, p.name+" `"+p.value+"`")
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "Setup: " + strings.Join(parts, ", ")
}

// producer names the clbench version and commit that made a run.
func producer(r Run) string {
	p := "clbench " + r.ClbenchVersion
	if r.ClbenchVersion == "" {
		p = "clbench (version not recorded)"
	}
	if r.GitCommit != "" {
		p += " at commit " + short(r.GitCommit)
	}
	return p
}

// writeLegend lists the metrics with their direction.
func writeLegend(w io.Writer) {
	fmt.Fprintf(w, "## Metrics\n\n")
	fmt.Fprintf(w, "| metric | better | definition | source |\n| --- | --- | --- | --- |\n")
	for _, m := range metrics.All() {
		better := "lower"
		if m.HigherIsBetter {
			better = "higher"
		}
		def := strings.ReplaceAll(m.Formula, "|", `\|`)
		if strings.ContainsAny(def, "[]_*") {
			def = "`" + def + "`" // a formula: keep Markdown off its brackets and stars
		}
		fmt.Fprintf(w, "| %s (`%s`) | %s | %s | %s |\n", m.Name, m.Key, better, def, m.Source)
	}
}

// distinct returns the distinct non-empty values of f over the set's
// runs, sorted.
func distinct(s *Set, f func(Run) string) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range s.Runs {
		if v := f(r); v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

func joinCode(vs []string) string {
	if len(vs) == 0 {
		return "(not recorded)"
	}
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = "`" + v + "`"
	}
	return strings.Join(q, ", ")
}

// short abbreviates a commit hash to 12 characters.
func short(commit string) string {
	if len(commit) > 12 && !strings.ContainsAny(commit, " ") {
		return commit[:12]
	}
	return commit
}

// taskNames returns the tasks of the board's first run that records them.
func taskNames(s *Set, entries []Entry) []string {
	for _, e := range entries {
		for _, id := range e.RunIDs {
			if r, ok := s.Run(id); ok && r.TaskNames != "" {
				return strings.Split(r.TaskNames, ",")
			}
		}
	}
	return nil
}

// taskSizes returns the training / test sizes of each task when every
// run of the board records the same ones, else nil: runs made before
// sizes were recorded, or a board whose runs differ (then each setup is
// its own entry, and one line cannot say it).
func taskSizes(s *Set, entries []Entry, tasks int) []string {
	seen := ""
	for _, e := range entries {
		for _, id := range e.RunIDs {
			r, ok := s.Run(id)
			if !ok || r.TaskSizes == "" || (seen != "" && r.TaskSizes != seen) {
				return nil
			}
			seen = r.TaskSizes
		}
	}
	sizes := strings.Split(seen, ",")
	if seen == "" || len(sizes) != tasks {
		return nil
	}
	return sizes
}

func shotsTitle(n int64) string {
	if n <= 0 {
		return "full stream"
	}
	return strconv.FormatInt(n, 10) + " shots"
}

func shotsSlug(n int64) string {
	if n <= 0 {
		return "full"
	}
	return strconv.FormatInt(n, 10) + "shots"
}

func seedsWord(n int) string {
	if n == 1 {
		return "1 seed"
	}
	return strconv.Itoa(n) + " seeds"
}

// slug turns a name into a file name part: lower-case letters, digits,
// dots, dashes and underscores; anything else becomes a dash.
func slug(s string) string {
	if s == "" {
		return "none"
	}
	b := []byte(strings.ToLower(s))
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_'
		if !ok {
			b[i] = '-'
		}
	}
	return strings.Trim(string(b), ".")
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// WriteReport builds the report of the set ([BuildReport]) and writes
// it: the Markdown at o.Path and the figures into o.ImageDir, each file
// written to a temporary name and renamed. Figures that an earlier
// report left in o.ImageDir and this one does not make are removed, so
// that the folder holds exactly what the report links to.
func WriteReport(s *Set, o ReportOptions) error {
	rep, err := BuildReport(s, o)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.ImageDir, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(rep.Figures))
	for name := range rep.Figures {
		names = append(names, name)
	}
	slices.SortFunc(names, cmp.Compare)
	for _, name := range names {
		if err := writeFileAtomic(filepath.Join(o.ImageDir, name), rep.Figures[name]); err != nil {
			return err
		}
	}

	// Remove stale figures.
	old, err := os.ReadDir(o.ImageDir)
	if err != nil {
		return err
	}
	for _, f := range old {
		n := f.Name()
		stale := (strings.HasSuffix(n, matrixSuffix) || strings.HasSuffix(n, curvesSuffix) ||
			strings.HasSuffix(n, diagnosticsSuffix)) &&
			rep.Figures[n] == nil
		if stale && !f.IsDir() {
			if err := os.Remove(filepath.Join(o.ImageDir, n)); err != nil {
				return err
			}
		}
	}
	if dir := filepath.Dir(o.Path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return writeFileAtomic(o.Path, rep.Markdown)
}

// writeFileAtomic writes data to a temporary file beside path and
// renames it over path.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
