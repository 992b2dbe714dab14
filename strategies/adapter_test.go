package strategies

import "testing"

// adapter forgets nothing: old tasks keep their scores bit for bit, the
// backbone and old tasks' parameters stay bit-identical, and the
// parameters it adds train and are counted in the cost columns.
func TestAdapterIsolatesTasks(t *testing.T) {
	out := checkIsolation(t, "adapter", "/adapter")
	checkAdded(t, "adapter", out)
}
