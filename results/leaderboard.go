package results

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"

	"github.com/clbench/clbench/metrics"
)

// ReferenceStrategy is the strategy whose diagonal is the a*_k of
// intransigence.
const ReferenceStrategy = "cumulative"

// Entry is one row of the leaderboard: a strategy on a stream (at one
// version and number of shots), over its seeds.
type Entry struct {
	// Rank is the place within the entries of the same stream, stream
	// version and shots, by mean ACC (1 is best); 0 when ACC is
	// undefined, and such entries come last.
	Rank          int
	Stream        string
	StreamVersion string
	Shots         int64 // training examples kept per later task; 0 when not capped
	Strategy      string
	Runs          int // runs in the entry
	Seeds         int // distinct seeds among them
	// Board identifies the setup that the entries ranked against this
	// one share: model, protocol, backend, build and the data: a full
	// stream's digest, a few-shot variant's task sizes (see boardOf). Runs under different setups are never
	// ranked together: each setup of a stream, version and shots is a
	// board of its own.
	Board string
	// BoardLabel is Board when the set holds several boards of this
	// stream, version and shots (tables then show it beside the
	// stream), else empty.
	BoardLabel string
	// Protocol identifies model, protocol, backend and build, without
	// the data: a full stream and its few-shot variants share it.
	Protocol string
	// TaskSizes is the entry's runs' task sizes (Run.TaskSizes), one for
	// the board; empty in results written before they were recorded.
	TaskSizes string
	// Setup is set, and appended to Strategy, when a board holds runs of
	// this strategy under several configurations; each is then an entry
	// of its own.
	Setup string

	// Scores over seeds, as fractions (not points).
	ACC, BWT, FWT, Forgetting, Intransigence, LA metrics.Estimate

	Cost   Cost     // means over the runs
	RunIDs []string // the runs, in the order read
}

// Cost holds the means of a group's cost figures (Diaz-Rodriguez et al.
// 2018).
type Cost struct {
	WallSeconds       float64 `json:"wall_seconds"`
	ExamplesPerSecond float64 `json:"examples_per_second"`
	PeakMemoryBytes   float64 `json:"peak_memory_bytes"`
	TrainableParams   float64 `json:"trainable_params"`
	ParamsAddedPct    float64 `json:"params_added_pct"`
	ExamplesStored    float64 `json:"examples_stored"`
}

// groupKey identifies a leaderboard entry.
type groupKey struct {
	stream, version string
	shots           int64
	board           string
	strategy        string
	setup           string
}

// boardKey is the part of a groupKey that ranks entries together.
type boardKey struct {
	stream, version string
	shots           int64
}

// protocolOf identifies what a run trained under, apart from its data
// and strategy: the model, the protocol, the backend and the build.
func protocolOf(r Run) string {
	return shortHash(r.ModelConfig, r.TrainConfig, r.Backend, r.Build)
}

// boardOf identifies the runs that are ranked together: one protocol
// (protocolOf) and, for a full stream, one data digest. A few-shot
// variant's data differ by seed, by design, so its digest cannot say
// whether two variants drew from the same caps; its task sizes (the
// first task's training examples and every task's test examples, as
// --max-train and --max-test left them) can, when recorded.
func boardOf(r Run) string {
	switch {
	case r.Shots == 0:
		return shortHash(r.ModelConfig, r.TrainConfig, r.Backend, r.Build, r.StreamDigest)
	case r.TaskSizes != "":
		return shortHash(r.ModelConfig, r.TrainConfig, r.Backend, r.Build, "sizes", r.TaskSizes)
	}
	return protocolOf(r) // written before task sizes were recorded
}

// setupOf names what must match for two runs to be seeds of one entry:
// the board and the strategy's configuration.
func setupOf(r Run) string {
	return shortHash(boardOf(r), r.StrategyConfig)
}

// shortHash is the first 8 hex digits of the SHA-256 of the parts, each
// ended by a zero byte.
func shortHash(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:8]
}

// sameSetupExceptStrategy reports whether a reference run can serve r:
// same model, protocol, backend, build and data.
func sameSetupExceptStrategy(ref, r Run) bool {
	return ref.ModelConfig == r.ModelConfig && ref.TrainConfig == r.TrainConfig &&
		ref.Backend == r.Backend && ref.Build == r.Build && ref.StreamDigest == r.StreamDigest
}

// Leaderboard groups the set's completed runs (Status "ok") by stream,
// stream version, shots, board (the setup they share: see Entry.Board)
// and strategy, and reports each metric as a mean over seeds with its
// 95% interval, undefined values left out ([metrics.MeanCI]). A run
// stored without intransigence gets it from the `cumulative` run of the
// same stream, version, shots and seed in the set, if there is one:
// [metrics.Intransigence] of the run's matrix against that run's
// diagonal. Entries are sorted by stream, stream version, shots, board,
// then mean ACC from best to worst (undefined last), then strategy name,
// and ranked within their board. Failed runs are left out; see
// [Failures].
func Leaderboard(s *Set) []Entry {
	// Group the runs that completed.
	groups := map[groupKey][]Run{}
	var keys []groupKey
	for _, r := range s.Runs {
		if r.Status != StatusOK {
			continue
		}
		k := groupKey{r.Stream, r.StreamVersion, r.Shots, boardOf(r), r.Strategy, setupOf(r)}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], r)
	}

	// Runs of one strategy on one board under different configurations
	// are never averaged together: each is an entry of its own, labelled
	// with its setup. A stream, version and shots with several boards
	// gets each board's id beside its name.
	setups := map[groupKey]int{}
	boardsOf := map[boardKey]map[string]bool{}
	for _, k := range keys {
		k2 := k
		k2.setup = ""
		setups[k2]++
		bk := boardKey{k.stream, k.version, k.shots}
		if boardsOf[bk] == nil {
			boardsOf[bk] = map[string]bool{}
		}
		boardsOf[bk][k.board] = true
	}

	// Summarise each group.
	entries := make([]Entry, 0, len(keys))
	for _, k := range keys {
		e := summarise(s, k, groups[k])
		e.Board, e.Protocol = k.board, protocolOf(groups[k][0])
		e.TaskSizes = groups[k][0].TaskSizes
		if len(boardsOf[boardKey{k.stream, k.version, k.shots}]) > 1 {
			e.BoardLabel = k.board
		}
		k2 := k
		k2.setup = ""
		if setups[k2] > 1 {
			e.Strategy += " [setup " + k.setup + "]"
			e.Setup = k.setup
		}
		entries = append(entries, e)
	}

	// Sort, then rank within each stream, version and shots.
	slices.SortStableFunc(entries, compareEntries)
	for i := range entries {
		e := &entries[i]
		if !e.ACC.HasMean() {
			continue
		}
		e.Rank = 1
		if i > 0 {
			if p := entries[i-1]; sameBoard(p, *e) {
				e.Rank = p.Rank + 1
			}
		}
	}
	return entries
}

// summarise builds the entry of one group.
func summarise(s *Set, k groupKey, runs []Run) Entry {
	e := Entry{
		Stream: k.stream, StreamVersion: k.version, Shots: k.shots, Strategy: k.strategy,
		Runs: len(runs),
	}
	var (
		acc, bwt, fwt, forg, intr, la []metrics.Value
		seeds                         = map[int64]bool{}
	)
	for _, r := range runs {
		seeds[r.Seed] = true
		e.RunIDs = append(e.RunIDs, r.RunID)
		acc = append(acc, metrics.FromPtr(r.ACC))
		bwt = append(bwt, metrics.FromPtr(r.BWT))
		fwt = append(fwt, metrics.FromPtr(r.FWT))
		forg = append(forg, metrics.FromPtr(r.Forgetting))
		intr = append(intr, intransigence(s, r))
		la = append(la, metrics.FromPtr(r.LA))

		e.Cost.WallSeconds += r.WallSeconds
		e.Cost.ExamplesPerSecond += r.ExamplesPerSecond
		e.Cost.PeakMemoryBytes += float64(r.PeakMemoryBytes)
		e.Cost.TrainableParams += float64(r.TrainableParams)
		e.Cost.ParamsAddedPct += r.ParamsAddedPct
		e.Cost.ExamplesStored += float64(r.ExamplesStored)
	}
	e.Seeds = len(seeds)
	e.ACC = metrics.MeanCIValues(acc)
	e.BWT = metrics.MeanCIValues(bwt)
	e.FWT = metrics.MeanCIValues(fwt)
	e.Forgetting = metrics.MeanCIValues(forg)
	e.Intransigence = metrics.MeanCIValues(intr)
	e.LA = metrics.MeanCIValues(la)

	n := float64(len(runs))
	e.Cost.WallSeconds /= n
	e.Cost.ExamplesPerSecond /= n
	e.Cost.PeakMemoryBytes /= n
	e.Cost.TrainableParams /= n
	e.Cost.ParamsAddedPct /= n
	e.Cost.ExamplesStored /= n
	return e
}

// intransigence returns the run's stored intransigence or, when it has
// none, the one computed against the matching cumulative run's diagonal.
func intransigence(s *Set, r Run) metrics.Value {
	if r.Intransigence != nil {
		return metrics.FromPtr(r.Intransigence)
	}
	for _, ref := range s.Runs {
		if ref.Strategy != ReferenceStrategy || ref.Status != StatusOK ||
			ref.Stream != r.Stream || ref.StreamVersion != r.StreamVersion ||
			ref.Shots != r.Shots || ref.Seed != r.Seed || !sameSetupExceptStrategy(ref, r) {
			continue
		}
		refR, _, err := s.Matrix(ref.RunID)
		if err != nil {
			return metrics.Undefined
		}
		runR, _, err := s.Matrix(r.RunID)
		if err != nil {
			return metrics.Undefined
		}
		return metrics.Intransigence(runR, refR.Diagonal())
	}
	return metrics.Undefined
}

// sameBoard reports whether a and b are ranked against each other.
func sameBoard(a, b Entry) bool {
	return a.Stream == b.Stream && a.StreamVersion == b.StreamVersion && a.Shots == b.Shots &&
		a.Board == b.Board
}

func compareEntries(a, b Entry) int {
	if c := cmp.Or(
		cmp.Compare(a.Stream, b.Stream),
		cmp.Compare(a.StreamVersion, b.StreamVersion),
		cmp.Compare(a.Shots, b.Shots),
		cmp.Compare(a.Board, b.Board),
	); c != 0 {
		return c
	}
	// Defined ACC first, best first.
	switch {
	case a.ACC.HasMean() && !b.ACC.HasMean():
		return -1
	case !a.ACC.HasMean() && b.ACC.HasMean():
		return 1
	case a.ACC.HasMean() && a.ACC.Mean != b.ACC.Mean:
		return -cmp.Compare(a.ACC.Mean, b.ACC.Mean)
	}
	return cmp.Compare(a.Strategy, b.Strategy)
}

// Failures returns the runs that did not complete (Status other than
// "ok"), sorted by stream, shots, strategy and seed. They are never
// scores.
func Failures(s *Set) []Run {
	var out []Run
	for _, r := range s.Runs {
		if r.Status != StatusOK {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b Run) int {
		return cmp.Or(
			cmp.Compare(a.Stream, b.Stream),
			cmp.Compare(a.StreamVersion, b.StreamVersion),
			cmp.Compare(a.Shots, b.Shots),
			cmp.Compare(a.Strategy, b.Strategy),
			cmp.Compare(a.Seed, b.Seed),
		)
	})
	return out
}
