package strategies

import (
	"strings"
	"testing"
)

// online-ewc cannot run without its decay factor: an empty, absent or
// out-of-range gamma is an error from the constructor, before any run
// starts. (The registry fills in the default 0.9 when gamma is not
// given at all; an explicit empty value still counts as missing.)
func TestOnlineEWCNeedsDecayFactor(t *testing.T) {
	for _, gamma := range []string{"", "0", "-0.5", "1.5", "NaN", "Inf", "fast"} {
		if _, _, err := Default.New("online-ewc", map[string]string{"gamma": gamma}); err == nil {
			t.Errorf("gamma=%q accepted", gamma)
		} else if !strings.Contains(err.Error(), "gamma") {
			t.Errorf("gamma=%q: error %q does not name gamma", gamma, err)
		}
	}
	info, _ := Default.Lookup("online-ewc")
	_, err := info.New(Config{"lambda": "100", "samples": "256"})
	if err == nil || !strings.Contains(err.Error(), "decay factor") {
		t.Errorf("constructor without gamma: err = %v, want a missing decay factor", err)
	}
	for _, gamma := range []string{"1", "0.5", "1e-3"} {
		if _, _, err := Default.New("online-ewc", map[string]string{"gamma": gamma}); err != nil {
			t.Errorf("gamma=%s rejected: %v", gamma, err)
		}
	}
}
