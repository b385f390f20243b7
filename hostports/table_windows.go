package hostports

import "os/exec"

// readTable runs netstat -ano, and names the processes from tasklist.
func readTable(opts TableOptions) (Table, error) {
	t, err := runTable(opts, "netstat", ParseNetstat, "netstat", "-ano")
	if err != nil || opts.NoOwners {
		return t, err
	}
	out, err := exec.Command("tasklist", "/fo", "csv", "/nh").Output()
	if err != nil {
		return t, nil // the PIDs alone
	}
	names, err := ParseTasklist(string(out))
	if err != nil {
		return t, nil
	}
	for i := range t.Sockets {
		for j := range t.Sockets[i].Processes {
			p := &t.Sockets[i].Processes[j]
			p.Program = names[p.PID]
		}
	}
	return t, nil
}
