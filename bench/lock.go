package bench

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

var errBusy = errors.New("run is locked by another process")

// lockRun takes the lock of a run in folder dir: a file <id>.lock
// created exclusively, holding the host and process id. Two processes
// sharing an output folder (two shards, or a suite started twice) so
// never run the same run at once. A lock left by a process of this host
// that no longer exists (a killed suite), or one holding this process's
// own id (a container's restarted process 1), is stale and taken over;
// with force, any lock is.
func lockRun(dir, id string, force bool) (unlock func(), err error) {
	path := filepath.Join(dir, id+".lock")
	host, _ := os.Hostname()
	me := fmt.Sprintf("%s %d\n", host, os.Getpid())
	for attempt := 0; attempt < 2; attempt++ {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			_, werr := f.WriteString(me)
			cerr := f.Close()
			if werr != nil || cerr != nil {
				os.Remove(path)
				return nil, fmt.Errorf("writing lock %s: %v %v", path, werr, cerr)
			}
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("locking run: %w", err)
		}
		owner, _ := os.ReadFile(path)
		if !force && !staleLock(string(owner), host) {
			return nil, fmt.Errorf("%w (%s: %s)", errBusy, path, strings.TrimSpace(string(owner)))
		}
		os.Remove(path) // stale: its process is gone
	}
	return nil, fmt.Errorf("%w (%s)", errBusy, path)
}

// staleLock reports whether a lock's owner ("host pid") is a process of
// this host that has ended. Locks of other hosts are never stale here.
func staleLock(owner, host string) bool {
	fields := strings.Fields(owner)
	if len(fields) != 2 || fields[0] != host {
		return len(fields) != 2 // unreadable: a crash while writing it
	}
	pid, err := strconv.Atoi(fields[1])
	if err != nil || pid == os.Getpid() {
		// This process does not hold a run's lock before taking it, so
		// its own id is a former process's (process 1 in a container).
		return true
	}
	// Signal 0 checks that the process exists.
	return syscall.Kill(pid, 0) == syscall.ESRCH
}
