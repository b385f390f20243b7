package portserver

import (
	"os"
	"strconv"
	"strings"
)

// processStart returns the start time of process pid, in clock ticks since
// boot (field 22 of /proc/PID/stat), and whether the process exists.
func processStart(pid int) (uint64, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name, field 2, is in parentheses and may hold spaces
	// and parentheses: the fields after it follow the last ")".
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return 0, false
	}
	t, err := strconv.ParseUint(f[19], 10, 64) // field 22: starttime
	if err != nil {
		return 0, false
	}
	if len(f) > 0 && f[0] == "Z" {
		return 0, false // a zombie has exited
	}
	return t, true
}

// processAlive reports whether pid is still the process that started at
// started.
func processAlive(pid int, started uint64) bool {
	t, ok := processStart(pid)
	return ok && t == started
}
