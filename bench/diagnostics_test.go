package bench

import (
	"math"
	"testing"

	"github.com/clbench/clbench/internal/toy"
)

// frozenEncoder trains only the heads: the encoder ends every task as it
// began.
type frozenEncoder struct{}

func (frozenEncoder) Name() string { return "frozen-encoder" }
func (frozenEncoder) Trainable(_ *Session, _ int, path string) bool {
	return ParamGroup(path) == "head"
}

func runDiagnostics(t *testing.T, s Strategy, diagnostics bool) *Outcome {
	t.Helper()
	return runToySpec(t, RunSpec{Stream: toy.Stream(128), Strategy: s, Seed: 3, Diagnostics: diagnostics}, 2)
}

// find returns the value of one diagnostic, failing when it is missing.
func find(t *testing.T, out *Outcome, after, task int, name, group string) (float64, bool) {
	t.Helper()
	for _, d := range out.Diagnostics {
		if d.AfterTask == after && d.Task == task && d.Name == name && d.Group == group {
			return d.Value.X, d.Value.Defined
		}
	}
	t.Fatalf("no %s/%s after task %d about task %d", name, group, after, task)
	return 0, false
}

func TestDiagnosticsChangeNothing(t *testing.T) {
	with, without := runDiagnostics(t, plain{}, true), runDiagnostics(t, plain{}, false)
	for i := range with.R {
		for j := range with.R[i] {
			if math.Float64bits(with.R[i][j]) != math.Float64bits(without.R[i][j]) {
				t.Errorf("R[%d][%d] = %v with diagnostics, %v without", i, j, with.R[i][j], without.R[i][j])
			}
		}
	}
	if len(without.Diagnostics) != 0 {
		t.Errorf("%d diagnostics measured without asking", len(without.Diagnostics))
	}

	// Three tasks: drift of task 1 after tasks 2 and 3, of task 2 after
	// 3; key-token mass of each task after it and every later one.
	// micro has one block of two heads and one feed-forward layer.
	for _, c := range []struct{ after, task int }{{2, 1}, {3, 1}, {3, 2}} {
		if d, ok := find(t, with, c.after, c.task, DiagParamDistance, "all"); !ok || !(d > 0) {
			t.Errorf("finetune moved its parameters by %v (defined %v) from task %d to %d", d, ok, c.task, c.after)
		}
		if v, ok := find(t, with, c.after, c.task, DiagCKA, ""); !ok || v < 0 || v > 1+1e-9 {
			t.Errorf("CKA %v (defined %v) after task %d about task %d, want in [0, 1]", v, ok, c.after, c.task)
		}
		if v, ok := find(t, with, c.after, c.task, DiagAttentionKL, "block0/head1"); !ok || !(v > 0) {
			t.Errorf("attention KL %v (defined %v) after task %d about task %d, want > 0", v, ok, c.after, c.task)
		}
		find(t, with, c.after, c.task, DiagInactive, "layer0")
	}
	// The toy's first task is decided by "splendid", its only key token
	// at the 5% level; the tag task's are the name's two words.
	for _, c := range []struct{ after, task int }{{1, 1}, {2, 1}, {3, 1}, {2, 2}, {3, 2}} {
		if v, ok := find(t, with, c.after, c.task, DiagKeyMass, "all"); !ok || v <= 0 || v >= 1 {
			t.Errorf("key-token mass %v (defined %v) after task %d on task %d, want in (0, 1)", v, ok, c.after, c.task)
		}
	}
}

func TestDiagnosticsOfAFrozenEncoder(t *testing.T) {
	// Only the heads train, so every probe passes through the same
	// encoder: the encoder's groups do not move (exactly), attention
	// and representations are the same (KL 0, CKA 1 up to rounding),
	// and no unit falls silent. Each task's head trains only with its
	// task, so task 1's head is where it was too.
	out := runDiagnostics(t, frozenEncoder{}, true)
	for _, g := range []string{"embeddings", "attention", "ffn", "norm", "head", "all"} {
		if d, ok := find(t, out, 3, 1, DiagParamDistance, g); !ok || d != 0 {
			t.Errorf("%s moved by %v (defined %v) with a frozen encoder", g, d, ok)
		}
	}
	if v, _ := find(t, out, 3, 1, DiagAttentionKL, "all"); v != 0 {
		t.Errorf("attention KL %v with a frozen encoder, want 0", v)
	}
	if v, _ := find(t, out, 3, 1, DiagCKA, ""); math.Abs(v-1) > 1e-9 {
		t.Errorf("CKA %v with a frozen encoder, want 1", v)
	}
	if v, _ := find(t, out, 3, 1, DiagInactive, "all"); v != 0 {
		t.Errorf("inactive share %v with a frozen encoder, want 0", v)
	}
	before, _ := find(t, out, 1, 1, DiagKeyMass, "all")
	after, _ := find(t, out, 3, 1, DiagKeyMass, "all")
	if before != after {
		t.Errorf("key-token mass %v at the end of task 1 and %v after task 3 with a frozen encoder", before, after)
	}
}
