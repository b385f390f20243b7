// The socket table on Windows: the kernel's TCP and UDP tables of each
// family from the IP Helper calls GetExtendedTcpTable and
// GetExtendedUdpTable (decoded in iphelper.go), or, where they fail, the
// output of netstat -ano; processes are named from tasklist.

package hostports

import (
	"errors"
	"fmt"
	"os/exec"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	iphlpapi                = windows.NewLazySystemDLL("iphlpapi.dll")
	procGetExtendedTcpTable = iphlpapi.NewProc("GetExtendedTcpTable")
	procGetExtendedUdpTable = iphlpapi.NewProc("GetExtendedUdpTable")
)

// The arguments of the calls, from iprtrmib.h and ws2def.h.
const (
	winAFInet            = 2
	winAFInet6           = 23
	tcpTableOwnerPIDAll  = 5 // TCP_TABLE_OWNER_PID_ALL
	udpTableOwnerPID     = 1 // UDP_TABLE_OWNER_PID
	maxIPHelperAttempts  = 8
	firstIPHelperBufSize = 16 << 10
)

// readTable reads the kernel's tables, or netstat -ano where that fails,
// and names the processes from tasklist.
func readTable(opts TableOptions) (Table, error) {
	if opts.Netns != "" {
		return Table{}, errors.New("hostports: ReadTable: network namespaces are Linux's; Netns must be empty here")
	}
	t, err := readIPHelper(opts)
	if err != nil {
		var nerr error
		t, nerr = runTable(opts, "netstat", ParseNetstat, "netstat", "-ano")
		if nerr != nil {
			return t, errors.Join(err, nerr)
		}
		t.Source = "netstat (" + err.Error() + ")"
	}
	if opts.NoOwners {
		return t, nil
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

// readIPHelper reads the four tables.
func readIPHelper(opts TableOptions) (Table, error) {
	t := Table{Source: "GetExtendedTcpTable"}
	for _, q := range []struct {
		proc  *windows.LazyProc
		af    uintptr
		class uintptr
		tab   ipHelperTable
	}{
		{procGetExtendedTcpTable, winAFInet, tcpTableOwnerPIDAll, tcp4Table},
		{procGetExtendedTcpTable, winAFInet6, tcpTableOwnerPIDAll, tcp6Table},
		{procGetExtendedUdpTable, winAFInet, udpTableOwnerPID, udp4Table},
		{procGetExtendedUdpTable, winAFInet6, udpTableOwnerPID, udp6Table},
	} {
		buf, err := callIPHelper(q.proc, q.af, q.class)
		if err != nil {
			return Table{}, fmt.Errorf("hostports: reading %s: %w", q.tab.name, err)
		}
		socks, err := parseIPHelperTable(buf, q.tab)
		if err != nil {
			return Table{}, err
		}
		for _, s := range socks {
			if opts.Port != 0 && s.Port() != opts.Port {
				continue
			}
			if opts.NoOwners {
				s.Owner, s.Processes = OwnerUnknown, nil
			}
			t.Sockets = append(t.Sockets, s)
		}
	}
	return t, nil
}

// callIPHelper calls proc (GetExtendedTcpTable or GetExtendedUdpTable,
// which share their signature) for one family and table class, growing
// the buffer to the size the call asks for while it answers
// ERROR_INSUFFICIENT_BUFFER: the table can grow between two calls.
func callIPHelper(proc *windows.LazyProc, af, class uintptr) ([]byte, error) {
	if err := proc.Find(); err != nil {
		return nil, err
	}
	buf := make([]byte, firstIPHelperBufSize)
	for range maxIPHelperAttempts {
		size := uint32(len(buf))
		// DWORD (PVOID pTable, PDWORD pdwSize, BOOL bOrder, ULONG ulAf,
		// TABLE_CLASS TableClass, ULONG Reserved)
		r, _, _ := proc.Call(uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&size)), 0, af, class, 0)
		switch errno := syscall.Errno(r); errno {
		case 0:
			return buf, nil
		case windows.ERROR_INSUFFICIENT_BUFFER:
			buf = make([]byte, int(size)+int(size)/4+1024) // room for sockets opened meanwhile
		default:
			return nil, fmt.Errorf("%s: %w", proc.Name, errno)
		}
	}
	return nil, fmt.Errorf("%s: the table kept growing past the buffer %d times", proc.Name, maxIPHelperAttempts)
}
