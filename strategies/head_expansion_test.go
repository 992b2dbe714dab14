package strategies

import "testing"

// head-expansion forgets nothing: old tasks keep their scores bit for bit, the
// backbone and old tasks' parameters stay bit-identical, and the
// parameters it adds train and are counted in the cost columns.
func TestHeadExpansionIsolatesTasks(t *testing.T) {
	out := checkIsolation(t, "head-expansion", "/expand_heads")
	checkAdded(t, "head-expansion", out)
}
