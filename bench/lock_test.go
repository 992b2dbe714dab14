package bench

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLockRun(t *testing.T) {
	host, _ := os.Hostname()
	// Ages of another host's lock either side of lockExpiry (10
	// heartbeats of 30 s: 5 minutes), set with os.Chtimes.
	fresh, expired := time.Minute, 11*lockHeartbeat
	for _, tc := range []struct {
		name, owner string
		age         time.Duration
		force       bool
		wantBusy    bool
		wantMsg     []string // in a busy error
	}{
		{"no lock", "", 0, false, false, nil},
		{"live process of this host", fmt.Sprintf("%s %d\n", host, os.Getppid()), 0, false, true,
			[]string{"r.lock", fmt.Sprint(os.Getppid()), "this host", "--force"}},
		// A live process of this host whose lock is not refreshed is not
		// a clbench holding it (its id was reused).
		{"live process of this host, not refreshed for 11 heartbeats",
			fmt.Sprintf("%s %d\n", host, os.Getppid()), expired, false, false, nil},
		{"this process's own id, left by a former process 1", fmt.Sprintf("%s %d\n", host, os.Getpid()), 0, false, false, nil},
		{"a process that has ended", fmt.Sprintf("%s %d\n", host, 1<<30), 0, false, false, nil},
		{"a process that has ended, however old", fmt.Sprintf("%s %d\n", host, 1<<30), expired, false, false, nil},
		{"another host, refreshed lately", "elsewhere 12\n", fresh, false, true,
			[]string{"r.lock", "process 12 on host elsewhere", "refreshed 1m0s ago", "delete the file", "--force"}},
		{"another host, not refreshed for 11 heartbeats", "elsewhere 12\n", expired, false, false, nil},
		{"another host, forced", "elsewhere 12\n", fresh, true, false, nil},
		{"unreadable", "garbage", 0, false, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "r.lock")
			if tc.owner != "" {
				if err := os.WriteFile(path, []byte(tc.owner), 0o644); err != nil {
					t.Fatal(err)
				}
				then := time.Now().Add(-tc.age)
				if err := os.Chtimes(path, then, then); err != nil {
					t.Fatal(err)
				}
			}
			unlock, err := lockRun(dir, "r", tc.force)
			if busy := errors.Is(err, errBusy); busy != tc.wantBusy {
				t.Fatalf("busy = %v (err %v), want %v", busy, err, tc.wantBusy)
			}
			for _, want := range tc.wantMsg {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if err == nil {
				unlock()
				if _, err := os.Stat(path); !os.IsNotExist(err) {
					t.Errorf("lock left after unlock: %v", err)
				}
			}
		})
	}
}

// The holder refreshes its lock's modification time every heartbeat
// (here 10 ms) and stops when it unlocks.
func TestLockHeartbeat(t *testing.T) {
	defer func(d time.Duration) { lockHeartbeat = d }(lockHeartbeat)
	lockHeartbeat = 10 * time.Millisecond
	dir := t.TempDir()
	path := filepath.Join(dir, "r.lock")
	unlock, err := lockRun(dir, "r", false)
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(lockHeartbeat) {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if time.Since(fi.ModTime()) < time.Minute {
			break // refreshed
		}
		if time.Now().After(deadline) {
			t.Fatalf("lock not refreshed in 5 s: modified %s ago", time.Since(fi.ModTime()))
		}
	}
	unlock()
	time.Sleep(3 * lockHeartbeat)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("lock there after unlock (a heartbeat outlived it?): %v", err)
	}
}

// liveLock names the holder of a lock whose process is alive, and
// nothing for a stale lock or none.
func TestLiveLock(t *testing.T) {
	host, _ := os.Hostname()
	dir := t.TempDir()
	if got := liveLock(dir, "r"); got != "" {
		t.Errorf("no lock: %q", got)
	}
	live := fmt.Sprintf("%s %d", host, os.Getppid())
	if err := os.WriteFile(filepath.Join(dir, "r.lock"), []byte(live+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := liveLock(dir, "r"); got != live {
		t.Errorf("live lock: %q, want %q", got, live)
	}
	gone := fmt.Sprintf("%s %d\n", host, 1<<30)
	if err := os.WriteFile(filepath.Join(dir, "r.lock"), []byte(gone), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := liveLock(dir, "r"); got != "" {
		t.Errorf("stale lock: %q", got)
	}
}
