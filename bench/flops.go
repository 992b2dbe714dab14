package bench

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// ForwardFLOPs counts the floating-point operations of the encoder's
// matrix products for one sequence of length tokens, plus a head of
// width classes on every position (2 FLOPs per multiply-add). Element-
// wise work (norms, softmax, activations) is left out: it is small next
// to the products, and this count is what GFLOP/s figures are quoted
// against. A training step costs about three times the forward pass
// (the backward pass computes two products for each forward one).
func (c ModelConfig) ForwardFLOPs(length, classes int) float64 {
	l, d, f := float64(length), float64(c.Width), float64(c.FFN)
	perLayer := l*(4*d*d+2*d*f) + 2*l*l*d // projections and FFN, then scores and mixing
	return 2 * (float64(c.Layers)*perLayer + l*d*float64(classes))
}

// MLPForwardFLOPs counts the matrix products of the mlp's forward pass
// for one example of inputs pixels and a head of classes (2 FLOPs per
// multiply-add), as ForwardFLOPs does for the Transformer.
func (c ModelConfig) MLPForwardFLOPs(inputs, classes int) float64 {
	in, w := float64(inputs), float64(c.Width)
	return 2 * (in*w + float64(c.Layers-1)*w*w + w*float64(classes))
}

// PeakGFLOPS estimates the machine's fp32 peak: cores x clock x FLOPs
// per cycle, taking 64 FLOPs per cycle per core (two 512-bit FMA pipes,
// 16 lanes, 2 FLOPs each) on a CPU with AVX-512 and 32 with AVX2
// (two 256-bit pipes). The clock is /proc/cpuinfo's "cpu MHz" (the
// current clock, not the boost clock). CLBENCH_PEAK_GFLOPS overrides
// the estimate. It returns 0 when nothing is known.
func PeakGFLOPS() float64 {
	if v, err := strconv.ParseFloat(os.Getenv("CLBENCH_PEAK_GFLOPS"), 64); err == nil && v > 0 {
		return v
	}
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	var mhz float64
	perCycle := 16.0 // SSE: two 128-bit pipes
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(key) {
		case "cpu MHz":
			if mhz == 0 {
				mhz, _ = strconv.ParseFloat(strings.TrimSpace(value), 64)
			}
		case "flags":
			flags := " " + value + " "
			switch {
			case strings.Contains(flags, " avx512f "):
				perCycle = 64
			case strings.Contains(flags, " avx2 "):
				perCycle = 32
			}
		}
	}
	return float64(runtime.NumCPU()) * mhz / 1000 * perCycle
}
