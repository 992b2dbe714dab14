package strategies

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph code reads best unqualified

	"github.com/clbench/clbench/bench"
)

func init() {
	MustRegister(Info{
		Name:    "si",
		Family:  Protect,
		Summary: "synaptic intelligence: a quadratic penalty weighted by each weight's share of the loss's decrease along training",
		Params: []Param{
			{Name: "c", Default: "1", Doc: "penalty strength (the paper's split-MNIST order of magnitude)"},
			{Name: "xi", Default: "0.001",
				Doc: "damping of the importance's denominator (the squared distance a weight moved in a task)"},
		},
		New: newSI,
	})
}

// si is Synaptic Intelligence (Zenke et al. 2017, "Continual Learning
// Through Synaptic Intelligence", ICML). During a task it integrates,
// for each shared weight, omega_i = sum over steps of -g_i * delta_i:
// the task loss's gradient (without the penalty) times the update the
// optimizer applied. After the task the weight's importance grows by
// max(0, omega_i / (Delta_i^2 + xi)), Delta_i being how far the weight
// moved over the whole task, and later tasks train on their loss plus
// c sum_i Omega_i (theta_i - theta*_i)^2, theta* the latest task's
// weights. Negative ratios (weights whose moves raised the loss) are
// clipped to 0, so that no weight is pushed away from its anchor.
//
// Each step's graph sees the weights before its own update, so it adds
// the previous step's term -g_prev * (theta - theta_prev); AfterTask
// adds the last step's.
type si struct {
	c, xi      float64
	paths      []string
	importance map[string][]float32 // Omega; nil before any task ends
}

// Buffers of the running integral (current task) and of the penalty.
const (
	siStart      = "/si/start"      // weights when the task began
	siPrev       = "/si/prev"       // weights before the previous step
	siGrad       = "/si/grad"       // the previous step's task gradient
	siOmega      = "/si/omega"      // the path integral so far
	siImportance = "/si/importance" // Omega
	siAnchor     = "/si/anchor"     // theta*
)

func newSI(cfg Config) (bench.Strategy, error) {
	c, err := floatParam(cfg, "c", 0)
	if err != nil {
		return nil, err
	}
	xi, err := floatParam(cfg, "xi", 0)
	if err != nil {
		return nil, err
	}
	if xi == 0 {
		return nil, fmt.Errorf("parameter xi must be positive: a weight that never moved would divide by 0")
	}
	return &si{c: c, xi: xi}, nil
}

func (*si) Name() string { return "si" }

// BeforeTask starts the task's integral at 0 from the current weights.
func (p *si) BeforeTask(s *bench.Session, _ int) error {
	if p.paths == nil {
		p.paths = sharedPaths(s.Model)
	}
	theta, err := paramValues(s, p.paths, "")
	if err != nil {
		return err
	}
	zeros := make(map[string][]float32, len(theta))
	for path, v := range theta {
		zeros[path] = make([]float32, len(v))
	}
	for _, scope := range []string{siStart, siPrev} {
		if err := setBuffers(s, scope, theta); err != nil {
			return err
		}
	}
	for _, scope := range []string{siGrad, siOmega} {
		if err := setBuffers(s, scope, zeros); err != nil {
			return err
		}
	}
	return nil
}

// EditGradients advances the path integral by the previous step's term
// and records this step's weights and task gradient for the next. It
// leaves the gradients as they are.
func (p *si) EditGradients(st *bench.Step, grads map[string]*Node) {
	store := st.Session.Model.Store()
	penalty := p.c != 0 && p.importance != nil
	for _, path := range p.paths {
		g, ok := grads[path]
		if !ok || g == nil {
			continue
		}
		theta := st.Value(path)
		if penalty {
			// The penalty's own gradient, 2c Omega (theta - theta*), is
			// not part of the task's loss.
			own := Mul(st.Value(siImportance+path), Sub(theta, st.Value(siAnchor+path)))
			g = Sub(g, MulScalar(own, 2*p.c))
		}
		step := Mul(st.Value(siGrad+path), Sub(theta, st.Value(siPrev+path)))
		store.GetVariable(siOmega + path).SetNodeValue(Sub(st.Value(siOmega+path), step))
		store.GetVariable(siPrev + path).SetNodeValue(theta)
		store.GetVariable(siGrad + path).SetNodeValue(g)
	}
}

// AfterTask closes the integral and turns it into importances (not
// needed after the last task).
func (p *si) AfterTask(s *bench.Session, task int) error {
	if task == len(s.Stream.Tasks)-1 {
		return nil
	}
	read := map[string]map[string][]float32{}
	for _, scope := range []string{"", siStart, siPrev, siGrad, siOmega} {
		v, err := paramValues(s, p.paths, scope)
		if err != nil {
			return err
		}
		read[scope] = v
	}
	fresh := make(map[string][]float32, len(p.paths))
	for _, path := range p.paths {
		fresh[path] = siImportanceOf(read[""][path], read[siStart][path], read[siPrev][path],
			read[siGrad][path], read[siOmega][path], p.xi)
	}
	p.importance = decayAdd(p.importance, fresh, 1)
	if err := setBuffers(s, siImportance, p.importance); err != nil {
		return err
	}
	return setBuffers(s, siAnchor, read[""])
}

// siImportanceOf returns max(0, omega_i / (Delta_i^2 + xi)) for each
// weight, after adding the last step's term -grad_i (end_i - prev_i) to
// omega; Delta_i = end_i - start_i.
func siImportanceOf(end, start, prev, grad, omega []float32, xi float64) []float32 {
	out := make([]float32, len(end))
	for i := range end {
		w := float64(omega[i]) - float64(grad[i])*float64(end[i]-prev[i])
		d := float64(end[i] - start[i])
		out[i] = float32(max(0, w/(d*d+xi)))
	}
	return out
}

func (p *si) ExtraLoss(st *bench.Step) *Node {
	if p.c == 0 || p.importance == nil {
		return nil
	}
	return MulScalar(quadraticPenalty(st, p.paths, siImportance, siAnchor), p.c)
}
