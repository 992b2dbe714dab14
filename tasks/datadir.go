package tasks

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// DataEnv is the environment variable that names the data folder.
const DataEnv = "CLBENCH_DATA"

// DataDir returns the data folder: flag when it is not empty, else
// $CLBENCH_DATA, else the folder clbench under os.UserCacheDir (under
// os.TempDir when the system has no cache folder).
func DataDir(flag string) string {
	if flag != "" {
		return flag
	}
	if env := os.Getenv(DataEnv); env != "" {
		return env
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	return filepath.Join(cache, "clbench")
}

// MissingFileError says that a data file is not where a stream
// expects it. It matches fs.ErrNotExist under errors.Is.
type MissingFileError struct {
	// File is the path as the stream names it, relative to Dir.
	File string
	// Dir is the folder that was searched.
	Dir string
	// Hint says how to change Dir.
	Hint string
}

func (e *MissingFileError) Error() string {
	return fmt.Sprintf("data file %s not found in %s (%s)", e.File, e.Dir, e.Hint)
}

func (e *MissingFileError) Unwrap() error { return fs.ErrNotExist }

// dataHint is the Hint of a built-in stream's missing file.
const dataHint = "the data folder is set by --data or " + DataEnv

// resolve joins rel to dir and checks that the file exists. A missing
// file gives a MissingFileError with hint; other failures of os.Stat
// are returned as they are.
func resolve(dir, rel, hint string) (string, error) {
	path := rel
	if !filepath.IsAbs(rel) {
		path = filepath.Join(dir, rel)
	}
	_, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", &MissingFileError{File: rel, Dir: dir, Hint: hint}
	}
	if err != nil {
		return "", err
	}
	return path, nil
}
