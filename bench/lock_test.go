package bench

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestLockRun(t *testing.T) {
	host, _ := os.Hostname()
	for _, tc := range []struct {
		name, owner string
		force       bool
		wantBusy    bool
	}{
		{"no lock", "", false, false},
		{"live process of this host", fmt.Sprintf("%s %d\n", host, os.Getppid()), false, true},
		{"this process's own id, left by a former process 1", fmt.Sprintf("%s %d\n", host, os.Getpid()), false, false},
		{"a process that has ended", fmt.Sprintf("%s %d\n", host, 1<<30), false, false},
		{"another host", "elsewhere 12\n", false, true},
		{"another host, forced", "elsewhere 12\n", true, false},
		{"unreadable", "garbage", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.owner != "" {
				if err := os.WriteFile(filepath.Join(dir, "r.lock"), []byte(tc.owner), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			unlock, err := lockRun(dir, "r", tc.force)
			if busy := errors.Is(err, errBusy); busy != tc.wantBusy {
				t.Fatalf("busy = %v (err %v), want %v", busy, err, tc.wantBusy)
			}
			if err == nil {
				unlock()
				if _, err := os.Stat(filepath.Join(dir, "r.lock")); !os.IsNotExist(err) {
					t.Errorf("lock left after unlock: %v", err)
				}
			}
		})
	}
}
