package strategies

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/clbench/clbench/bench"
)

// evalSupCon computes supConLoss on hand-made features.
func evalSupCon(t *testing.T, features [][]float32, labels []int32, temp float64) float64 {
	t.Helper()
	backend, _, err := bench.NewBackend("")
	if err != nil {
		t.Fatal(err)
	}
	var flat []float32
	for _, f := range features {
		flat = append(flat, f...)
	}
	x := tensors.FromFlatDataAndDimensions(flat, len(features), len(features[0]))
	y := tensors.FromFlatDataAndDimensions(labels, len(labels))
	out, err := ExecOnce(backend, func(x, y *Node) *Node { return supConLoss(x, y, temp) }, x, y)
	if err != nil {
		t.Fatal(err)
	}
	return float64(tensors.MustCopyFlatData[float32](out)[0])
}

// Expected values by hand from L_i = -mean_{p in P(i)} log softmax_{a != i}
// (z_i.z_a / T)_p, averaged over anchors that have a positive.
func TestSupConLossByHand(t *testing.T) {
	cases := []struct {
		name     string
		features [][]float32
		labels   []int32
		temp     float64
		want     float64
	}{
		// Anchors 0 and 1 (class 0) are identical: similarity 1 to
		// each other, 0 to the class-1 example, which has no positive
		// and is not an anchor. L_0 = L_1 = -log(e^1/(e^1+e^0)) =
		// log(1+e^-1).
		{"identical pair", [][]float32{{1, 0}, {1, 0}, {0, 1}}, []int32{0, 0, 1}, 1,
			math.Log(1 + math.Exp(-1))},
		// Same at T = 0.5: similarities doubled, log(1+e^-2).
		{"identical pair, T=0.5", [][]float32{{1, 0}, {1, 0}, {0, 1}}, []int32{0, 0, 1}, 0.5,
			math.Log(1 + math.Exp(-2))},
		// Feature 1 turned to (0.6, 0.8): z0.z1 = 0.6, z0.z2 = 0,
		// z1.z2 = 0.8. L_0 = log(1+e^-0.6), L_1 = -log(e^0.6/(e^0.6+e^0.8))
		// = log(1+e^0.2).
		{"apart pair", [][]float32{{1, 0}, {0.6, 0.8}, {0, 1}}, []int32{0, 0, 1}, 1,
			(math.Log(1+math.Exp(-0.6)) + math.Log(1+math.Exp(0.2))) / 2},
		// Features are normalised first: (3, 0) counts as (1, 0).
		{"scaled pair", [][]float32{{3, 0}, {1, 0}, {0, 2}}, []int32{0, 0, 1}, 1,
			math.Log(1 + math.Exp(-1))},
		// Three identical examples of one class: each anchor's two
		// positives share the softmax equally, L_i = log 2.
		{"three of a class", [][]float32{{1, 0}, {1, 0}, {1, 0}}, []int32{5, 5, 5}, 1, math.Log(2)},
		// No anchor has a positive: the loss is 0, not NaN.
		{"no positives", [][]float32{{1, 0}, {0, 1}}, []int32{0, 1}, 1, 0},
	}
	got := map[string]float64{}
	for _, c := range cases {
		got[c.name] = evalSupCon(t, c.features, c.labels, c.temp)
		if math.Abs(got[c.name]-c.want) > 1e-5 {
			t.Errorf("%s: loss %.6f, want %.6f", c.name, got[c.name], c.want)
		}
	}
	// Identical same-class features are the minimum: moving one apart
	// raises the loss.
	if !(got["identical pair"] < got["apart pair"]) {
		t.Errorf("identical pair %.4f should be below apart pair %.4f",
			got["identical pair"], got["apart pair"])
	}
}

// With weight 0 contrastive-replay adds nothing and is replay bit for
// bit.
func TestContrastiveReplayWeightZeroIsReplay(t *testing.T) {
	zero := runStrategy(t, "contrastive-replay", map[string]string{"weight": "0"}, 1)
	if rp := replayRun(t); !sameMatrix(rp, zero) {
		t.Errorf("weight 0: R = %v, replay R = %v; want identical", zero.R, rp.R)
	}
}

// With a positive weight the loss reaches training and the scores
// change.
func TestContrastiveReplayWeightChangesTraining(t *testing.T) {
	on := runStrategy(t, "contrastive-replay", map[string]string{"weight": "1"}, 1)
	if sameMatrix(replayRun(t), on) {
		t.Errorf("weight 1 gave replay's R %v; the contrastive loss had no effect", on.R)
	}
}

func TestContrastiveReplayRejectsBadParams(t *testing.T) {
	for _, p := range []map[string]string{{"temperature": "0"}, {"weight": "-1"}, {"memory": "0"}} {
		if _, _, err := Default.New("contrastive-replay", p); err == nil {
			t.Errorf("params %v accepted, want an error", p)
		}
	}
}
