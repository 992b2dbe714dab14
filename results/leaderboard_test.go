package results

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/clbench/clbench/metrics"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestLeaderboard(t *testing.T) {
	s, err := Read(writeFixtures(t))
	if err != nil {
		t.Fatal(err)
	}
	got := Leaderboard(s)

	// Half-widths use the printed two-sided 95% t quantiles
	// t(1) = 12.706 and t(2) = 4.303; they hold to about 1e-4.
	type est struct {
		mean, half float64
		n          int // 0: undefined
		interval   bool
	}
	undef := est{}
	want := []struct {
		strategy, stream         string
		rank, runs, seeds        int
		acc, bwt, forg, intr, la est
		wall                     float64
	}{
		// One task: BWT and F undefined; no cumulative run, so no
		// intransigence either.
		{"finetune", "amazon-domains", 1, 1, 1,
			est{0.8, 0, 1, false}, undef, undef, undef, est{0.8, 0, 1, false}, 3},
		// ACC 0.9 from one seed; intransigence against itself: 0.
		{"cumulative", "sentiment-ner-domain", 1, 1, 1,
			est{0.9, 0, 1, false}, est{-0.05, 0, 1, false}, est{0.05, 0, 1, false},
			est{0, 0, 1, false}, est{0.925, 0, 1, false}, 40},
		// ACC (0.8, 0.85): mean 0.825, s = 0.05/sqrt(2) = 0.035355,
		//   half = 12.706 * 0.035355 / sqrt(2) = 0.31765.
		// BWT (0.75-0.9, 0.85-0.9) = (-0.15, -0.05): mean -0.1, s = 0.070711,
		//   half = 12.706 * 0.070711 / sqrt(2) = 0.6353. F is -BWT here.
		// Intransigence (0.05 computed, 0.07 stored): mean 0.06,
		//   s = 0.014142, half = 12.706 * 0.01 = 0.12706.
		// LA (0.875, 0.875): no spread.
		{"ewc", "sentiment-ner-domain", 2, 2, 2,
			est{0.825, 0.31765, 2, true}, est{-0.1, 0.6353, 2, true},
			est{0.1, 0.6353, 2, true}, est{0.06, 0.12706, 2, true},
			est{0.875, 0, 2, true}, 13},
		// ACC (0.6, 0.7, 0.8): mean 0.7, s = 0.1, half = 4.303 * 0.1 / sqrt(3)
		//   = 0.24843. BWT (-0.4, -0.3, -0.2) and F (0.4, 0.3, 0.2) alike.
		// Intransigence only for seed 1 (the only cumulative seed):
		//   ((0.95-0.9) + (0.9-0.7))/2 = 0.125.
		// LA (0.8, 0.85, 0.9): mean 0.85, s = 0.05, half = 0.12422.
		// The failed seed 4 is not counted.
		{"finetune", "sentiment-ner-domain", 3, 3, 3,
			est{0.7, 0.24843, 3, true}, est{-0.3, 0.24843, 3, true},
			est{0.3, 0.24843, 3, true}, est{0.125, 0, 1, false},
			est{0.85, 0.12422, 3, true}, 20},
		// ACC undefined: unranked and last. Intransigence against the
		// cumulative seed 1: ((0.95-0.9) + (0.9-0.8))/2 = 0.075.
		{"replay", "sentiment-ner-domain", 0, 1, 1,
			undef, undef, undef, est{0.075, 0, 1, false}, est{0.85, 0, 1, false}, 15},
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		t.Run(w.stream+"/"+w.strategy, func(t *testing.T) {
			if g.Strategy != w.strategy || g.Stream != w.stream {
				t.Fatalf("entry %d is %s on %s", i, g.Strategy, g.Stream)
			}
			if g.Rank != w.rank || g.Runs != w.runs || g.Seeds != w.seeds {
				t.Errorf("rank %d, runs %d, seeds %d; want %d, %d, %d",
					g.Rank, g.Runs, g.Seeds, w.rank, w.runs, w.seeds)
			}
			for _, c := range []struct {
				name string
				got  metrics.Estimate
				want est
			}{
				{"ACC", g.ACC, w.acc}, {"BWT", g.BWT, w.bwt}, {"Forgetting", g.Forgetting, w.forg},
				{"Intransigence", g.Intransigence, w.intr}, {"LA", g.LA, w.la},
				{"FWT", g.FWT, undef}, // R[0][1] is never measured
			} {
				if c.got.N != c.want.n || c.got.HasInterval != c.want.interval {
					t.Errorf("%s: %+v, want n %d, interval %v", c.name, c.got, c.want.n, c.want.interval)
					continue
				}
				if math.Abs(c.got.Mean-c.want.mean) > 1e-12 ||
					math.Abs(c.got.HalfWidth()-c.want.half) > 1e-4 {
					t.Errorf("%s: %g ± %g, want %g ± %g", c.name,
						c.got.Mean, c.got.HalfWidth(), c.want.mean, c.want.half)
				}
			}
			if math.Abs(g.Cost.WallSeconds-w.wall) > 1e-12 {
				t.Errorf("wall %g s, want %g", g.Cost.WallSeconds, w.wall)
			}
		})
	}
}

func TestFailures(t *testing.T) {
	s, err := Read(writeFixtures(t))
	if err != nil {
		t.Fatal(err)
	}
	f := Failures(s)
	if len(f) != 1 || f[0].Strategy != "finetune" || f[0].Seed != 4 || f[0].Error == "" {
		t.Fatalf("failures %+v, want finetune seed 4 with its reason", f)
	}
}

func TestRender(t *testing.T) {
	s, err := Read(writeFixtures(t))
	if err != nil {
		t.Fatal(err)
	}
	entries := Leaderboard(s)
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Render(&buf, entries, format); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "leaderboard."+format+".golden")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				got := golden + ".got"
				os.WriteFile(got, buf.Bytes(), 0o644)
				t.Errorf("output differs from %s; wrote %s", golden, got)
			}
		})
	}
	t.Run("unknown format", func(t *testing.T) {
		if err := Render(&bytes.Buffer{}, entries, "xml"); err == nil {
			t.Fatal("no error")
		}
	})
}
