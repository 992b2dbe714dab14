package strategies

import "testing"

// layer-expansion forgets nothing: old tasks keep their scores bit for bit, the
// backbone and old tasks' parameters stay bit-identical, and the
// parameters it adds train and are counted in the cost columns.
func TestLayerExpansionIsolatesTasks(t *testing.T) {
	out := checkIsolation(t, "layer-expansion", "/expand_blocks")
	checkAdded(t, "layer-expansion", out)
}
