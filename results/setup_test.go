package results

import (
	"fmt"
	"strings"
	"testing"

	"github.com/clbench/clbench/metrics"
)

// setupSet is three finetune runs on one stream; edit changes run i
// before it is added.
func setupSet(edit func(i int, r *Run)) *Set {
	set := &Set{}
	for i, f := range []fixture{
		{snd, 0, "finetune", 1, metrics.Matrix{{0.9, nan}, {0.5, 0.7}}, StatusOK, nil, 10, 0},
		{snd, 0, "finetune", 2, metrics.Matrix{{0.9, nan}, {0.6, 0.8}}, StatusOK, nil, 20, 0},
		{snd, 0, "finetune", 1, metrics.Matrix{{0.9, nan}, {0.7, 0.9}}, StatusOK, nil, 30, 0},
	} {
		run, cells := runOf(f)
		run.RunID += string(rune('a' + i))
		for j := range cells {
			cells[j].RunID = run.RunID
		}
		run.ModelConfig = `{"name":"tiny"}`
		edit(i, &run)
		set.Runs = append(set.Runs, run)
		set.Cells = append(set.Cells, cells...)
	}
	return set
}

// Runs under two model configurations are two boards, each ranked on
// its own and named beside the stream, never one entry averaged over
// both.
func TestLeaderboardKeepsBoardsApart(t *testing.T) {
	entries := Leaderboard(setupSet(func(i int, r *Run) {
		if i == 2 {
			r.ModelConfig = `{"name":"micro"}`
		}
	}))
	if len(entries) != 2 {
		t.Fatalf("%d entries, want 2 (one per model)", len(entries))
	}
	if entries[0].Board == entries[1].Board {
		t.Errorf("both entries are on board %s", entries[0].Board)
	}
	for _, e := range entries {
		if e.BoardLabel != e.Board || e.Rank != 1 || e.Strategy != "finetune" {
			t.Errorf("entry %q: board label %q of board %q, rank %d; want the board named and "+
				"rank 1 on each", e.Strategy, e.BoardLabel, e.Board, e.Rank)
		}
		if name := streamName(e); !strings.HasSuffix(name, " ["+e.Board+"]") {
			t.Errorf("stream shown as %q, without its board", name)
		}
	}
	// The tiny entry has seeds 1 and 2: ACC (0.6+0.7)/2 = 0.65; the
	// micro one seed 1 alone: ACC (0.7+0.9)/2 = 0.8.
	got := map[int]float64{}
	for _, e := range entries {
		got[e.Seeds] = e.ACC.Mean
	}
	if abs(got[2]-0.65) > 1e-12 || abs(got[1]-0.8) > 1e-12 {
		t.Errorf("ACC by seeds = %v, want 2 seeds: 0.65, 1 seed: 0.8", got)
	}
}

// Few-shot runs drawn from other caps (--max-train, --max-test) are
// another board: their digests differ by seed anyway, so only their
// task sizes tell them apart. Runs written before task sizes were
// recorded keep one board.
func TestLeaderboardKeepsFewShotCapsApart(t *testing.T) {
	fewShot := func(sizes func(i int) string) []Entry {
		return Leaderboard(setupSet(func(i int, r *Run) {
			r.Shots, r.StreamDigest = 64, fmt.Sprintf("digest of seed draw %d", i)
			r.TaskSizes = sizes(i)
		}))
	}
	// Runs 0 and 1 tested on 500 examples a task, run 2 on 20.
	entries := fewShot(func(i int) string {
		if i == 2 {
			return "1000/20,64/20"
		}
		return "1000/500,64/500"
	})
	if len(entries) != 2 || entries[0].Board == entries[1].Board {
		t.Fatalf("%d entries on boards %v: want 2 entries on 2 boards", len(entries), boardIDs(entries))
	}
	for _, e := range entries {
		if e.Runs != e.Seeds {
			t.Errorf("entry of board %s: %d runs for %d seeds", e.Board, e.Runs, e.Seeds)
		}
	}
	if entries := fewShot(func(int) string { return "" }); len(entries) != 1 {
		t.Errorf("%d entries without task sizes, want 1", len(entries))
	}
}

func boardIDs(entries []Entry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Board)
	}
	return out
}

// Runs of one strategy under two configurations on one board are two
// entries of that board, labelled with their setups.
func TestLeaderboardKeepsStrategyConfigsApart(t *testing.T) {
	entries := Leaderboard(setupSet(func(i int, r *Run) {
		r.StrategyConfig = `{"lambda":1}`
		if i == 2 {
			r.StrategyConfig = `{"lambda":2}`
		}
	}))
	if len(entries) != 2 {
		t.Fatalf("%d entries, want 2 (one per configuration)", len(entries))
	}
	if entries[0].Board != entries[1].Board || entries[0].BoardLabel != "" {
		t.Errorf("boards %q and %q (label %q): want one unlabelled board", entries[0].Board,
			entries[1].Board, entries[0].BoardLabel)
	}
	// Ranked together: seed 1 of lambda 2 (ACC 0.8) above lambda 1 (0.65).
	for i, e := range entries {
		if !strings.HasPrefix(e.Strategy, "finetune [setup ") || e.Setup == "" || e.Rank != i+1 {
			t.Errorf("entry %d %q, rank %d: want a setup label and rank %d", i, e.Strategy, e.Rank, i+1)
		}
	}
}

// A few-shot variant is set beside the full stream of its own protocol,
// and beside none when two full-stream boards share that protocol.
func TestAmplificationPairsByProtocol(t *testing.T) {
	full := func(backend, digest string, f float64) Entry {
		r := Run{ModelConfig: "m", TrainConfig: "p", Backend: backend, StreamDigest: digest}
		return Entry{Stream: snd, StreamVersion: "1", Strategy: "finetune", Seeds: 3,
			Board: boardOf(r), Protocol: protocolOf(r), Forgetting: estimate(f)}
	}
	few := func(backend string, f float64) Entry {
		r := Run{ModelConfig: "m", TrainConfig: "p", Backend: backend, Shots: 64}
		return Entry{Stream: snd, StreamVersion: "1", Strategy: "finetune", Shots: 64, Seeds: 3,
			Board: boardOf(r), Protocol: protocolOf(r), Forgetting: estimate(f)}
	}

	// go: full 0.10, 64 shots 0.14 -> 0.14/0.10 - 1 = +40%; xla's full
	// stream (0.50) must not be taken for go's.
	rows := Amplification([]Entry{full("go", "d1", 0.10), full("xla", "d1", 0.50), few("go", 0.14)})
	if len(rows) != 1 || !rows[0].Amplification.Defined || abs(rows[0].Amplification.X-0.4) > 1e-12 {
		t.Fatalf("rows %+v: want one row of +40%%", rows)
	}

	// Two full-stream boards of go (other caps, digests d1 and d2): the
	// variant's own full stream is unknown.
	rows = Amplification([]Entry{full("go", "d1", 0.10), full("go", "d2", 0.20), few("go", 0.14)})
	if len(rows) != 1 || rows[0].Amplification.Defined || rows[0].Full.HasMean() {
		t.Errorf("rows %+v: want no full side and no amplification", rows)
	}
}

// estimate is a mean over three seeds without an interval.
func estimate(mean float64) metrics.Estimate {
	return metrics.Estimate{Mean: mean, N: 3}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// A few-shot variant is set beside the full stream at the caps it was
// drawn from (its first task's training examples and every test size),
// not beside a full stream at other caps.
func TestAmplificationPairsByCaps(t *testing.T) {
	entry := func(shots int64, sizes string, f float64) Entry {
		return Entry{Stream: snd, StreamVersion: "1", Strategy: "finetune", Shots: shots,
			Seeds: 3, Protocol: "p", Board: sizes, TaskSizes: sizes, Forgetting: estimate(f)}
	}
	// Full streams capped at 100 and at 200 training examples; a 16-shot
	// variant drawn at 200: 0.3/0.2 - 1 = +50%, not 0.3/0.1 - 1.
	rows := Amplification([]Entry{entry(0, "100/50,100/50", 0.10), entry(0, "200/50,200/50", 0.20),
		entry(16, "200/50,16/50", 0.30)})
	if len(rows) != 1 || !rows[0].Amplification.Defined || abs(rows[0].Amplification.X-0.5) > 1e-12 {
		t.Fatalf("rows %+v: want one row of +50%%", rows)
	}
	// Drawn at 300: no full stream of its caps, and a reason.
	rows = Amplification([]Entry{entry(0, "100/50,100/50", 0.10), entry(16, "300/50,16/50", 0.30)})
	if len(rows) != 1 || rows[0].Amplification.Defined || rows[0].FullSeeds != 0 ||
		!strings.Contains(rows[0].Why, "same protocol and caps") {
		t.Errorf("rows %+v: want no full side, with why", rows)
	}
}

// A seed run twice is pooled in the mean: the seeds column says how many
// runs the mean is over. setupSet's three runs have seeds 1, 2 and 1.
func TestRenderSaysRunsBeyondSeeds(t *testing.T) {
	var b strings.Builder
	if err := Render(&b, Leaderboard(setupSet(func(int, *Run) {})), "table"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "2 (3 runs)") {
		t.Errorf("table lacks \"2 (3 runs)\":\n%s", b.String())
	}
}
