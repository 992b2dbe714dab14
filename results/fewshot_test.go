package results

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func TestAmplification(t *testing.T) {
	s, err := Read(writeAllFixtures(t))
	if err != nil {
		t.Fatal(err)
	}
	rows := Amplification(Leaderboard(s))

	// The rows and amplifications worked by hand in fewShotFixtures; the
	// one-task amazon-domains run has no full variant and its forgetting
	// is undefined.
	nan := math.NaN()
	want := []struct {
		stream, strategy   string
		full, few, amp     float64 // NaN: undefined
		fullSeeds, fewSeed int
	}{
		{"amazon-domains", "finetune", nan, nan, nan, 0, 1},
		{snd, "finetune", 0.3, 0.4, 0.4/0.3 - 1, 3, 3},
		{snd, "lwf", nan, 0.1, nan, 0, 1},
		{snd, "replay", nan, 0.2, nan, 1, 1},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(rows), len(want), rows)
	}
	close := func(got float64, defined bool, want float64) bool {
		if math.IsNaN(want) {
			return !defined
		}
		return defined && math.Abs(got-want) < 1e-12
	}
	for i, w := range want {
		r := rows[i]
		if r.Stream != w.stream || r.Strategy != w.strategy || r.Shots != 64 {
			t.Errorf("row %d is %s on %s, %d shots; want %s on %s, 64", i, r.Strategy,
				r.Stream, r.Shots, w.strategy, w.stream)
			continue
		}
		if !close(r.Full.Mean, r.Full.HasMean(), w.full) ||
			!close(r.FewShot.Mean, r.FewShot.HasMean(), w.few) ||
			!close(r.Amplification.X, r.Amplification.Defined, w.amp) {
			t.Errorf("%s: F full %+v, few %+v, amplification %v; want %v, %v, %v", w.strategy,
				r.Full, r.FewShot, r.Amplification, w.full, w.few, w.amp)
		}
		if r.FullSeeds != w.fullSeeds || r.FewShotSeeds != w.fewSeed {
			t.Errorf("%s: seeds %d/%d, want %d/%d", w.strategy, r.FullSeeds, r.FewShotSeeds,
				w.fullSeeds, w.fewSeed)
		}
	}
}

func TestRenderAmplification(t *testing.T) {
	s, err := Read(writeAllFixtures(t))
	if err != nil {
		t.Fatal(err)
	}
	rows := Amplification(Leaderboard(s))
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := RenderAmplification(&buf, rows, format); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "amplification."+format+".golden", buf.Bytes())
		})
	}
	if err := RenderAmplification(&bytes.Buffer{}, rows, "xml"); err == nil {
		t.Error("unknown format: no error")
	}
}

// Two few-shot boards of one stream and shots (other caps, say) are two
// rows, told apart by their board beside the stream.
func TestAmplificationShowsTheBoard(t *testing.T) {
	few := func(board string, f float64) Entry {
		return Entry{Stream: snd, StreamVersion: "1", Strategy: "ewc", Shots: 32, Seeds: 3,
			Board: board, BoardLabel: board, Protocol: "p", Forgetting: estimate(f)}
	}
	rows := Amplification([]Entry{few("bbbbbbbb", 0.2), few("aaaaaaaa", 0.1)})
	var b strings.Builder
	if err := RenderAmplification(&b, rows, "table"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{snd + "@1 [aaaaaaaa]", snd + "@1 [bbbbbbbb]"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}
