package bench

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// memoryWatch measures a run's peak memory. On Linux it resets the
// process's peak resident set size (VmHWM) at the start of the run and
// reads it at the end; elsewhere it falls back to the Go heap's size.
type memoryWatch struct{ linux bool }

func startMemoryWatch(reset bool) memoryWatch {
	if !reset {
		_, ok := readStatusKB("VmHWM:")
		return memoryWatch{linux: ok}
	}
	// Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+).
	err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	return memoryWatch{linux: err == nil}
}

func (w memoryWatch) peak() int64 {
	if w.linux {
		if kb, ok := readStatusKB("VmHWM:"); ok {
			return kb * 1024
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.Sys)
}

func readStatusKB(key string) (int64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), key); ok {
			fields := strings.Fields(rest)
			if len(fields) > 0 {
				n, err := strconv.ParseInt(fields[0], 10, 64)
				return n, err == nil
			}
		}
	}
	return 0, false
}
