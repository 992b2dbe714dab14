package strategies

import "testing"

// prefix forgets nothing: old tasks keep their scores bit for bit, the
// backbone and old tasks' parameters stay bit-identical, and the
// parameters it adds train and are counted in the cost columns.
func TestPrefixIsolatesTasks(t *testing.T) {
	out := checkIsolation(t, "prefix", "/prefix")
	checkAdded(t, "prefix", out)
}
