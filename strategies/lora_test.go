package strategies

import "testing"

// lora forgets nothing: old tasks keep their scores bit for bit, the
// backbone and old tasks' parameters stay bit-identical, and the
// parameters it adds train and are counted in the cost columns.
func TestLoRAIsolatesTasks(t *testing.T) {
	out := checkIsolation(t, "lora", "/lora")
	checkAdded(t, "lora", out)
}
