package bench

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

var errBusy = errors.New("run is locked by another process")

// lockHeartbeat is how often the holder of a run's lock refreshes the
// lock file's modification time; a variable so that tests can shorten
// it.
var lockHeartbeat = 30 * time.Second

// lockExpiry is how long a lock of another host lives without a
// refresh: ten heartbeats, so that a slow file system or clocks a few
// minutes apart do not expire a live lock.
func lockExpiry() time.Duration { return 10 * lockHeartbeat }

// lockRun takes the lock of a run in folder dir: a file <id>.lock
// created exclusively, holding the host and process id, whose
// modification time the holder refreshes every lockHeartbeat until it
// unlocks. Two processes sharing an output folder (two shards, or a
// suite started twice) so never run the same run at once.
//
// A lock is stale, and taken over, when its process is gone: on this
// host, a process id that no longer exists (a killed suite) or this
// process's own (a container's restarted process 1); of another host
// (a shared folder, a container whose host name changed), a lock not
// refreshed for lockExpiry. With force, any lock is taken over.
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
			stop := heartbeat(path)
			// Remove first: a heartbeat after it fails, harmlessly.
			return func() { os.Remove(path); stop() }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("locking run: %w", err)
		}
		owner, _ := os.ReadFile(path)
		var age time.Duration
		if fi, err := os.Stat(path); err == nil {
			age = time.Since(fi.ModTime())
		}
		if !force && !staleLock(string(owner), host, age) {
			return nil, busyError(path, string(owner), host, age)
		}
		os.Remove(path) // stale: its process is gone
	}
	return nil, fmt.Errorf("%w: %s was taken again as soon as it was freed; "+
		"if no other process runs this suite, delete it or rerun with --force", errBusy, path)
}

// clearStaleLock removes the lock of run id in dir when it is stale, as
// a process killed after writing a run's results and before unlocking
// leaves it; a live lock, or none, is left as it is.
func clearStaleLock(dir, id string) {
	path := filepath.Join(dir, id+".lock")
	fi, err := os.Stat(path)
	if err != nil {
		return
	}
	owner, err := os.ReadFile(path)
	host, _ := os.Hostname()
	if err == nil && staleLock(string(owner), host, time.Since(fi.ModTime())) {
		os.Remove(path)
	}
}

// liveLock returns the owner ("host pid") of run id's lock in dir when a
// live process seems to hold it, else "".
func liveLock(dir, id string) string {
	path := filepath.Join(dir, id+".lock")
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	owner, err := os.ReadFile(path)
	host, _ := os.Hostname()
	if err != nil || staleLock(string(owner), host, time.Since(fi.ModTime())) {
		return ""
	}
	return strings.TrimSpace(string(owner))
}

// heartbeat refreshes the modification time of the lock at path every
// lockHeartbeat until the returned function is called, which waits for
// it to end.
func heartbeat(path string) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(lockHeartbeat)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				now := time.Now()
				os.Chtimes(path, now, now) // a failure shows as an older lock, no worse
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done); wg.Wait() }) }
}

// staleLock reports whether a lock whose owner is "host pid", last
// refreshed age ago, belongs to a process that has ended: on this host,
// one whose process no longer exists; of any host, one not refreshed
// for lockExpiry.
func staleLock(owner, host string, age time.Duration) bool {
	fields := strings.Fields(owner)
	if len(fields) != 2 {
		return true // unreadable: a crash while writing it
	}
	if fields[0] != host || age > lockExpiry() {
		// Of another host: only its age can tell. Of this host and not
		// refreshed for so long: its process, whatever runs under that
		// id now, is not a clbench holding it (process ids are reused).
		return age > lockExpiry()
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

// busyError says who holds the lock at path, since when, and what to do
// if that process is gone.
func busyError(path, owner, host string, age time.Duration) error {
	fields := strings.Fields(owner)
	holder, pid := fields[0], fields[1] // staleLock refuses other shapes
	age = age.Round(time.Second)
	if holder == host {
		return fmt.Errorf("%w: %s is held by process %s of this host (%s), which is running, "+
			"refreshed %s ago; if that process is not clbench, delete the file or rerun with --force",
			errBusy, path, pid, host, age)
	}
	return fmt.Errorf("%w: %s is held by process %s on host %s, refreshed %s ago (it expires "+
		"when not refreshed for %s); if that process is gone, delete the file or rerun with --force",
		errBusy, path, pid, holder, age, lockExpiry())
}
