package strategies

import (
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/clbench/clbench/tasks"
)

// MAS's output norm by hand. Classify logits [3 4]: 3^2 + 4^2 = 25.
// Tag logits [3 4], [1 0], [9 9] with the third token padding:
// (25 + 1) / 2 = 13, the padding's 162 left out.
func TestMASOutputNorm(t *testing.T) {
	got := evalNodes(t, func(in []*Node) []*Node {
		mask := ConvertDType(in[2], dtypes.Bool)
		return []*Node{
			outputNorm(tasks.Classify, in[0], nil, nil),
			outputNorm(tasks.Tag, in[1], nil, mask),
		}
	},
		tensors.FromFlatDataAndDimensions([]float32{3, 4}, 1, 2),
		tensors.FromFlatDataAndDimensions([]float32{3, 4, 1, 0, 9, 9}, 1, 3, 2),
		tensors.FromFlatDataAndDimensions([]float32{1, 1, 0}, 1, 3))
	if got[0][0] != 25 {
		t.Errorf("classify output norm = %g, want 25", got[0][0])
	}
	if got[1][0] != 13 {
		t.Errorf("tag output norm = %g, want 13", got[1][0])
	}
}

// With lambda 0, mas trains as finetune does; its importances, taken
// from the first task, are positive somewhere.
func TestMASLambdaZeroIsFinetune(t *testing.T) {
	s := newStrategy(t, "mas", map[string]string{"lambda": "0"})
	out := runWith(t, s, 1)
	if ft := finetuneSeed1(t).out; !sameMatrix(out, ft) {
		t.Errorf("mas lambda=0 R = %v, want finetune's %v", out.R, ft.R)
	}
	var total float64
	for _, v := range s.(*mas).importance {
		for _, x := range v {
			total += float64(x)
		}
	}
	if !(total > 0) {
		t.Errorf("sum of importances = %g, want > 0", total)
	}
}
