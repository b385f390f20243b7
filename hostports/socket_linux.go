// The Linux socket table. The sockets come from sock_diag netlink (four
// dumps: TCP and UDP, IPv4 and IPv6), or from /proc/net/{tcp,tcp6,udp,udp6}
// of the reading thread where netlink is refused (some sandboxes). Owners
// come from one pass over /proc/PID/fd: each directory is read with
// getdents and each entry with readlinkat relative to it, into buffers a
// worker reuses, so that the pass allocates per process, not per file;
// processes are shared among up to four workers. Only the processes that
// hold a socket of the table have their comm, cmdline, status and cgroup
// read.

package hostports

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unsafe"

	"github.com/portalloc/ports"
)

func errnoError(e int32) error { return syscall.Errno(e) }

func readTable(opts TableOptions) (Table, error) {
	if opts.Netns == "" {
		return readTableHere(opts)
	}
	// The sockets are read inside the namespace, the owners after leaving
	// it (the owners' /proc is the same).
	var t Table
	err, nsErr := inNetns(opts.Netns, func() error {
		var err error
		t, err = readSockets(opts.Port)
		return err
	})
	if nsErr != nil {
		return t, errors.Join(err, fmt.Errorf("hostports: ReadTable(Netns %q): %w", opts.Netns, nsErr))
	}
	if err == nil && !opts.NoOwners {
		t.Hidden = findOwners(t.Sockets)
	}
	return t, err
}

func readTableHere(opts TableOptions) (Table, error) {
	t, err := readSockets(opts.Port)
	if err != nil {
		return t, err
	}
	if !opts.NoOwners {
		t.Hidden = findOwners(t.Sockets)
	}
	return t, nil
}

// readSockets reads the sockets of the calling thread's network namespace.
func readSockets(p ports.Port) (Table, error) {
	socks, err := readDiag(p)
	if err == nil {
		return Table{Sockets: socks, Source: "sock_diag"}, nil
	}
	socks, err2 := readProcNet(p)
	if err2 != nil {
		return Table{}, fmt.Errorf("hostports: reading the socket table: sock_diag: %v; %w", err, err2)
	}
	return Table{Sockets: socks, Source: "/proc/net"}, nil
}

// readDiag dumps every TCP and UDP socket through sock_diag.
func readDiag(p ports.Port) ([]Socket, error) {
	const netlinkSockDiag = 4
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, netlinkSockDiag)
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("bind: %w", err)
	}
	buf := make([]byte, 64<<10)
	var out []Socket
	seq := uint32(0)
	for _, q := range []struct {
		family, proto uint8
		p             ports.Protocol
	}{
		{afInet, ipprotoTCP, ports.TCP}, {afInet6, ipprotoTCP, ports.TCP},
		{afInet, ipprotoUDP, ports.UDP}, {afInet6, ipprotoUDP, ports.UDP},
	} {
		seq++
		req := diagRequest(q.family, q.proto, p, seq)
		if err := syscall.Sendto(fd, req, 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
			return nil, fmt.Errorf("send: %w", err)
		}
		for {
			n, _, err := syscall.Recvfrom(fd, buf, 0)
			if err == syscall.EINTR {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("receive: %w", err)
			}
			out, err = decodeDiag(buf[:n], q.p, out)
			if err == errDiagDone {
				break
			}
			if err != nil {
				if q.proto == ipprotoUDP && errors.Is(err, syscall.ENOENT) {
					break // no UDP diag module: no UDP sockets to show
				}
				return nil, err
			}
		}
	}
	return out, nil
}

// readProcNet reads /proc/thread-self/net/*, the tables of the calling
// thread's namespace.
func readProcNet(p ports.Port) ([]Socket, error) {
	dir := "/proc/thread-self/net/"
	if _, err := os.Stat(dir); err != nil {
		dir = "/proc/self/net/" // Linux before 3.17
	}
	var out []Socket
	for _, f := range []struct {
		name  string
		proto ports.Protocol
	}{{"tcp", ports.TCP}, {"tcp6", ports.TCP}, {"udp", ports.UDP}, {"udp6", ports.UDP}} {
		b, err := os.ReadFile(dir + f.name)
		if errors.Is(err, os.ErrNotExist) && strings.HasSuffix(f.name, "6") {
			continue // no IPv6
		}
		if err != nil {
			return nil, err
		}
		socks, err := parseProcNet(string(b), f.proto, binary.NativeEndian)
		if err != nil {
			return nil, err
		}
		for _, s := range socks {
			if p == 0 || s.Port() == p {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// findOwners fills Owner and Processes of every socket, and returns the
// number of processes whose open files could not be read.
func findOwners(socks []Socket) int {
	want := make(map[uint64][]int, len(socks)) // inode -> PIDs
	for _, s := range socks {
		if s.Inode != 0 {
			want[s.Inode] = nil
		}
	}
	var hidden []int // UIDs of the processes that could not be read
	if len(want) > 0 {
		want, hidden = scanProcFds(want)
	}
	procs := map[int]*Process{}
	euid := os.Geteuid()
	for i := range socks {
		s := &socks[i]
		if s.Inode == 0 {
			s.Owner = OwnerKernel
			continue
		}
		pids := want[s.Inode]
		if len(pids) == 0 {
			// Root reads every process; for others, a socket whose user
			// owns a process that could not be read is that process's.
			if euid != 0 && (slices.Contains(hidden, s.UID) || (s.UID != euid && len(hidden) > 0)) {
				s.Owner = OwnerHidden
			} else {
				s.Owner = OwnerUnknown
			}
			continue
		}
		s.Owner = OwnerFound
		s.Processes = make([]Process, 0, len(pids))
		for _, pid := range pids {
			pr, ok := procs[pid]
			if !ok {
				pr = readProcess(pid)
				procs[pid] = pr
			}
			s.Processes = append(s.Processes, *pr)
		}
	}
	return len(hidden)
}

// scanProcFds finds the processes that hold each inode of want, and
// returns the UIDs of the processes whose fd directory it could not read.
func scanProcFds(want map[uint64][]int) (map[uint64][]int, []int) {
	pids := listPIDs()
	workers := min(runtime.GOMAXPROCS(0), 4, max(1, len(pids)/16))
	type found struct {
		inode uint64
		pid   int
	}
	results := make([][]found, workers)
	hiddenBy := make([][]int, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dirents := make([]byte, 16<<10)
			link := make([]byte, 64)
			for i := w; i < len(pids); i += workers {
				pid := pids[i]
				err := eachSocketFd(pid, dirents, link, func(inode uint64) {
					if _, ok := want[inode]; ok {
						results[w] = append(results[w], found{inode, pid})
					}
				})
				if errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EPERM) {
					var st syscall.Stat_t
					uid := -1
					if syscall.Stat("/proc/"+strconv.Itoa(pid), &st) == nil {
						uid = int(st.Uid)
					}
					hiddenBy[w] = append(hiddenBy[w], uid)
				}
			}
		}()
	}
	wg.Wait()
	for _, rs := range results {
		for _, f := range rs {
			if !slices.Contains(want[f.inode], f.pid) {
				want[f.inode] = append(want[f.inode], f.pid)
			}
		}
	}
	for _, pids := range want {
		slices.Sort(pids)
	}
	var hidden []int
	for _, h := range hiddenBy {
		hidden = append(hidden, h...)
	}
	return want, hidden
}

// listPIDs returns the PIDs under /proc, in ascending order.
func listPIDs() []int {
	f, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	defer f.Close()
	names, _ := f.Readdirnames(-1)
	pids := make([]int, 0, len(names))
	for _, n := range names {
		if pid, err := strconv.Atoi(n); err == nil && pid > 0 {
			pids = append(pids, pid)
		}
	}
	slices.Sort(pids)
	return pids
}

// eachSocketFd calls fn with the inode of each socket that process pid
// has open. It returns the error of opening its fd directory.
func eachSocketFd(pid int, dirents, link []byte, fn func(inode uint64)) error {
	dfd, err := syscall.Open("/proc/"+strconv.Itoa(pid)+"/fd", syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(dfd)
	for {
		n, err := syscall.ReadDirent(dfd, dirents)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			return nil // the process may have ended
		}
		for off := 0; off+19 < n; {
			reclen := int(*(*uint16)(unsafe.Pointer(&dirents[off+16])))
			if reclen == 0 || off+reclen > n {
				break
			}
			name := dirents[off+19 : off+reclen] // NUL-terminated, padded
			off += reclen
			if name[0] == '.' {
				continue
			}
			m, _, e := syscall.Syscall6(syscall.SYS_READLINKAT, uintptr(dfd), uintptr(unsafe.Pointer(&name[0])),
				uintptr(unsafe.Pointer(&link[0])), uintptr(len(link)), 0, 0)
			if e != 0 {
				continue
			}
			if inode, ok := socketInode(link[:m]); ok {
				fn(inode)
			}
		}
	}
}

// socketInode reads "socket:[12345]".
func socketInode(b []byte) (uint64, bool) {
	const pre = "socket:["
	if len(b) < len(pre)+2 || string(b[:len(pre)]) != pre || b[len(b)-1] != ']' {
		return 0, false
	}
	var n uint64
	for _, c := range b[len(pre) : len(b)-1] {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}

// readProcess reads what /proc says of pid; what cannot be read stays
// empty (a process may end at any moment).
func readProcess(pid int) *Process {
	dir := "/proc/" + strconv.Itoa(pid) + "/"
	pr := &Process{PID: pid, UID: -1}
	if b, err := os.ReadFile(dir + "comm"); err == nil {
		pr.Program = strings.TrimSuffix(string(b), "\n")
	}
	if b, err := os.ReadFile(dir + "cmdline"); err == nil && len(b) > 0 {
		pr.Cmdline = strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
	}
	if b, err := os.ReadFile(dir + "status"); err == nil {
		pr.UID = statusUID(string(b))
	}
	if pr.UID >= 0 {
		pr.User = userName(pr.UID)
	}
	if c, ok := ParseDockerProxyArgs(pr.Cmdline); ok {
		pr.Container = c
	} else if b, err := os.ReadFile(dir + "cgroup"); err == nil {
		pr.Container, _ = ParseCgroup(string(b))
	}
	return pr
}

// statusUID returns the real UID of a /proc/PID/status, or -1.
func statusUID(s string) int {
	i := strings.Index(s, "\nUid:")
	if i < 0 {
		return -1
	}
	f := strings.Fields(s[i+5:])
	if len(f) == 0 {
		return -1
	}
	uid, err := strconv.Atoi(f[0])
	if err != nil {
		return -1
	}
	return uid
}
