package tasks

import (
	"fmt"
	"strconv"
)

// Scenario is how the tasks of an image stream share their output, after
// van de Ven and Tolias, "Three scenarios for continual learning"
// (2019): whether the task is known at test time and, if not, whether
// it must be inferred.
type Scenario string

const (
	// TaskIL: the task is known; each task has a head of its own.
	TaskIL Scenario = "task"
	// DomainIL: the task is not known and need not be: one shared head
	// with the classes every task has (split MNIST: first or second
	// digit of the pair; permuted MNIST: the ten digits).
	DomainIL Scenario = "domain"
	// ClassIL: the task must be inferred: one shared head that grows
	// with each task's classes; after task k only the classes of tasks
	// 1..k can be predicted (van de Ven's "active units").
	ClassIL Scenario = "class"
)

// Scenarios lists the scenarios in the paper's order.
var Scenarios = []Scenario{TaskIL, DomainIL, ClassIL}

// The MNIST streams' fixed choices. A change to any of them changes
// what the streams hold: bump mnistVersion.
const (
	mnistVersion = "1"
	// mnistDataSeed draws the permutations of permuted MNIST and any
	// caps.
	mnistDataSeed = 20190415
	// permutedTasks is the number of permuted MNIST tasks.
	permutedTasks = 10
	// permutedSide is the side of permuted MNIST's images: MNIST's 28
	// padded with 2 background pixels on every side, as the paper's
	// code does for this protocol.
	permutedSide = 32
)

// The protocols of van de Ven and Tolias (2019), section 4 and appendix:
// Adam (betas 0.9, 0.999) on batches of 128; split MNIST with two
// hidden layers of 400 ReLU units, 2,000 iterations per task, learning
// rate 0.001; permuted MNIST with two layers of 1,000 units, 5,000
// iterations per task, learning rate 0.0001.
var (
	splitProtocol = Protocol{Model: "mlp400", Iterations: 2000, BatchSize: 128, LearningRate: 0.001,
		Source: "van de Ven and Tolias (2019), split MNIST"}
	permutedProtocol = Protocol{Model: "mlp1000", Iterations: 5000, BatchSize: 128, LearningRate: 0.0001,
		Source: "van de Ven and Tolias (2019), permuted MNIST"}
)

// mnistStreams defines split and permuted MNIST in each scenario.
func mnistStreams() []*streamDef {
	var defs []*streamDef
	for _, sc := range Scenarios {
		defs = append(defs, splitMNIST(sc), permutedMNIST(sc))
	}
	return defs
}

// mnistStream makes the definition of an MNIST stream whose tasks
// build makes from the two splits.
func mnistStream(name, desc string, names []string, proto Protocol,
	build func(train, test *Digits) []*Task) *streamDef {
	d := stream(name, mnistVersion, desc)
	d.info.DataSeed = mnistDataSeed
	d.info.NeedsData = true
	d.info.Protocol = proto
	for _, n := range names {
		d.info.Tasks = append(d.info.Tasks, n)
		d.info.Specs = append(d.info.Specs, TaskSpec{
			Name:        n,
			FileOptions: FileOptions{Kind: Classify},
			Train:       "mnist/" + MNISTTrainImages.Name,
			Test:        "mnist/" + MNISTTestImages.Name,
		})
	}
	d.build = func(dataDir string) ([]*Task, error) {
		train, test, err := LoadMNIST(dataDir)
		if err != nil {
			return nil, err
		}
		return build(train, test), nil
	}
	return d
}

// splitMNIST is MNIST as five tasks of two digits: 0/1, 2/3, 4/5, 6/7,
// 8/9, each with all of MNIST's training and test images of its digits.
func splitMNIST(sc Scenario) *streamDef {
	var names []string
	for k := 0; k < 5; k++ {
		names = append(names, fmt.Sprintf("digits-%d-%d", 2*k, 2*k+1))
	}
	desc := map[Scenario]string{
		TaskIL:   "MNIST as five two-digit tasks, a head per task (task-incremental)",
		DomainIL: "MNIST as five two-digit tasks, one head: first or second digit of the pair (domain-incremental)",
		ClassIL:  "MNIST as five two-digit tasks, one growing ten-digit head (class-incremental)",
	}[sc]
	return mnistStream("split-mnist-"+string(sc), desc, names, splitProtocol, func(train, test *Digits) []*Task {
		tasks := make([]*Task, 5)
		for k := range tasks {
			t := &Task{Name: names[k], Kind: Classify, ImageSize: train.Rows * train.Cols,
				Source: "MNIST (" + MNISTModule + "@" + MNISTVersion + "), digits " +
					strconv.Itoa(2*k) + " and " + strconv.Itoa(2*k+1)}
			label := func(digit byte) int { return int(digit) - 2*k }
			switch sc {
			case TaskIL:
				t.Labels = []string{strconv.Itoa(2 * k), strconv.Itoa(2*k + 1)}
			case DomainIL:
				t.Labels, t.Head = []string{"first", "second"}, "pair"
			case ClassIL:
				t.Labels, t.Head, t.ActiveClasses = digitLabels(), "digits", 2*(k+1)
				label = func(digit byte) int { return int(digit) }
			}
			keep := func(d byte) bool { return int(d) == 2*k || int(d) == 2*k+1 }
			t.Train = digitExamples(train, keep, label, nil, 0)
			t.Test = digitExamples(test, keep, label, nil, 0)
			tasks[k] = t
		}
		return tasks
	})
}

// permutedMNIST is MNIST, padded to 32 x 32, as ten tasks: the first
// with the pixels in their order, each later one with a fixed random
// permutation of them (drawn with mnistDataSeed), every task with all
// ten digits.
func permutedMNIST(sc Scenario) *streamDef {
	var names []string
	for k := 1; k <= permutedTasks; k++ {
		names = append(names, fmt.Sprintf("permutation-%d", k))
	}
	desc := map[Scenario]string{
		TaskIL:   "MNIST under ten pixel permutations, a ten-digit head per task (task-incremental)",
		DomainIL: "MNIST under ten pixel permutations, one ten-digit head (domain-incremental)",
		ClassIL:  "MNIST under ten pixel permutations, one growing head of 10 digits per task (class-incremental)",
	}[sc]
	size := permutedSide * permutedSide
	return mnistStream("permuted-mnist-"+string(sc), desc, names, permutedProtocol, func(train, test *Digits) []*Task {
		tasks := make([]*Task, permutedTasks)
		for k := range tasks {
			var perm []int // nil: the first task keeps the pixels' order
			if k > 0 {
				perm = newRNG(mnistDataSeed, names[k], "permutation").perm(size)
			}
			t := &Task{Name: names[k], Kind: Classify, ImageSize: size,
				Source: "MNIST (" + MNISTModule + "@" + MNISTVersion + "), padded to 32x32, " +
					names[k]}
			label := func(digit byte) int { return int(digit) }
			switch sc {
			case TaskIL:
				t.Labels = digitLabels()
			case DomainIL:
				t.Labels, t.Head = digitLabels(), "digits"
			case ClassIL:
				t.Labels, t.Head, t.ActiveClasses = permutedClassLabels(), "task-digits", 10*(k+1)
				label = func(digit byte) int { return 10*k + int(digit) }
			}
			all := func(byte) bool { return true }
			t.Train = digitExamples(train, all, label, perm, permutedSide)
			t.Test = digitExamples(test, all, label, perm, permutedSide)
			tasks[k] = t
		}
		return tasks
	})
}

// digitLabels are the ten digits' names.
func digitLabels() []string {
	l := make([]string, 10)
	for i := range l {
		l[i] = strconv.Itoa(i)
	}
	return l
}

// permutedClassLabels names the classes of class-incremental permuted
// MNIST: digit d of permutation k is "k:d".
func permutedClassLabels() []string {
	var l []string
	for k := 1; k <= permutedTasks; k++ {
		for d := 0; d < 10; d++ {
			l = append(l, fmt.Sprintf("%d:%d", k, d))
		}
	}
	return l
}

// digitExamples returns the images of d whose digit keep accepts, in
// their order, labelled by label. With side > 0 each image is centred
// on a side x side background, and with perm its pixels are then
// reordered: pixel i of the result is pixel perm[i] of the image.
func digitExamples(d *Digits, keep func(byte) bool, label func(byte) int, perm []int,
	side int) []Example {
	var out []Example
	for i, digit := range d.Labels {
		if !keep(digit) {
			continue
		}
		px := d.Image(i)
		if side > 0 {
			px = pad(px, d.Rows, d.Cols, side)
		}
		if perm != nil {
			p := make([]byte, len(px))
			for j, from := range perm {
				p[j] = px[from]
			}
			px = p
		}
		out = append(out, Example{Pixels: px, Label: label(digit)})
	}
	return out
}

// pad centres a rows x cols image on a side x side background.
func pad(px []byte, rows, cols, side int) []byte {
	out := make([]byte, side*side)
	top, left := (side-rows)/2, (side-cols)/2
	for r := 0; r < rows; r++ {
		copy(out[(top+r)*side+left:], px[r*cols:(r+1)*cols])
	}
	return out
}
